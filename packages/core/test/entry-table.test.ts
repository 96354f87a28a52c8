// Tables from createEntryTable live in a WebAssembly.Memory of their own, and bulk marking runs on
// them as WebAssembly SIMD loops (packages/core/wasm/marking.wat). Every result must equal the bare
// bigint expressions `v | mask` and `v & ~mask`, entry by entry, whatever the range, the view's
// offset inside the table, the bit (0..63, entry bits of other formats included) or the polarity.
import { CocoRangeError, createEntryTable, createMarking, type EncryptedWhen, isSimdTable } from '@coco/core';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';

const U64_MAX = 0xffff_ffff_ffff_ffffn;

/** A SIMD table holding `values` at entry `offset` on, and a view of exactly those entries. */
function simdView(values: readonly bigint[], offset: number): BigUint64Array {
  const table = createEntryTable(offset + values.length + 3);
  const view = new BigUint64Array(table.buffer, offset * 8, values.length);
  view.set(values);
  return view;
}

describe('createEntryTable', () => {
  it('allocates a zeroed BigUint64Array whose bulk marking runs as SIMD, views of it included', () => {
    const table = createEntryTable(1000);
    expect(table).toBeInstanceOf(BigUint64Array);
    expect(table).toHaveLength(1000);
    expect(table.every((v) => v === 0n)).toBe(true);
    expect(isSimdTable(table)).toBe(true);
    expect(isSimdTable(table.subarray(7, 20))).toBe(true);
    expect(isSimdTable(new BigUint64Array(1000))).toBe(false);
    expect(isSimdTable(createEntryTable(0))).toBe(false);
  });

  it('refuses a length that is not a count of entries, naming the input', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '8' as never]) {
      let thrown: unknown;
      try {
        createEntryTable(bad);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(CocoRangeError);
      expect(thrown).toMatchObject({ code: 'VALUE_OUT_OF_RANGE', input: 'length' });
      expect((thrown as Error).message).toContain('is not a table length');
      expect((thrown as Error).message).toContain(
        'pass the number of 64-bit entries, an integer of 0 or more',
      );
    }
  });

  it('sizes its memory for every entry, past one 64 KiB page', () => {
    // 100,000 entries are 800,000 bytes: 13 pages of memory.
    const table = createEntryTable(100_000);
    expect(isSimdTable(table)).toBe(true);
    expect(table.buffer.byteLength).toBe(13 * 65_536);
    table[99_999] = 1n;
    const m = createMarking({ maskBit: 51, encryptedWhen: 'set' });
    m.encryptAll(table);
    expect(table[99_999]).toBe(1n | (1n << 51n));
    expect(m.count(table).encrypted).toBe(100_000);
  });

  it('gives an ordinary table when the engine refuses its memory', () => {
    // ES2022's lib does not declare WebAssembly (core reads it the same way, src/entry-table.ts).
    const engine = (globalThis as unknown as { WebAssembly: object }).WebAssembly;
    vi.stubGlobal('WebAssembly', {
      ...engine,
      Memory: class {
        constructor() {
          throw new RangeError('WebAssembly.Memory(): could not allocate memory');
        }
      },
    });
    try {
      const table = createEntryTable(64);
      expect(isSimdTable(table)).toBe(false);
      expect(table).toHaveLength(64);
      createMarking({ maskBit: 47, encryptedWhen: 'set' }).encryptAll(table);
      expect(table.every((v) => v === 1n << 47n)).toBe(true);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('marks and counts exactly as the bigint expressions, over any range and view', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 63 }),
        fc.constantFrom<EncryptedWhen>('set', 'clear'),
        fc.array(fc.bigInt({ min: 0n, max: U64_MAX }), { maxLength: 200 }),
        fc.integer({ min: 0, max: 9 }),
        fc.nat(),
        fc.nat(),
        (bit, when, values, offset, a, b) => {
          const m = createMarking({ maskBit: bit, encryptedWhen: when });
          const start = a % (values.length + 1);
          const end = start + (b % (values.length - start + 1));
          const encrypted = m.encryptAll(simdView(values, offset), start, end);
          const decrypted = m.decryptAll(simdView(values, offset), start, end);
          const mask = 1n << BigInt(bit);
          const [enc, dec] =
            when === 'set'
              ? [(v: bigint) => v | mask, (v: bigint) => v & ~mask]
              : [(v: bigint) => v & ~mask, (v: bigint) => v | mask];
          let set = 0;
          values.forEach((v, i) => {
            const inside = i >= start && i < end;
            expect(encrypted[i]).toBe(inside ? enc(v) : v);
            expect(decrypted[i]).toBe(inside ? dec(v) : v);
            if (inside && (v & mask) !== 0n) set++;
          });
          const count = m.count(simdView(values, offset), start, end);
          const unset = end - start - set;
          expect(count).toEqual(
            when === 'set' ? { encrypted: set, decrypted: unset } : { encrypted: unset, decrypted: set },
          );
        },
      ),
    );
  });

  it('handles every length around the four-vector step and the two-entry vector', () => {
    const m = createMarking({ maskBit: 51, encryptedWhen: 'set' });
    for (let length = 0; length <= 20; length++) {
      const values = Array.from({ length }, (_, i) => (BigInt(i) * 0x9e37_79b9_7f4a_7c15n) & U64_MAX);
      const table = simdView(values, 1);
      const guard = new BigUint64Array(table.buffer, (length + 1) * 8, 1);
      guard[0] = 0x1234n;
      m.encryptAll(table);
      expect([...table]).toEqual(values.map((v) => v | (1n << 51n)));
      expect(guard[0]).toBe(0x1234n); // the loops stop at the view's end
      expect(m.count(table)).toEqual({ encrypted: length, decrypted: 0 });
      m.decryptAll(table);
      expect([...table]).toEqual(values.map((v) => v & ~(1n << 51n)));
    }
  });

  it('places the bit of each entry format', () => {
    // An arm64 LPA2-style format: address bit 50 stored at entry bit 8 (see the marking docs).
    const m = createMarking({
      maskBit: 50,
      encryptedWhen: 'clear',
      formats: [
        { id: 'address', title: 'address' },
        { id: 'lpa2', title: 'LPA2', entryBit: 8 },
      ],
    }).forFormat('lpa2');
    const table = createEntryTable(64);
    table.fill(U64_MAX);
    m.encryptAll(table, 10, 30);
    expect(table[9]).toBe(U64_MAX);
    expect(table[10]).toBe(U64_MAX & ~(1n << 8n));
    expect(table[29]).toBe(U64_MAX & ~(1n << 8n));
    expect(table[30]).toBe(U64_MAX);
    expect(m.count(table)).toEqual({ encrypted: 20, decrypted: 44 });
  });

  it('addresses the memory the engine gives a view, whatever a subclass or an own property says', () => {
    const m = createMarking({ maskBit: 51, encryptedWhen: 'set' });
    const bit = 1n << 51n;
    class LongerThanItIs extends BigUint64Array {
      override get length() {
        return 1 << 24;
      }
    }
    class ElsewhereThanItIs extends BigUint64Array {
      override get byteOffset() {
        return 2 ** 31 - 8;
      }
      override get buffer() {
        return new ArrayBuffer(8);
      }
    }
    for (const make of [
      (t: BigUint64Array) => new LongerThanItIs(t.buffer as ArrayBuffer, 8, 4),
      (t: BigUint64Array) => new ElsewhereThanItIs(t.buffer as ArrayBuffer, 8, 4),
      (t: BigUint64Array) =>
        Object.defineProperty(new BigUint64Array(t.buffer as ArrayBuffer, 8, 4), 'length', { value: 4096 }),
    ]) {
      for (const table of [createEntryTable(64), new BigUint64Array(64)]) {
        const view = make(table);
        // The range given: the view's own four entries, and nothing around them.
        m.encryptAll(view, 0, 4);
        expect([...table.slice(0, 6)]).toEqual([0n, bit, bit, bit, bit, 0n]);
        expect(m.count(view, 0, 4)).toEqual({ encrypted: 4, decrypted: 0 });
        m.decryptAll(view, 1, 3);
        expect(table.filter((v) => v !== 0n)).toHaveLength(2);
        expect(() => m.count(view, 0, 5)).toThrow(CocoRangeError);
      }
    }
  });

  it('refuses, as not a BigUint64Array, what only looks like one', () => {
    const m = createMarking({ maskBit: 51, encryptedWhen: 'set' });
    const table = createEntryTable(16);
    for (const fake of [Object.create(BigUint64Array.prototype), new Proxy(table, {})]) {
      expect(() => m.count(fake, 0, 0)).toThrow(expect.objectContaining({ code: 'PARAMETER_INVALID' }));
      expect(() => m.encryptAll(fake, 0, 0)).toThrow(expect.objectContaining({ code: 'PARAMETER_INVALID' }));
      expect(isSimdTable(fake)).toBe(false);
    }
  });
});
