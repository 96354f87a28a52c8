import {
  ATTRIBUTES,
  applyQuirks,
  CocoError,
  CocoRangeError,
  createAttributeSet,
  createType,
  deriveType,
  flushRule,
  isCocoError,
  mergeEvidence,
  NO_QUIRKS,
  privateMmioAt,
  type TypeSpec,
} from '@coco/core';
import { describe, expect, it } from 'vitest';
import { ToyEvidenceBuilder, toyReg } from './fixtures.js';

describe('attributes', () => {
  it('has the nine CC_ATTR_* of newest mainline with kernel names (facts §2)', () => {
    expect(ATTRIBUTES.map((a) => [a.id, a.kernelName])).toEqual([
      ['mem-encrypt', 'CC_ATTR_MEM_ENCRYPT'],
      ['host-mem-encrypt', 'CC_ATTR_HOST_MEM_ENCRYPT'],
      ['guest-mem-encrypt', 'CC_ATTR_GUEST_MEM_ENCRYPT'],
      ['guest-state-encrypt', 'CC_ATTR_GUEST_STATE_ENCRYPT'],
      ['guest-unroll-string-io', 'CC_ATTR_GUEST_UNROLL_STRING_IO'],
      ['guest-sev-snp', 'CC_ATTR_GUEST_SEV_SNP'],
      ['guest-snp-secure-tsc', 'CC_ATTR_GUEST_SNP_SECURE_TSC'],
      ['host-sev-snp', 'CC_ATTR_HOST_SEV_SNP'],
      ['snp-secure-avic', 'CC_ATTR_SNP_SECURE_AVIC'],
    ]);
    for (const a of ATTRIBUTES) expect(a.description.length).toBeGreaterThan(10);
  });

  it('builds sets with O(1) has, sorted ids, namespaced third-party ids, and refuses others', () => {
    const set = createAttributeSet(['mem-encrypt', 'acme:secure-io', 'guest-mem-encrypt', 'mem-encrypt']);
    expect(set.ids).toEqual(['acme:secure-io', 'guest-mem-encrypt', 'mem-encrypt']);
    expect(set.size).toBe(3);
    expect(set.has('acme:secure-io')).toBe(true);
    expect(set.has('host-mem-encrypt')).toBe(false);
    expect(set.has('__proto__')).toBe(false);
    expect([...set]).toEqual(set.ids);
    for (const bad of ['MEM_ENCRYPT', '__proto__', 'acme:', ':x', 'a:b:c', '']) {
      expect(() => createAttributeSet([bad]), bad).toThrow(CocoError);
    }
  });
});

describe('errors', () => {
  it('carry a code, the input, the location and the fix in one line', () => {
    const error = new CocoError('SNAPSHOT_INVALID', 'unknown key "x"', {
      input: 'a.json',
      location: '$.x',
      fix: 'remove it',
    });
    expect(error.message).toBe('a.json ($.x): unknown key "x". Fix: remove it');
    expect(isCocoError(error)).toBe(true);
    const range = new CocoRangeError('too wide', { input: 'v', fix: 'narrow it' });
    expect(range).toBeInstanceOf(RangeError);
    expect(isCocoError(range)).toBe(true);
    expect(isCocoError(new Error('x'))).toBe(false);
    expect(isCocoError({ code: 'SNAPSHOT_INVALID' })).toBe(false);
    expect(isCocoError(null)).toBe(false);
  });
});

const SPEC: TypeSpec = {
  id: 'toy',
  title: 'Toy CVM',
  attributes: ['mem-encrypt'],
  encryptedWhen: 'clear',
  maskBit: 47,
  maskName: 'shared bit',
  cvm: 'toy',
};

describe('types', () => {
  it('describe() names the title, the bit and the polarity', () => {
    expect(createType(SPEC).describe()).toBe('Toy CVM, shared bit 47, encrypted when clear');
    expect(createType({ ...SPEC, maskBit: null, maskUnknownReason: 'no GPAW' }).describe()).toBe(
      'Toy CVM, shared bit unknown (no GPAW), encrypted when clear',
    );
  });

  it('refuses invalid fields with typed errors', () => {
    const bad: Partial<Record<keyof TypeSpec, unknown>>[] = [
      { id: 'Bad' },
      { id: '__proto__' },
      { variant: 'SEV SNP' },
      { title: '' },
      { cvm: '' },
      { maskBit: 64 },
      { maskBit: 'nothing' },
      { maskName: '' },
      { encryptedWhen: 'sometimes' },
      { maskBit: -1 },
      { maskBit: null },
      { attributes: ['nope'] },
    ];
    for (const change of bad) {
      let error: unknown;
      try {
        createType({ ...SPEC, ...change } as TypeSpec);
      } catch (e) {
        error = e;
      }
      expect(isCocoError(error), JSON.stringify(change)).toBe(true);
    }
  });

  it('deriveType changes the mask and layers quirks without touching the original', () => {
    const base = createType(SPEC);
    const derived = deriveType(base, {
      maskBit: 46,
      cvm: 'other',
      quirks: {
        privateMmio: [
          { name: 'IO-APIC', start: 0xfec00000n, size: 0x1000n, reason: 'emulated by the paravisor' },
        ],
        notes: ['layered'],
      },
    });
    expect(derived.marking?.maskBit).toBe(46);
    expect(derived.cvm).toBe('other');
    expect(derived.attributes.ids).toEqual(base.attributes.ids);
    expect(privateMmioAt(derived.quirks, 0xfec00ff8n)?.name).toBe('IO-APIC');
    expect(privateMmioAt(derived.quirks, 0xfec01000n)).toBeUndefined();
    expect(base.marking?.maskBit).toBe(47);
    expect(base.quirks.privateMmio).toEqual([]);
    expect(Object.isFrozen(derived.quirks.privateMmio)).toBe(true);
    const unknown = deriveType(base, { maskBit: null, maskUnknownReason: 'boundary inactive' });
    expect(unknown.marking).toBeNull();
    expect(unknown.maskUnknownReason).toBe('boundary inactive');
  });

  it('applyQuirks replaces rules and appends notes', () => {
    const q = applyQuirks(NO_QUIRKS, { flush: { toShared: { cache: true, tlb: true } }, notes: ['a'] });
    expect(flushRule(q, 'to-shared')).toEqual({ cache: true, tlb: true });
    expect(flushRule(q, 'to-private')).toEqual({ cache: false, tlb: false });
    expect(applyQuirks(q, { notes: ['b'] }).notes).toEqual(['a', 'b']);
  });
});

describe('evidence merging', () => {
  it('merges sources, keeps agreeing facts once and names both sources of a disagreement', () => {
    const a = new ToyEvidenceBuilder()
      .addReg(0xc0010131, 0x7n, 'snapshot a.json')
      .addLeaf(0x21, 52, 0, 'snapshot a.json')
      .setFile('/dev/sev-guest', true, 'snapshot a.json')
      .addFlags(['sev'], 'cpuinfo c')
      .build();
    const b = new ToyEvidenceBuilder()
      .addReg(0xc0010131, 0x7n, '--msr')
      .addLeaf(0x21, 48, 0, '--leaf')
      .setFile('/dev/sev-guest', false, 'probe')
      .addFlags(['sev', 'sev_es'], 'cpuinfo d')
      .build();
    const merged = mergeEvidence(a, b);
    expect(toyReg(merged, 0xc0010131)).toEqual({ value: 0x7n, source: 'snapshot a.json' });
    expect([...merged.cpuinfoFlags]).toEqual([
      ['sev', 'cpuinfo c'],
      ['sev_es', 'cpuinfo d'],
    ]);
    expect(merged.conflicts.map((c) => [c.fact, c.values.map((v) => `${v.value}@${v.source}`)])).toEqual([
      // The kind names the part that differs (toy.leaf's `differences`), in hex.
      ['toy.leaf 0x21 a', ['0x34@snapshot a.json', '0x30@--leaf']],
      ['file /dev/sev-guest', ['true@snapshot a.json', 'false@probe']],
    ]);
  });

  it('refuses a fact its kind cannot hold, naming the fact and the source', () => {
    const builder = new ToyEvidenceBuilder();
    const error = (() => {
      try {
        builder.addReg(0xc0010131, 1n << 64n, 'probe x');
      } catch (e) {
        return e as { code: string; message: string };
      }
      return undefined;
    })();
    expect(error?.code).toBe('EVIDENCE_INVALID');
    expect(error?.message).toContain('reg 0xc0010131');
    expect(error?.message).toContain('probe x');
    expect(() => builder.addStoredFact('not a kind', 'k', 1, 'x')).toThrow(/fact kind/);
    expect(() => builder.addStoredFact('toy.reg', 'has space', '0x1', 'x')).toThrow(/fact key/);
  });
});
