// The bulk forms cut tables of more than SEGMENT_ENTRIES (2^28) entries into one view per segment
// so that the loops' int32 word indices never wrap. Tables that large do not fit a test, so this
// drives the same internal functions with tiny segments and checks them against the scalar forms.
import { createMarking, type EncryptedWhen } from '@coco/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { andSpan, countSpan, orSpan, SEGMENT_ENTRIES, wordGeometry } from '../src/marking-words.js';

const U64_MAX = 0xffff_ffff_ffff_ffffn;

describe('segmented bulk marking', () => {
  it('keeps word indices inside int32: 2^28 entries per view is 2^29 words', () => {
    expect(SEGMENT_ENTRIES * 2 + 256).toBeLessThan(2 ** 31);
  });

  it('any segment size gives the scalar results over any range', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 12, max: 51 }),
        fc.constantFrom<EncryptedWhen>('set', 'clear'),
        fc.array(fc.bigInt({ min: 0n, max: U64_MAX }), { maxLength: 300 }),
        fc.integer({ min: 1, max: 70 }),
        fc.nat(),
        fc.nat(),
        (bit, when, values, segment, a, b) => {
          const m = createMarking({ maskBit: bit, encryptedWhen: when });
          const word = wordGeometry(bit);
          const start = a % (values.length + 1);
          const end = start + (b % (values.length - start + 1));
          const set = BigUint64Array.from(values);
          const clear = BigUint64Array.from(values);
          orSpan(set, start, end, word, segment);
          andSpan(clear, start, end, word, segment);
          const mask = 1n << BigInt(bit);
          let bitsSet = 0;
          values.forEach((v, i) => {
            const inside = i >= start && i < end;
            expect(set[i]).toBe(inside ? v | mask : v);
            expect(clear[i]).toBe(inside ? v & ~mask : v);
            if (inside && (v & mask) !== 0n) bitsSet++;
          });
          expect(countSpan(BigUint64Array.from(values), start, end, word, segment)).toBe(bitsSet);
          // The public forms (one segment at this size) agree.
          const counted = m.count(BigUint64Array.from(values), start, end);
          expect(when === 'set' ? counted.encrypted : counted.decrypted).toBe(bitsSet);
        },
      ),
      { numRuns: 300 },
    );
  });
});
