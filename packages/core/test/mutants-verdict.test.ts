// Tests written from Stryker's mutants (docs/mutation.md): the words core adds to the trail for
// each verdict, for systemd's label and for conflicts; a composing hypervisor's claim against the
// backends'; answers that are neither claims nor verdicts; what the machine readers add.
import {
  absent,
  type BackendPlugin,
  cannotTell,
  createRegistry,
  createType,
  type Evidence,
  EvidenceBuilder,
  emptyEvidence,
  type HypervisorPlugin,
  isCocoError,
  type MachineReader,
  mergeEvidence,
} from '@coco/core';
import { describe, expect, it } from 'vitest';
import {
  otherBackend,
  ToyEvidenceBuilder,
  toyBackend,
  toyHypervisor,
  toyRegEvidence,
  toyType,
} from './fixtures.js';

const msrRead = () => new EvidenceBuilder().saw('toy.reg').build();
const toyEvidence = toyRegEvidence('0x1234=0x33', 'test msr');
const leaf77 = new ToyEvidenceBuilder().addLeaf(0x77, 0, 0, 't').build();
const toyhvLeaf = new ToyEvidenceBuilder().addLeaf(0x4000_0000, 0, 0x12345678, 't').build();
/** The steps core took, as `source: says`. */
const core = (plugins: readonly unknown[], evidence: Evidence) => {
  const r = createRegistry();
  for (const p of plugins) r.use(p as BackendPlugin);
  const d = r.detect(evidence);
  return { d, steps: d.trail.filter((s) => s.by === 'core').map((s) => `${s.source}: ${s.says}`) };
};
const answering = (answer: unknown, id = 'toy'): BackendPlugin =>
  ({ ...toyBackend, id, detect: () => answer }) as BackendPlugin;

describe('the verdict in the trail', () => {
  it('not a guest: which backends ruled their types out, and the label for such a machine', () => {
    const { d, steps } = core([toyBackend, { ...toyBackend, id: 'toy2' }], msrRead());
    expect(steps).toEqual([
      'core: verdict: not a confidential guest (toy, toy2 ruled their types out)',
      'systemd: the label systemd prints for a machine that is not a confidential guest: none',
    ]);
    expect(d.trail.filter((s) => s.source === 'core' && s.by !== 'core').map((s) => s.says)).toEqual([
      'toy rules its type out: toy registers were read and 0x1234 is not among them',
      'toy2 rules its type out: toy registers were read and 0x1234 is not among them',
    ]);
    expect([d.confidential, d.cvm]).toEqual([false, 'none']);
  });

  it('cannot tell: who could not decide, and no label', () => {
    const { d, steps } = core([toyBackend, { ...toyBackend, id: 'toy2' }], emptyEvidence());
    expect(steps).toEqual(['core: verdict: cannot tell, toy, toy2 could not decide']);
    expect(d.trail[0]).toEqual({
      source: 'core',
      says: 'toy cannot tell: no toy register was read',
      by: 'toy',
    });
    expect([d.confidential, d.cvm]).toEqual([null, null]);
    // One plugin that cannot tell beside one that rules its type out: still cannot tell.
    const mixed = core([toyBackend, answering(absent('no'), 'toy2')], emptyEvidence());
    expect(mixed.d.confidential).toBeNull();
    expect(mixed.d.undetermined.map((u) => u.by)).toEqual(['toy']);
  });

  it('cannot tell without a backend, or when no backend ruled its type out', () => {
    expect(core([], emptyEvidence()).steps).toEqual(['core: verdict: cannot tell, no backend is registered']);
    const silent = core([answering(null)], emptyEvidence());
    expect(silent.steps).toEqual(['core: verdict: cannot tell, no plugin ruled its type out']);
    expect(silent.d.warnings).toEqual([]);
    // A hypervisor plugin that rules its type out is not a backend ruling out its type.
    const hvAbsent = { ...toyHypervisor, detect: () => absent('not this hypervisor') };
    const { d, steps } = core([hvAbsent, answering(null)], emptyEvidence());
    expect(steps).toEqual(['core: verdict: cannot tell, no plugin ruled its type out']);
    expect(d.trail[0]?.says).toBe('toyhv rules its type out: not this hypervisor');
    expect(d.warnings).toEqual([]);
    const hvNull = core([{ ...toyHypervisor, detect: () => null }, answering(null)], emptyEvidence());
    expect(hvNull.d.warnings).toEqual([]);
  });

  it('a guest, and a host that is not one', () => {
    expect(core([toyBackend], toyEvidence).steps).toEqual([
      'core: verdict: a confidential guest (toy)',
      'systemd: the label systemd prints for toy: toy',
    ]);
    const host = createType({
      id: 'toy',
      title: 'Toy host',
      guest: false,
      attributes: ['mem-encrypt', 'host-mem-encrypt'],
      encryptedWhen: 'set',
      maskBit: 47,
      maskName: 'toy bit',
      cvm: 'toy',
    });
    const { d, steps } = core([answering({ type: host })], emptyEvidence());
    expect(steps).toEqual([
      'core: verdict: not a confidential guest (toy)',
      'systemd: the label systemd prints for toy: none',
    ]);
    expect([d.confidential, d.cvm]).toEqual([false, 'none']);
  });

  it('conflicting claims: both named with who made them, no label', () => {
    const { d, steps } = core([toyBackend, otherBackend], mergeEvidence(toyEvidence, leaf77));
    expect(steps).toEqual(['core: verdict: cannot tell, the evidence conflicts (coco never guesses)']);
    expect(d.conflicts).toEqual([
      {
        what: 'the type of the guest',
        sides: [
          { says: 'toy', source: 'backend toy' },
          { says: 'other', source: 'backend other' },
        ],
      },
    ]);
    expect([d.type, d.confidential, d.cvm]).toEqual([null, null, null]);
    // Not even a procedure that could run gives a label then.
    const labelled = { ...toyBackend, cvm: { id: 'p', read: () => ({ label: 'sev', steps: ['looked'] }) } };
    const withProcedure = core([labelled, otherBackend], mergeEvidence(toyEvidence, leaf77)).d;
    expect(withProcedure.cvm).toBeNull();
    expect(withProcedure.trail.filter((s) => s.source === 'systemd')).toEqual([]);
    const composed = core([toyHypervisor, toyBackend, otherBackend], mergeEvidence(toyhvLeaf, leaf77)).d;
    expect(composed.conflicts[0]?.sides).toEqual([
      { says: 'toy', source: 'hypervisor plugin toyhv' },
      { says: 'other', source: 'backend other' },
    ]);
  });

  it('two claims of one type with different bits conflict; the same bit twice does not', () => {
    const second = { ...toyBackend, id: 'toy2', detect: () => ({ type: toyType({ maskBit: 47 }) }) };
    // toy2 claims a toy type: refused as not its own, so no conflict and a warning.
    expect(core([toyBackend, second], toyEvidence).d.warnings).toHaveLength(1);
    const hv47 = {
      ...toyHypervisor,
      id: 'hv47',
      detect: (_e: Evidence, c: { backend(id: string, p: string): BackendPlugin }) => ({
        type: c.backend('toy', 'toy-backend').createType({ maskBit: 47 }),
        paravisor: false,
      }),
    };
    const hv51 = {
      ...hv47,
      id: 'hv51',
      detect: () => ({ type: toyType({ maskBit: 51 }), paravisor: 'yes' }),
    };
    expect(core([hv47, hv51, toyBackend], emptyEvidence()).d.conflicts[0]?.sides).toEqual([
      { says: 'toy', source: 'hypervisor plugin hv47' },
      { says: 'toy', source: 'hypervisor plugin hv51' },
    ]);
    // Each side is named by the first plugin that made that claim.
    const three = core([hv47, hv51, { ...hv51, id: 'hv51b' }, toyBackend], emptyEvidence()).d;
    expect(three.conflicts[0]?.sides.map((side) => side.source)).toEqual([
      'hypervisor plugin hv47',
      'hypervisor plugin hv51',
    ]);
    const twice = core([hv51, { ...hv51, id: 'hv51b' }, toyBackend], emptyEvidence()).d;
    expect(twice.conflicts).toEqual([]);
    expect([twice.type?.marking?.maskBit, twice.hypervisor, twice.paravisor]).toEqual([51, 'hv51', null]);
  });
});

describe('a composing hypervisor plugin', () => {
  it('its claim stands for the backend, which is not asked again, with its paravisor', () => {
    const { d } = core([toyHypervisor, toyBackend], mergeEvidence(toyhvLeaf, toyEvidence));
    expect(d.conflicts).toEqual([]);
    expect([d.type?.marking?.maskBit, d.hypervisor, d.paravisor]).toEqual([40, 'toyhv', true]);
    expect(d.trail.filter((s) => s.by === 'toy')).toEqual([]);
  });

  it('a backend it asked is heard once, and not asked again', () => {
    let asked = 0;
    const counting = {
      ...toyBackend,
      detect: () => {
        asked += 1;
        return cannotTell('no MSR was read', 'read it');
      },
    };
    const hv = {
      ...toyHypervisor,
      detect: (
        _e: Evidence,
        c: { ask(id: string, p: string): unknown; detectWith(id: string, p: string): unknown },
      ) => {
        c.ask('toy', 'toy-backend');
        expect(c.detectWith('toy', 'toy-backend')).toBeNull();
        return null;
      },
    };
    const { d } = core([hv, counting], emptyEvidence());
    expect(asked).toBe(1);
    expect(d.trail.filter((s) => s.says.startsWith('toy cannot tell'))).toHaveLength(1);
    expect(d.undetermined).toEqual([{ by: 'toy', because: 'no MSR was read', fix: 'read it' }]);
  });

  it('needing a backend that is not registered ends detection, naming the package', () => {
    const hv = {
      ...toyHypervisor,
      detect: (_e: Evidence, c: { backend(id: string, p: string): unknown }) =>
        c.backend('nope', '@acme/nope'),
    };
    try {
      createRegistry()
        .use(hv as HypervisorPlugin)
        .detect(emptyEvidence());
      expect.unreachable();
    } catch (error) {
      expect(isCocoError(error) && [error.code, error.problem, error.input, error.fix]).toEqual([
        'BACKEND_MISSING',
        'this guest needs the nope backend, which is not registered',
        'plugin toyhv',
        'install @acme/nope and register its plugin export with use() before detecting',
      ]);
    }
  });
});

describe('answers and context', () => {
  const skipped = (why: string) => [
    `plugin toy (toy-backend) failed during detection and was skipped: ${why}`,
  ];

  it('refuses what is neither a claim nor a verdict', () => {
    const neither = 'it returned neither a claim nor absent()/cannotTell()';
    expect(core([answering({ verdict: 'unknown', because: 'b' })], msrRead()).d.warnings).toEqual(
      skipped(neither),
    );
    expect(core([answering({ verdict: 'absent', because: 5 })], msrRead()).d.warnings).toEqual(
      skipped(neither),
    );
    expect(core([answering({ verdict: 'unknown', because: 'b', fix: 5 })], msrRead()).d.warnings).toEqual(
      skipped(neither),
    );
    expect(core([answering({ verdict: 'unknown', because: 5, fix: 'f' })], msrRead()).d.warnings).toEqual(
      skipped(neither),
    );
    expect(core([answering({ verdict: 'maybe', because: 'b', fix: 'f' })], msrRead()).d.warnings).toEqual(
      skipped(neither),
    );
    expect(core([answering(undefined)], msrRead()).d.warnings).toEqual([]);
  });

  it('contains a coco error a plugin throws, other than a missing backend', () => {
    const throwing = {
      ...toyBackend,
      // Bit 64 is outside a 64-bit entry: createType throws MASK_INVALID inside detect.
      detect: () => ({ type: toyType({ maskBit: 64 }) }),
    };
    const d = createRegistry().use(throwing).detect(msrRead());
    expect(d.warnings).toHaveLength(1);
    expect(d.warnings[0]).toMatch(
      /^plugin toy \(toy-backend\) failed during detection and was skipped: type\.maskBit: /,
    );
  });

  it('says in a step of its own that a tentative claim yields', () => {
    const tentative = answering({ type: toyType({ maskBit: 51 }), tentative: true });
    const d = createRegistry().use(tentative).use(otherBackend).detect(leaf77);
    expect(d.trail).toContainEqual({
      source: 'core',
      says: 'the tentative toy claim of toy yields to a definite claim',
      by: 'core',
    });
  });

  it('takes tentative only when it is true', () => {
    const claim = (tentative: unknown) =>
      core([answering({ type: toyType({ maskBit: 51 }), tentative }), otherBackend], leaf77).d;
    expect(claim('yes').conflicts).toHaveLength(1);
    expect(claim(true).type?.id).toBe('other');
  });

  it('keeps the fact a step names only when it is a string, and prints what a plugin passes', () => {
    const steps = {
      ...toyBackend,
      detect: (
        _e: Evidence,
        c: {
          step(s: unknown, says: unknown, fact?: unknown): void;
          conflict(w: unknown, sides: { says: unknown; source: unknown }[]): void;
        },
      ) => {
        c.step('msr', 'named', 'msr 0x1234');
        c.step(5, 6, 7);
        c.conflict(8, [{ says: 9, source: 10 }]);
        return null;
      },
    } as unknown as BackendPlugin;
    const d = createRegistry().use(steps).detect(msrRead());
    expect(d.trail.slice(0, 2)).toEqual([
      { source: 'msr', says: 'named', by: 'toy', fact: 'msr 0x1234' },
      { source: '5', says: '6', by: 'toy' },
    ]);
    expect(d.conflicts).toEqual([{ what: '8 (seen by toy)', sides: [{ says: '9', source: '10' }] }]);
  });

  it('refuses evidence that is not Evidence', () => {
    for (const bad of [
      null,
      {},
      { cpuid: () => undefined, conflicts: [] },
      { cpuid: () => undefined, unavailable: [] },
    ]) {
      try {
        createRegistry().detect(bad as never);
        expect.unreachable();
      } catch (error) {
        expect(isCocoError(error) && [error.code, error.problem, error.input, error.fix]).toEqual([
          'EVIDENCE_INVALID',
          'detection needs an Evidence object',
          'evidence',
          'build evidence with a parser, EvidenceBuilder or mergeEvidence from @coco/core',
        ]);
      }
    }
  });
});

describe('systemd procedures and machine readers', () => {
  it('skips a procedure that throws, naming it, and one that does not apply', () => {
    const hostile = {
      id: 'hostile',
      read: () => {
        throw new Error('boom');
      },
    };
    const none = { id: 'none', read: () => null };
    const d = createRegistry()
      .use({ ...toyBackend, cvm: hostile })
      .use({ ...toyBackend, id: 'toy2', cvm: none })
      .detect(toyEvidence);
    expect(d.warnings.filter((w) => w.startsWith('systemd'))).toEqual([
      'systemd procedure hostile failed and was skipped: boom',
    ]);
    expect(d.cvm).toBe('toy');
  });

  it('takes the first procedure that gives a label, after one that lacks an input', () => {
    const lacking = { id: 'a', read: () => ({ label: null, steps: ['a looked'], missing: 'leaf 0x21' }) };
    const giving = { id: 'b', read: () => ({ label: 'tdx', steps: ['b looked'] }) };
    const d = createRegistry()
      .use({ ...toyBackend, cvm: lacking })
      .use({ ...toyBackend, id: 'toy2', cvm: giving })
      .detect(toyEvidence);
    expect(d.trail.filter((s) => s.source === 'systemd')).toEqual([
      { source: 'systemd', says: 'a looked', by: 'a' },
      { source: 'systemd', says: 'b looked', by: 'b' },
      { source: 'systemd', says: 'systemd-detect-virt --cvm prints tdx', by: 'b' },
    ]);
    expect(d.cvm).toBe('tdx');
  });

  it('ignores procedures and readers without an id or a read function', () => {
    const d = createRegistry()
      .use({ ...toyBackend, cvm: { id: 5, read: () => ({ label: 'x', steps: [] }) } as never })
      .use({ ...toyBackend, id: 'toy2', cvm: { id: 'p', read: 'no' } as never })
      .use({ ...toyBackend, id: 'toy3', machine: { id: 5, read: () => ({ hypervisor: 'kvm' }) } as never })
      .use({ ...toyBackend, id: 'toy4', machine: { id: 'm', read: 'no' } as never })
      .detect(toyEvidence);
    expect([d.cvm, d.hypervisor]).toEqual(['toy', null]);
    expect(d.warnings.filter((w) => w.startsWith('systemd') || w.startsWith('machine'))).toEqual([]);
  });

  it('machine readers: the first hypervisor name, attestation strings once, a failing reader named', () => {
    const reader = (id: string, facts: unknown): MachineReader => ({ id, read: () => facts as never });
    const failing: MachineReader = {
      id: 'bad',
      read: () => {
        throw new Error('nope');
      },
    };
    const d = createRegistry()
      .use({ ...toyBackend, machine: reader('empty', null) })
      .use({ ...toyBackend, id: 't2', machine: failing })
      .use({
        ...toyBackend,
        id: 't3',
        machine: reader('r3', { hypervisor: 5, attestation: ['/dev/tdx_guest', 7] }),
      })
      .use({ ...toyBackend, id: 't4', machine: reader('r4', { hypervisor: 'kvm', attestation: '/dev/x' }) })
      .use({
        ...toyBackend,
        id: 't5',
        machine: reader('r5', { hypervisor: 'xen', attestation: ['/dev/tdx_guest'] }),
      })
      .detect(msrRead());
    expect(d.hypervisor).toBe('kvm');
    expect(d.attestation).toEqual(['/dev/tdx_guest']);
    expect(d.warnings).toEqual(['machine reader bad failed and was skipped: nope']);
  });
});
