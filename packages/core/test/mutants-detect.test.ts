// Tests written from Stryker's mutants (docs/mutation.md): how detection refuses a claim, naming
// the field at fault; what a plugin's context does (warnings, asking a backend twice, hasBackend);
// systemd procedures without steps or without the missing input named; the registry's log
// patterns; the module-level detect().
import {
  type BackendPlugin,
  type CocoType,
  type CvmProcedure,
  createRegistry,
  createType,
  defineBackend,
  defineHypervisor,
  detect,
  EvidenceBuilder,
  type HypervisorPlugin,
  isCocoError,
  PLUGIN_INTERFACE_VERSION,
} from '@coco/core';
import { describe, expect, it } from 'vitest';
import { toyBackend, toyRegEvidence, toyType } from './fixtures.js';

const msrRead = () => new EvidenceBuilder().saw('toy.reg').build();
const toyEvidence = toyRegEvidence('0x1234=0x33', 'test msr');
/** A backend `id` that answers exactly `answer`. */
const answering = (answer: unknown, id = 'toy'): BackendPlugin =>
  ({ ...toyBackend, id, detect: () => answer }) as BackendPlugin;
/** The warnings of a detection by the toy backend answering `answer`. */
const refusal = (answer: unknown) => createRegistry().use(answering(answer)).detect(msrRead()).warnings;
const refused = (why: string) => [
  `plugin toy (toy-backend) failed during detection and was skipped: its claim was refused: ${why}`,
];
/** The toy type of bit 51 with some fields replaced, frozen, keeping createType's mark. */
const forged = (fields: Record<string, unknown>): CocoType =>
  Object.freeze({ ...toyType({ maskBit: 51 }), ...fields }) as unknown as CocoType;

describe('detection refuses a claim whose type is not what it says, naming the field', () => {
  it('what createType did not build: not an object, no mark, or not frozen', () => {
    const why = refused('type: not a type built by createType');
    expect(refusal({ type: 'toy' })).toEqual(why);
    expect(refusal({ type: null })).toEqual(why);
    expect(refusal({ type: Object.freeze({ id: 'toy', guest: true }) })).toEqual(why);
    expect(refusal({ type: { ...toyType({ maskBit: 51 }) } })).toEqual(why);
    expect(refusal({ type: toyType({ maskBit: 51 }) })).toEqual([]);
  });

  it('a type of no registered backend', () => {
    const stray = createType({ ...toySpec(), id: 'zzz' });
    expect(refusal({ type: stray })).toEqual(refused('type.id: "zzz" is not a registered backend\'s type'));
  });

  it('a guest flag that is not a boolean', () => {
    expect(refusal({ type: forged({ guest: 'yes' }) })).toEqual(refused('type.guest: not a boolean'));
  });

  it('a variant the backend does not declare', () => {
    expect(refusal({ type: forged({ variant: 'v2' }) })).toEqual(
      refused('type.variant: "v2" is not a variant toy declares'),
    );
  });

  it('attributes that are not a set, or not registered', () => {
    expect(refusal({ type: forged({ attributes: { ids: 'mem-encrypt' } }) })).toEqual(
      refused('type.attributes: not an attribute set'),
    );
    expect(refusal({ type: forged({ attributes: { ids: ['mem-encrypt', 'acme:x'] } }) })).toEqual(
      refused('type.attributes: "acme:x" is not a registered attribute'),
    );
  });

  it("a marking that is not one bit inside 0..63 with the type's polarity", () => {
    // Interface 2: core takes any bit of a 64-bit entry; the entry bit may differ from the address
    // bit (`entryBit`, `mask` = 1 << entryBit; `addressMask` = 1 << maskBit).
    const why = "type.marking: not one bit inside 0..63 with the type's polarity";
    const at = (bit: number, entryBit = bit) => ({
      maskBit: bit,
      entryBit,
      addressMask: 1n << BigInt(bit),
      mask: 1n << BigInt(entryBit),
      encryptedWhen: 'set',
    });
    const good = at(51);
    expect(refusal({ type: forged({ marking: good }) })).toEqual([]);
    expect(refusal({ type: forged({ marking: at(0) }) })).toEqual([]);
    expect(refusal({ type: forged({ marking: at(63) }) })).toEqual([]);
    expect(refusal({ type: forged({ marking: at(51, 40) }) })).toEqual([]);
    for (const marking of [
      { ...good, maskBit: '51' },
      { ...good, maskBit: 51.5 },
      at(-1),
      at(64),
      { ...good, mask: 1n << 50n },
      { ...good, addressMask: 1n << 50n },
      { ...good, entryBit: 50 },
      { ...good, encryptedWhen: 'clear' },
    ]) {
      expect(refusal({ type: forged({ marking }) })).toEqual(refused(why));
    }
  });

  it('an answer that is not an object, or a value that cannot be printed', () => {
    expect(refusal(5)).toEqual([
      'plugin toy (toy-backend) failed during detection and was skipped: it returned number',
    ]);
    const unprintable = {
      ...toyBackend,
      detect: () => {
        throw Object.create(null);
      },
    };
    expect(createRegistry().use(unprintable).detect(msrRead()).warnings).toEqual([
      'plugin toy (toy-backend) failed during detection and was skipped: an unprintable error',
    ]);
  });
});

function toySpec() {
  return {
    id: 'toy',
    title: 'Toy CVM',
    attributes: ['mem-encrypt', 'guest-mem-encrypt'] as const,
    encryptedWhen: 'set' as const,
    maskBit: 51,
    maskName: 'toy bit',
    cvm: 'toy',
  };
}

describe("a plugin's context", () => {
  it("prefixes a plugin's warning with its id", () => {
    const warns = {
      ...toyBackend,
      detect: (_e: unknown, context: { warn(m: string): void }) => {
        context.warn('look');
        return null;
      },
    } as BackendPlugin;
    expect(createRegistry().use(warns).detect(msrRead()).warnings).toEqual(['toy: look']);
  });

  it('names the type with its variant in the verdict', () => {
    const variantType = createType({ ...toySpec(), variant: 'v1' });
    const plugin = {
      ...toyBackend,
      variants: [
        { variant: 'v1', title: 'Toy v1', attributes: ['guest-mem-encrypt', 'mem-encrypt'], cvm: 'toy' },
      ],
      detect: () => ({ type: variantType }),
    } as BackendPlugin;
    const d = createRegistry().use(plugin).detect(msrRead());
    expect(d.trail.map((s) => s.says)).toContain('verdict: a confidential guest (toy (v1))');
  });

  it('asks a backend once: asking again returns the first answer; hasBackend says what is registered', () => {
    const answers: unknown[] = [];
    let asked = 0;
    const counting = {
      ...toyBackend,
      detect: () => {
        asked += 1;
        return { type: toyType({ maskBit: 51 }) };
      },
    } as BackendPlugin;
    const hv: HypervisorPlugin = {
      kind: 'hypervisor',
      interfaceVersion: PLUGIN_INTERFACE_VERSION,
      id: 'askhv',
      packageName: 'ask-hv',
      detect(_evidence, context) {
        answers.push(context.ask('toy', 'toy-backend'), context.ask('toy', 'toy-backend'));
        answers.push(context.hasBackend('toy'), context.hasBackend('nope'));
        return null;
      },
    };
    const d = createRegistry().use(counting).use(hv).detect(msrRead());
    expect(asked).toBe(1);
    expect(answers[0]).not.toBeNull();
    expect(answers[1]).toBe(answers[0]);
    expect(answers.slice(2)).toEqual([true, false]);
    // Asked once, and not again on its own: the hypervisor composed nothing, so the backend's
    // first answer stands as its claim (a hypervisor that asks cannot silence a backend).
    expect(asked).toBe(1);
    expect(d.type?.id).toBe('toy');
    expect(d.hypervisor).toBeNull();
  });
});

describe("systemd's procedure", () => {
  const withProcedure = (read: CvmProcedure['read']) =>
    createRegistry()
      .use({ ...toyBackend, cvm: { id: 'p', read } })
      .detect(toyEvidence);

  it('may give no steps', () => {
    const d = withProcedure(() => ({ label: 'sev' }) as never);
    expect(d.cvm).toBe('sev');
    expect(d.trail.filter((s) => s.source === 'systemd').map((s) => s.says)).toEqual([
      'systemd-detect-virt --cvm prints sev',
    ]);
  });

  it('says an input is missing when the procedure does not name it', () => {
    const d = withProcedure(() => ({ label: null, steps: [] }));
    expect(d.trail.at(-1)?.says).toBe(
      "systemd's procedure cannot run (an input is missing); the label systemd prints for toy: toy",
    );
  });
});

describe('the registry and the module-level helpers', () => {
  it('refuses log patterns that are not regular expressions', () => {
    for (const logPatterns of [['SEV:'], [/SEV:/, 'x'], 'SEV:']) {
      try {
        createRegistry().use({ ...toyBackend, logPatterns } as never);
        expect.unreachable();
      } catch (error) {
        expect(isCocoError(error) && error.code).toBe('PLUGIN_INVALID');
        expect(isCocoError(error) && error.problem).toBe(
          'logPatterns is not an array of regular expressions',
        );
      }
    }
  });

  it('keeps each log pattern once, without the g and y flags that would make test() stateful', () => {
    const r = createRegistry()
      .use({ ...toyBackend, logPatterns: [/^toy: /gy, /^TOY/i] })
      .use({ ...toyBackend, id: 'toy2', logPatterns: [/^toy: /, /^TOY/i] });
    const own = r.logPatterns.filter((p) => /toy/i.test(p.source));
    expect(own.map((p) => `${p.flags}/${p.source}`)).toEqual(['/^toy: ', 'i/^TOY']);
    expect(own[0]?.test('toy: a')).toBe(true);
    expect(own[0]?.test('toy: a')).toBe(true);
  });

  it('detect() asks the registry it is given', () => {
    const r = createRegistry().use(toyBackend);
    expect(detect(toyEvidence, r).type?.id).toBe('toy');
    expect(detect(msrRead(), createRegistry()).confidential).toBeNull();
  });

  it('defineBackend and defineHypervisor return the plugin itself', () => {
    expect(defineBackend(toyBackend)).toBe(toyBackend);
    const hv = { ...toyBackend, kind: 'hypervisor' } as unknown as HypervisorPlugin;
    expect(defineHypervisor(hv)).toBe(hv);
  });
});
