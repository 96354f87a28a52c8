// A plugin cannot change another plugin's answer: evidence is immutable in fact, prototype
// pollution reaches no result, and claims are checked in full before they count.
import {
  createRegistry,
  type Detection,
  type DetectionJson,
  EvidenceBuilder,
  parseSnapshot,
} from '@coco/core';
import { gpawOf } from '@coco/tdx';
import { MSR_FACT, msrsOf, X86EvidenceBuilder } from '@coco/x86';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILTIN_PLUGINS, EXAMPLES } from '../src/index.js';

const registry = (...extra: unknown[]) => {
  const r = createRegistry();
  // The built-in plugins first, as the CLI registers them: they carry the interface-1 adapter.
  for (const p of [...BUILTIN_PLUGINS, ...extra]) r.use(p as never);
  return r;
};
const detectAll = (...extra: unknown[]): DetectionJson[] =>
  EXAMPLES.map((e) =>
    registry(...extra)
      .detect(parseSnapshot(e.snapshot, { source: e.name }))
      .toJSON(),
  );

const POLLUTION: Record<string, unknown> = {
  guest: false,
  msr: { '0xc0010131': '0x7' },
  tdx: { gpaw: 52 },
  type: { id: 'tdx' },
  tentative: true,
  maskBit: 12,
  variant: 'sme',
  attributes: [{ id: 'evil:x', kernelName: 'X', description: 'x' }],
  unavailable: [{ source: 'x', reason: 'y', fix: 'z' }],
  machine: { id: 'evil', read: () => ({ hypervisor: 'evil', attestation: ['evil'] }) },
  cvm: { id: 'evil', read: () => ({ label: 'tdx', steps: [] }) },
  verdict: 'absent',
  because: 'polluted',
  paravisor: true,
  tee: 'evil',
  unrollStringIo: true,
  source: 'polluted',
};

afterEach(() => {
  for (const key of Object.keys(POLLUTION)) delete (Object.prototype as Record<string, unknown>)[key];
});

describe('prototype pollution changes no result', () => {
  it('leaves every bundled example with the same coco-detection/1 document', () => {
    const before = detectAll();
    for (const [key, value] of Object.entries(POLLUTION)) {
      Object.defineProperty(Object.prototype, key, {
        value,
        configurable: true,
        writable: true,
        enumerable: false,
      });
    }
    const after = detectAll();
    expect(after).toEqual(before);
    // A snapshot without those keys does not gain them from the prototype either.
    const bare = parseSnapshot('{"format":"coco-snapshot/1"}');
    expect([msrsOf(bare).size, bare.unavailable.length, gpawOf(bare)]).toEqual([0, 0, undefined]);
    expect([bare.storedFacts.size, bare.files.size, bare.legacy.size]).toEqual([0, 0, 0]);
  });

  it('is harmless from inside a plugin, during detection', () => {
    const before = detectAll();
    const polluter = {
      kind: 'hypervisor',
      interfaceVersion: 1,
      id: 'polluter',
      packageName: 'polluter',
      detect() {
        Object.defineProperty(Object.prototype, 'guest', {
          value: false,
          configurable: true,
          writable: true,
        });
        Object.defineProperty(Object.prototype, 'msr', {
          value: { '0xc0010131': '0x7' },
          configurable: true,
          writable: true,
        });
        return null;
      },
    };
    const after = detectAll(polluter);
    // The polluter is an interface-1 plugin: its deprecation notice is the one warning it may add.
    const strip = (docs: DetectionJson[]) =>
      docs.map((d) => ({
        ...d,
        evidence: 0,
        warnings: d.warnings.filter(
          (w) => !w.startsWith('plugin "polluter" (polluter) implements plugin interface 1'),
        ),
      }));
    expect(strip(after)).toEqual(strip(before));
  });
});

describe('evidence is immutable in fact', () => {
  it("refuses an interface-2 plugin's writes to the evidence, and amd-cbit still concludes from the real status", () => {
    const tried: unknown[] = [];
    const tamperer = {
      kind: 'hypervisor',
      interfaceVersion: 2,
      id: 'tamperer',
      packageName: 'tamperer',
      detect(evidence: { storedFacts: unknown; kinds: unknown; files: unknown; cpuinfoFlags: unknown }) {
        const msrs = (evidence.storedFacts as ReadonlyMap<string, unknown>).get(MSR_FACT.id);
        for (const view of [evidence.storedFacts, msrs, evidence.files, evidence.cpuinfoFlags]) {
          try {
            (view as Map<unknown, unknown>).set('0xc0010131', { value: 0x103dfn, source: 'evil' });
          } catch (error) {
            tried.push(error);
          }
          expect(Object.isFrozen(view)).toBe(true);
        }
        try {
          (evidence.kinds as Set<string>).add('x86.msr');
        } catch (error) {
          tried.push(error);
        }
        return null;
      },
    };
    const snp = EXAMPLES.find((e) => e.name === 'snp-cbit-51')!;
    const d: Detection = registry(tamperer).detect(parseSnapshot(snp.snapshot));
    expect(tried).toHaveLength(5);
    for (const error of tried) expect(error).toBeInstanceOf(TypeError);
    expect(d.type?.id).toBe('amd-cbit');
    expect(d.type?.variant).toBe('sev-snp');
  });

  it("an interface-1 plugin's evidence.msrs.set changes no other plugin's answer", () => {
    const tamperer = {
      kind: 'hypervisor',
      interfaceVersion: 1,
      id: 'tamperer',
      packageName: 'tamperer',
      detect(evidence: { msrs: unknown; files: unknown; cpuinfoFlags: unknown }) {
        for (const view of [evidence.msrs, evidence.files, evidence.cpuinfoFlags]) {
          try {
            (view as Map<unknown, unknown>).set(0xc001_0131, { value: 0x7n, source: 'evil' });
          } catch {
            // refused: fine
          }
        }
        return null;
      },
    };
    const snp = EXAMPLES.find((e) => e.name === 'snp-cbit-51')!;
    const d: Detection = registry(tamperer).detect(parseSnapshot(snp.snapshot));
    expect(d.type?.id).toBe('amd-cbit');
    expect(d.type?.variant).toBe('sev-snp');
    expect(d.warnings.some((w) => w.includes('interface 1'))).toBe(true);
  });

  it('gives read-only views that still read like maps and sets', () => {
    const e = new X86EvidenceBuilder().addMsr(1, 2n, 's').addFlags(['sev'], 'c').build();
    expect([...msrsOf(e).keys()]).toEqual([1]);
    expect(msrsOf(e).get(1)?.value).toBe(2n);
    expect([...e.cpuinfoFlags]).toEqual([['sev', 'c']]);
    expect(e.kinds.has(MSR_FACT.id)).toBe(true);
    const stored = e.storedFacts;
    expect('set' in stored || 'add' in e.kinds || 'delete' in e.files || 'set' in e.cpuinfoFlags).toBe(false);
    expect(new EvidenceBuilder().build().storedFacts.size).toBe(0);
  });
});

describe('claims are validated in full before they count', () => {
  const snp = () => parseSnapshot(EXAMPLES.find((e) => e.name === 'snp-cbit-51')!.snapshot);
  const liar = (type: unknown) => ({
    kind: 'hypervisor',
    interfaceVersion: 1,
    id: 'liar',
    packageName: 'liar-pkg',
    detect: () => ({ type, paravisor: false }),
  });

  it.each([
    [
      'a hand-made object',
      { id: 'tdx', guest: true, attributes: { has: () => true }, cvm: 'tdx', encryptedWhen: 'clear' },
      'not a type built by createType',
    ],
    [
      'a type whose getters throw',
      new Proxy(
        {},
        {
          get() {
            throw new Error('trap');
          },
        },
      ),
      'not a type built by createType',
    ],
    [
      'attributes that are not iterable',
      Object.freeze({ id: 'tdx', attributes: 42 }),
      'not a type built by createType',
    ],
  ])('skips %s with a warning naming the plugin, never an internal error', (_name, type, says) => {
    const d = registry(liar(type)).detect(snp());
    expect(d.warnings.some((w) => w.includes('plugin liar (liar-pkg)') && w.includes(says))).toBe(true);
    expect(d.type?.id).toBe('amd-cbit');
  });

  it("refuses a backend's type claimed by a hypervisor plugin with a variant the backend does not declare", () => {
    const tdx = BUILTIN_PLUGINS.find((p) => p.id === 'tdx')!;
    const wrongVariant = { ...(tdx as object), id: 'tdx-copy' };
    // A type built by a backend is fine; one with an undeclared variant or unregistered attribute is not.
    const real = (tdx as { createType(p: object): unknown }).createType({ gpaw: 52 });
    expect(registry(liar(real)).detect(snp()).conflicts.length).toBeGreaterThan(0);
    expect(wrongVariant.id).toBe('tdx-copy');
  });
});

describe('a hypervisor plugin that asks every backend cannot silence them', () => {
  const BACKENDS = ['tdx', 'amd-cbit', 'amd-vtom', 'arm-cca', 's390-pv', 'ppc-pef'];
  const asker = (finish: 'null' | 'throw') => ({
    kind: 'hypervisor',
    interfaceVersion: 2,
    id: 'acme:swallow',
    packageName: 'swallow',
    detect(
      _evidence: unknown,
      context: { hasBackend(id: string): boolean; ask(id: string, p: string): unknown },
    ) {
      for (const id of BACKENDS) if (context.hasBackend(id)) context.ask(id, id);
      if (finish === 'throw') throw new Error('asked, then failed');
      return null;
    },
  });
  const answers = (d: DetectionJson) => [
    d.confidential,
    d.type,
    d.variant,
    d.mask,
    d.cvm,
    d.hypervisor,
    d.conflicts,
  ];

  it('gives every bundled example the answer it has without the plugin', () => {
    const before = detectAll();
    expect(before.filter((d) => d.confidential === true).length).toBeGreaterThan(4);
    for (const finish of ['null', 'throw'] as const) {
      const after = detectAll(asker(finish));
      after.forEach((d, i) => {
        expect(answers(d), `${EXAMPLES[i]?.name} (${finish})`).toEqual(answers(before[i] as DetectionJson));
      });
    }
  });
});
