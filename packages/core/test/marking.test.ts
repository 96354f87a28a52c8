import {
  assertU64,
  CocoRangeError,
  createMarking,
  createMarkingFromMask,
  type EncryptedWhen,
  isCocoError,
  type Marking,
  maskBitOf,
} from '@coco/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UNDER_MUTATION } from './under-mutation.js';

const U64_MAX = 0xffff_ffff_ffff_ffffn;
const BITS = Array.from({ length: 40 }, (_, i) => i + 12); // 12..51, the physical-address field
const POLARITIES: readonly EncryptedWhen[] = ['set', 'clear'];

const u64 = fc.bigInt({ min: 0n, max: U64_MAX });
const marking = fc
  .tuple(fc.integer({ min: 12, max: 51 }), fc.constantFrom<EncryptedWhen>('set', 'clear'))
  .map(([maskBit, encryptedWhen]) => createMarking({ maskBit, encryptedWhen }));

/** The reference: polarity written out by hand from the facts sheet (§ marking), bit by bit. */
function referenceEncrypted(v: bigint, bit: number, when: EncryptedWhen): boolean {
  const set = ((v >> BigInt(bit)) & 1n) === 1n;
  return when === 'set' ? set : !set;
}

function expectRangeError(f: () => unknown, code: 'VALUE_OUT_OF_RANGE' | 'MASK_INVALID'): void {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(CocoRangeError);
  expect(caught).toBeInstanceOf(RangeError);
  expect(isCocoError(caught)).toBe(true);
  expect((caught as CocoRangeError).code).toBe(code);
  expect((caught as CocoRangeError).fix.length).toBeGreaterThan(0);
}

describe('marking laws for every mask bit 12..51 and both polarities', () => {
  for (const bit of BITS) {
    for (const when of POLARITIES) {
      it(`bit ${bit}, encrypted when ${when}`, () => {
        const m = createMarking({ maskBit: bit, encryptedWhen: when });
        const mask = 1n << BigInt(bit);
        expect(m.mask).toBe(mask);
        expect(m.maskBit).toBe(bit);
        expect(m.encryptedWhen).toBe(when);
        fc.assert(
          fc.property(u64, (v) => {
            const enc = m.encrypt(v);
            const dec = m.decrypt(v);
            expect(m.decrypt(enc)).toBe(dec);
            expect(m.encrypt(dec)).toBe(enc);
            expect(m.isEncrypted(enc)).toBe(true);
            expect(m.isEncrypted(dec)).toBe(false);
            // Only the mask bit ever changes.
            expect((enc ^ v) & ~mask).toBe(0n);
            expect((dec ^ v) & ~mask).toBe(0n);
            // The polarity: set means the bit is 1 on encrypted values.
            expect(((enc >> BigInt(bit)) & 1n) === 1n).toBe(when === 'set');
            expect(m.isEncrypted(v)).toBe(referenceEncrypted(v, bit, when));
          }),
          { numRuns: 60 },
        );
      });
    }
  }
});

describe('concrete vectors', () => {
  it('C-bit 51 (SEV, encrypted when set) on 0x8000000123456063', () => {
    const m = createMarking({ maskBit: 51, encryptedWhen: 'set' });
    expect(m.encrypt(0x8000000123456063n)).toBe(0x8008000123456063n);
    expect(m.decrypt(0x8008000123456063n)).toBe(0x8000000123456063n);
    expect(m.isEncrypted(0x8008000123456063n)).toBe(true);
    expect(m.isEncrypted(0x8000000123456063n)).toBe(false);
  });

  it('TDX shared bit 51 (GPAW 52, encrypted when clear)', () => {
    const m = createMarking({ maskBit: 51, encryptedWhen: 'clear' });
    expect(m.decrypt(0x0000000123456063n)).toBe(0x0008000123456063n);
    expect(m.encrypt(0x0008000123456063n)).toBe(0x0000000123456063n);
    expect(m.isEncrypted(0x0000000123456063n)).toBe(true);
  });

  it('TDX shared bit 47 (GPAW 48) and a vTOM boundary at bit 46', () => {
    expect(createMarking({ maskBit: 47, encryptedWhen: 'clear' }).decrypt(0x1000n)).toBe(0x800000001000n);
    const vtom = createMarkingFromMask(0x400000000000n, 'clear');
    expect(vtom.maskBit).toBe(46);
    expect(vtom.decrypt(0x7000n)).toBe(0x400000007000n);
    expect(vtom.encrypt(0x400000007000n)).toBe(0x7000n);
  });

  it('the edges of the 64-bit range are accepted', () => {
    const m = createMarking({ maskBit: 12, encryptedWhen: 'set' });
    expect(m.encrypt(0n)).toBe(0x1000n);
    expect(m.decrypt(U64_MAX)).toBe(0xffff_ffff_ffff_efffn);
    expect(m.encrypt(U64_MAX)).toBe(U64_MAX);
  });
});

describe('bulk forms equal the scalar forms element by element', () => {
  const entries = fc.array(u64, { maxLength: 300 });

  it('encryptAll and decryptAll over the whole array', () => {
    fc.assert(
      fc.property(marking, entries, (m, values) => {
        const enc = BigUint64Array.from(values);
        const dec = BigUint64Array.from(values);
        expect(m.encryptAll(enc)).toBe(enc);
        expect(m.decryptAll(dec)).toBe(dec);
        values.forEach((v, i) => {
          expect(enc[i]).toBe(m.encrypt(v));
          expect(dec[i]).toBe(m.decrypt(v));
        });
      }),
      { numRuns: 300 },
    );
  });

  it('over a range, leaving everything outside it untouched', () => {
    const withRange = entries.chain((values) =>
      fc.tuple(
        fc.constant(values),
        fc.nat({ max: values.length }),
        fc.nat({ max: values.length }),
        fc.boolean(),
      ),
    );
    fc.assert(
      fc.property(marking, withRange, (m, [values, x, y, encrypt]) => {
        const start = Math.min(x, y);
        const end = Math.max(x, y);
        const arr = BigUint64Array.from(values);
        if (encrypt) m.encryptAll(arr, start, end);
        else m.decryptAll(arr, start, end);
        values.forEach((v, i) => {
          const inside = i >= start && i < end;
          const expected = inside ? (encrypt ? m.encrypt(v) : m.decrypt(v)) : v;
          expect(arr[i]).toBe(expected);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('on a view into a larger buffer, touching nothing outside the view', () => {
    fc.assert(
      fc.property(marking, entries, fc.nat({ max: 5 }), (m, values, pad) => {
        const whole = new BigUint64Array(values.length + 2 * pad).fill(0x5555_5555_5555_5555n);
        const view = new BigUint64Array(whole.buffer, pad * 8, values.length);
        view.set(values);
        m.encryptAll(view);
        for (let i = 0; i < pad; i++) {
          expect(whole[i]).toBe(0x5555_5555_5555_5555n);
          expect(whole[pad + values.length + i]).toBe(0x5555_5555_5555_5555n);
        }
        values.forEach((v, i) => {
          expect(view[i]).toBe(m.encrypt(v));
        });
      }),
      { numRuns: 100 },
    );
  });

  it('count equals a naive count of isEncrypted, whole and ranged', () => {
    fc.assert(
      fc.property(marking, entries, fc.nat(), fc.nat(), (m, values, a, b) => {
        const arr = BigUint64Array.from(values);
        const start = values.length === 0 ? 0 : a % (values.length + 1);
        const end = start + (values.length === 0 ? 0 : b % (values.length - start + 1));
        let encrypted = 0;
        for (let i = start; i < end; i++) {
          if (referenceEncrypted(values[i]!, m.maskBit, m.encryptedWhen)) encrypted++;
        }
        expect(m.count(arr, start, end)).toEqual({ encrypted, decrypted: end - start - encrypted });
      }),
      { numRuns: 300 },
    );
  });

  it('every bit 12..51 and polarity, with lengths around the 64-entry unrolled step', () => {
    // Under Stryker (docs/mutation.md), the edges of the field and of the 32-bit halves only.
    const bits = UNDER_MUTATION ? [12, 13, 30, 31, 32, 33, 50, 51] : BITS;
    for (const bit of bits) {
      for (const when of POLARITIES) {
        const m = createMarking({ maskBit: bit, encryptedWhen: when });
        for (const length of [0, 1, 15, 16, 17, 63, 64, 65, 129, 200]) {
          const values = Array.from({ length }, (_, i) => (BigInt(i) * 0x9e37_79b9_7f4a_7c15n) & U64_MAX);
          const enc = m.encryptAll(BigUint64Array.from(values));
          const dec = m.decryptAll(BigUint64Array.from(values));
          values.forEach((v, i) => {
            expect(enc[i]).toBe(m.encrypt(v));
            expect(dec[i]).toBe(m.decrypt(v));
          });
          expect(m.count(enc)).toEqual({ encrypted: length, decrypted: 0 });
          expect(m.count(dec)).toEqual({ encrypted: 0, decrypted: length });
        }
      }
    }
  });
});

describe('typed errors', () => {
  const valid = createMarking({ maskBit: 47, encryptedWhen: 'clear' });

  // Core knows no entry format: any one of the 64 bits is a mask (each backend checks its own
  // architecture's range, such as x86's 12..51 in @coco/x86).
  it('masks that are not exactly one bit of 64', () => {
    for (const mask of [0n, 0x3000n, 1n << 64n, -(1n << 20n), (1n << 51n) | 1n]) {
      expectRangeError(() => maskBitOf(mask), 'MASK_INVALID');
      expectRangeError(() => createMarkingFromMask(mask, 'set'), 'MASK_INVALID');
    }
    for (const mask of [4096, '4096', null, undefined, {}]) {
      expectRangeError(() => maskBitOf(mask as unknown as bigint), 'MASK_INVALID');
    }
    expect(maskBitOf(1n << 12n)).toBe(12);
    expect(maskBitOf(1n << 51n)).toBe(51);
    expect(maskBitOf(1n << 9n)).toBe(9);
    expect(maskBitOf(1n << 63n)).toBe(63);
  });

  it('mask bits outside 0..63 or not integers', () => {
    for (const maskBit of [64, -1, 12.5, Number.NaN, '51', 51n, null]) {
      expectRangeError(
        () => createMarking({ maskBit: maskBit as unknown as number, encryptedWhen: 'set' }),
        'MASK_INVALID',
      );
    }
  });

  it('values outside 0..2^64-1 and non-bigints, in every scalar form', () => {
    const bad = fc.oneof(
      fc.bigInt({ min: U64_MAX + 1n, max: 1n << 200n }),
      fc.bigInt({ min: -(1n << 200n), max: -1n }),
    );
    fc.assert(
      fc.property(marking, bad, (m, v) => {
        expectRangeError(() => m.encrypt(v), 'VALUE_OUT_OF_RANGE');
        expectRangeError(() => m.decrypt(v), 'VALUE_OUT_OF_RANGE');
        expectRangeError(() => m.isEncrypted(v), 'VALUE_OUT_OF_RANGE');
        expectRangeError(() => assertU64(v), 'VALUE_OUT_OF_RANGE');
      }),
    );
    for (const v of [1, '1', null, undefined, 1.5, Symbol('x'), {}]) {
      const value = v as unknown as bigint;
      expectRangeError(() => valid.encrypt(value), 'VALUE_OUT_OF_RANGE');
      expectRangeError(() => valid.decrypt(value), 'VALUE_OUT_OF_RANGE');
      expectRangeError(() => valid.isEncrypted(value), 'VALUE_OUT_OF_RANGE');
    }
    expectRangeError(() => valid.encrypt(U64_MAX + 1n), 'VALUE_OUT_OF_RANGE');
    expectRangeError(() => valid.decrypt(-1n), 'VALUE_OUT_OF_RANGE');
  });

  it('the error names the value and the fix', () => {
    try {
      valid.encrypt(1n << 64n);
      expect.unreachable();
    } catch (e) {
      expect((e as CocoRangeError).message).toContain('0x10000000000000000');
      expect((e as CocoRangeError).input).toBe('value');
      expect((e as CocoRangeError).fix).toContain('BigInt.asUintN');
    }
  });

  it('bulk forms refuse other arrays and ranges that do not fit', () => {
    const arr = new BigUint64Array(4);
    for (const bad of [[1, 2, 3], new BigInt64Array(4), new Uint32Array(8), null]) {
      for (const f of [valid.encryptAll, valid.decryptAll, valid.count]) {
        let caught: unknown;
        try {
          f(bad as unknown as BigUint64Array);
        } catch (e) {
          caught = e;
        }
        expect(isCocoError(caught)).toBe(true);
        expect((caught as { code: string }).code).toBe('PARAMETER_INVALID');
      }
    }
    for (const [start, end] of [
      [-1, 2],
      [0, 5],
      [3, 2],
      [0.5, 2],
      [Number.NaN, 2],
    ] as const) {
      expectRangeError(() => valid.encryptAll(arr, start, end), 'VALUE_OUT_OF_RANGE');
      expectRangeError(() => valid.decryptAll(arr, start, end), 'VALUE_OUT_OF_RANGE');
      expectRangeError(() => valid.count(arr, start, end), 'VALUE_OUT_OF_RANGE');
    }
  });

  it('a marking is frozen', () => {
    const m: Marking = createMarking({ maskBit: 51, encryptedWhen: 'set' });
    expect(Object.isFrozen(m)).toBe(true);
  });
});
