// Tests written from Stryker's mutants (docs/mutation.md): the errors of the attribute vocabulary
// (the kernel's enum cc_attr, facts §2), of markings and classifiers, of types and derived types,
// each with its input and fix; run lists read by index; values that cannot be printed.
import {
  assertAttributeId,
  assertU64,
  classifyEntries,
  createAttributeSet,
  createClassifier,
  createDetection,
  createMarking,
  createType,
  deriveType,
  describeValue,
  type Marking,
  maskBitOf,
} from '@coco/core';
import { describe, expect, it } from 'vitest';
import { refusal, toyType } from './fixtures.js';

const KERNEL =
  'mem-encrypt, host-mem-encrypt, guest-mem-encrypt, guest-state-encrypt, guest-unroll-string-io, guest-sev-snp, guest-snp-secure-tsc, host-sev-snp, snp-secure-avic';

describe('attribute ids', () => {
  it("name the kernel's attributes in the fix", () => {
    expect(refusal(() => assertAttributeId('mem_encrypt'))).toEqual({
      code: 'ATTRIBUTE_INVALID',
      problem: '"mem_encrypt" is not an attribute id',
      input: 'attribute',
      fix: `use one of ${KERNEL}, or a namespaced id such as "acme:secure-io"`,
    });
    expect(refusal(() => createAttributeSet(['mem-encrypt', 'x'])).input).toBe('attributes');
  });

  it('are strings: a number or an array that prints as an id is refused, by its type', () => {
    expect(refusal(() => assertAttributeId(5)).problem).toBe('number is not an attribute id');
    expect(refusal(() => assertAttributeId(['acme:x'])).problem).toBe('object is not an attribute id');
    expect(refusal(() => assertAttributeId(['mem-encrypt'])).problem).toBe('object is not an attribute id');
  });
});

describe('run lists', () => {
  // Bit 51, C-bit style: set is encrypted. Entries: E E D E D D D.
  const m = createMarking({ maskBit: 51, encryptedWhen: 'set' });
  const E = 1n << 51n;
  const table = BigUint64Array.from([E, E | 0x1000n, 0n, E, 0x2000n, 0n, 0n]);
  const c = classifyEntries(m, table);

  it('read by index: starts, lengths and states', () => {
    expect([0, 1, 2, 3].map((i) => [c.runs.startOf(i), c.runs.lengthOf(i), c.runs.at(i)?.encrypted])).toEqual(
      [
        [0, 2, true],
        [2, 1, false],
        [3, 1, true],
        [4, 3, false],
      ],
    );
    expect([0, 1].map((i) => [c.encryptedRuns.startOf(i), c.encryptedRuns.lengthOf(i)])).toEqual([
      [0, 2],
      [3, 1],
    ]);
    expect([0, 1].map((i) => [c.decryptedRuns.startOf(i), c.decryptedRuns.lengthOf(i)])).toEqual([
      [2, 1],
      [4, 3],
    ]);
  });

  it('end a run exactly at the first entry in the other state, wherever it falls in an 8-entry step', () => {
    for (const maskBit of [12, 51]) {
      for (const when of ['set', 'clear'] as const) {
        const mk = createMarking({ maskBit, encryptedWhen: when });
        for (const background of [0n, 1n << BigInt(maskBit)]) {
          for (let k = 0; k < 40; k++) {
            const entries = new BigUint64Array(40).fill(background);
            entries[k] = background ^ (1n << BigInt(maskBit));
            const runs = classifyEntries(mk, entries)
              .runs.toArray()
              .map((r) => [r.start, r.length]);
            const want = [k > 0 ? [0, k] : null, [k, 1], k < 39 ? [k + 1, 39 - k] : null].filter(
              (r) => r !== null,
            );
            expect(runs, `bit ${maskBit} ${when} background ${background} entry ${k}`).toEqual(want);
          }
        }
      }
    }
  });

  it('outside the list: undefined from at(), a range error naming the last index from the others', () => {
    for (const i of [-1, 4, 1.5, Number.NaN]) expect(c.runs.at(i)).toBeUndefined();
    for (const i of [-1, 4, 1.5]) {
      for (const read of [() => c.runs.startOf(i), () => c.runs.lengthOf(i)]) {
        const r = refusal(read);
        expect(r.code).toBe('VALUE_OUT_OF_RANGE');
        expect(r.problem).toBe(`run ${i} is outside the list of 4 runs`);
        expect(r.input).toBe('index');
        expect(r.fix).toBe('use an integer from 0 to 3');
      }
    }
    const empty = classifyEntries(m, new BigUint64Array(0));
    expect(refusal(() => empty.runs.startOf(0)).fix).toBe('the list is empty: check count first');
  });

  it('refuse what is not a marking, and an onRun that is not a function', () => {
    const fix = 'pass a Marking from createMarking() or a type’s `marking`';
    for (const [bad, shown] of [
      [null, 'null'],
      [{ maskBit: '51', encryptedWhen: 'set' }, 'an object'],
      [{ maskBit: 51.5, encryptedWhen: 'set' }, 'an object'],
      // Core's bits are 0..63 under interface 2 (the x86 range 12..51 is @coco/x86's check).
      [{ maskBit: -1, encryptedWhen: 'set' }, 'an object'],
      [{ maskBit: 64, encryptedWhen: 'set' }, 'an object'],
      [{ maskBit: 51, encryptedWhen: 'both' }, 'an object'],
    ] as const) {
      expect(refusal(() => createClassifier(bad as unknown as Marking))).toEqual({
        code: 'PARAMETER_INVALID',
        problem: `${shown} is not a marking`,
        input: 'marking',
        fix,
      });
    }
    expect(refusal(() => createClassifier(m, { onRun: 5 as never }))).toEqual({
      code: 'PARAMETER_INVALID',
      problem: 'onRun 5 is not a function',
      input: 'options.onRun',
      fix: 'pass a function (start, length, encrypted) => void, or leave onRun out',
    });
  });

  it('refuse a chunk that is not a table, and any use after finish()', () => {
    expect(refusal(() => createClassifier(m).push(undefined as never)).code).toBe('PARAMETER_INVALID');
    expect(refusal(() => classifyEntries(m, undefined as never)).code).toBe('PARAMETER_INVALID');
    const done = createClassifier(m);
    done.finish();
    const finished = {
      code: 'PARAMETER_INVALID',
      problem: 'the classifier has finished (or stopped when onRun threw)',
      input: 'classifier',
      fix: 'create a new classifier with createClassifier() for another table',
    };
    expect(refusal(() => done.push(table))).toEqual(finished);
    expect(refusal(() => done.finish())).toEqual(finished);
  });

  it('take null options as none', () => {
    const r = createClassifier(m, null as never)
      .push(table)
      .finish();
    expect([r.encrypted, r.decrypted, r.runs.count]).toEqual([3, 4, 4]);
  });
});

describe('markings and types', () => {
  it('bulk forms name a table that is not one, or a range that does not fit it', () => {
    const m = createMarking({ maskBit: 51, encryptedWhen: 'set' });
    expect(refusal(() => m.encryptAll([1n] as never))).toEqual({
      code: 'PARAMETER_INVALID',
      problem: 'an array is not a BigUint64Array',
      input: 'entries',
      fix: 'pass a BigUint64Array (wrap an ArrayBuffer with new BigUint64Array(buffer))',
    });
    const four = new BigUint64Array(4);
    for (const [start, end] of [
      [-1, 2],
      [0, 5],
      [3, 2],
      [0.5, 2],
      [0, 2.5],
    ]) {
      expect(refusal(() => m.count(four, start, end))).toEqual({
        code: 'VALUE_OUT_OF_RANGE',
        problem: `range ${start}..${end} does not fit 4 entries`,
        input: 'start/end',
        fix: 'use integers with 0 <= start <= end <= 4',
      });
    }
    expect(m.count(four, 4, 4)).toEqual({ encrypted: 0, decrypted: 0 });
  });

  it('scalar forms name the value they refuse', () => {
    const m = createMarking({ maskBit: 51, encryptedWhen: 'set' });
    for (const run of [() => m.encrypt(-1n), () => m.decrypt(1n << 64n), () => m.isEncrypted(5 as never)]) {
      const r = refusal(run);
      expect([r.code, r.input]).toEqual(['VALUE_OUT_OF_RANGE', 'value']);
      expect(r.problem).toMatch(/ is not a 64-bit unsigned value$/);
      expect(r.fix).toBe(
        'pass a bigint from 0n to 0xffffffffffffffffn (mask a wider value with BigInt.asUintN(64, v) first)',
      );
    }
  });

  it('64-bit values: 0 to 2^64 - 1, as bigints', () => {
    expect(() => assertU64(0n)).not.toThrow();
    expect(() => assertU64((1n << 64n) - 1n)).not.toThrow();
    for (const bad of [-1n, 1n << 64n, 5 as never]) {
      const r = refusal(() => assertU64(bad));
      expect([r.code, r.input]).toEqual(['VALUE_OUT_OF_RANGE', 'value']);
    }
    expect(refusal(() => assertU64(-1n, 'pte')).input).toBe('pte');
  });

  it('masks and mask bits name what they refuse', () => {
    // Interface 2: core takes any bit of a 64-bit entry (0..63); @coco/x86 narrows it to 12..51.
    expect(refusal(() => maskBitOf(0x3000n))).toEqual({
      code: 'MASK_INVALID',
      problem: 'mask 0x3000 is not exactly one bit inside bits 0..63',
      input: 'mask',
      fix: 'pass a power of two from 0x1n (bit 0) to 0x8000000000000000n (bit 63)',
    });
    expect(maskBitOf(1n)).toBe(0);
    expect(maskBitOf(1n << 63n)).toBe(63);
    expect(refusal(() => maskBitOf(1n << 64n)).code).toBe('MASK_INVALID');
    expect(refusal(() => createMarking({ maskBit: 64, encryptedWhen: 'set' }))).toEqual({
      code: 'MASK_INVALID',
      problem: 'mask bit 64 is outside the physical-address field',
      input: 'marking.maskBit',
      fix: 'use a bit from 0 to 63',
    });
    expect(refusal(() => createMarking({ maskBit: -1, encryptedWhen: 'set' })).code).toBe('MASK_INVALID');
    expect(createMarking({ maskBit: 0, encryptedWhen: 'set' }).maskBit).toBe(0);
    expect(createMarking({ maskBit: 63, encryptedWhen: 'set' }).maskBit).toBe(63);
  });

  it('a polarity is "set" or "clear"', () => {
    expect(refusal(() => createMarking({ maskBit: 51, encryptedWhen: 'both' as never }))).toEqual({
      code: 'PARAMETER_INVALID',
      problem: 'encryptedWhen "both" is not a polarity',
      input: 'marking.encryptedWhen',
      fix: 'use "set" (the bit set marks a private page) or "clear" (the bit set marks a shared page)',
    });
  });

  it('a type keeps copies of its details, name and value only', () => {
    const details = [{ name: 'SEV status', value: '0x7', extra: 1 }];
    const t = createType({ ...spec(), details });
    expect(t.details).toEqual([{ name: 'SEV status', value: '0x7' }]);
    details[0] = { name: 'changed', value: '', extra: 0 };
    expect(t.details[0]?.name).toBe('SEV status');
  });

  it('deriveType refuses what createType did not build, and an unknown bit without a reason', () => {
    expect(refusal(() => deriveType({} as never, { cvm: 'x' }))).toEqual({
      code: 'PARAMETER_INVALID',
      problem: 'the type was not built by createType',
      input: 'type',
      fix: 'build types with createType from @coco/core',
    });
    const known = toyType({ maskBit: 51 });
    expect(refusal(() => deriveType(createType({ ...spec() }), { maskBit: null })).input).toBe(
      'type.maskUnknownReason',
    );
    expect(deriveType(known, { maskBit: null }).maskUnknownReason).toBe('the toy register was not read');
  });
});

function spec() {
  return {
    id: 'toy',
    title: 'Toy CVM',
    attributes: ['mem-encrypt'] as const,
    encryptedWhen: 'set' as const,
    maskBit: 51,
    maskName: 'toy bit',
    cvm: 'toy',
  };
}

describe('values that cannot be printed, and a detection built with defaults', () => {
  it('describeValue never throws', () => {
    const f = () => 0;
    f.toString = () => {
      throw new Error('no');
    };
    expect(describeValue(f)).toBe('an unprintable value');
  });

  it('createDetection without attestation or undetermined gives empty lists', () => {
    const d = createDetection({
      type: null,
      confidential: null,
      hypervisor: null,
      paravisor: null,
      cvm: null,
      trail: [],
      warnings: [],
      conflicts: [],
    });
    expect(d.attestation).toEqual([]);
    expect(d.undetermined).toEqual([]);
    expect(d.toJSON().attestation).toEqual([]);
  });
});
