import { CocoError, CocoRangeError, describeValue } from './errors.js';

/**
 * The 32-bit word geometry of a mask bit inside 64-bit entries, and the loops that work on it.
 *
 * Bulk marking reads and writes only the 32-bit half of each entry that holds the mask bit,
 * through an `Int32Array` view of the entries' memory: no bigint is created per entry and the JIT
 * keeps the loop in plain 32-bit integer arithmetic. The loops are unrolled by 16 entries with
 * `| 0` on the index so the JIT emits no overflow check per access; tools/bench/loops.mjs measures
 * this against the alternatives (the 64-bit array directly, a plain 32-bit stride loop, a byte
 * view) and docs/performance.md records the figures that chose it.
 */

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Where a mask bit lives in the `Int32Array` view of an entry (two words per entry). */
export interface WordGeometry {
  /** Index of the word holding the bit inside each pair: 0 or 1, by bit position and endianness. */
  readonly offset: number;
  /** Position of the bit inside that word, 0..31. */
  readonly shift: number;
  /** The bit as a 32-bit integer mask (negative for bit 31 of the word). */
  readonly mask: number;
}

/** The word geometry of bit `maskBit` (0..63) on this machine. */
export function wordGeometry(maskBit: number): WordGeometry {
  const shift = maskBit & 31;
  return { offset: maskBit >= 32 === LITTLE_ENDIAN ? 1 : 0, shift, mask: (1 << shift) | 0 };
}

/** Throws a typed error unless `entries` is a `BigUint64Array` and `start..end` a span of it. */
export function checkSpan(entries: BigUint64Array, start: number, end: number): void {
  if (!(entries instanceof BigUint64Array)) {
    throw new CocoError('PARAMETER_INVALID', `${describeValue(entries)} is not a BigUint64Array`, {
      input: 'entries',
      fix: 'pass a BigUint64Array (wrap an ArrayBuffer with new BigUint64Array(buffer))',
    });
  }
  if (
    !Number.isInteger(start) ||
    !Number.isInteger(end) ||
    start < 0 ||
    end > entries.length ||
    start > end
  ) {
    throw new CocoRangeError(
      `range ${describeValue(start)}..${describeValue(end)} does not fit ${entries.length} entries`,
      {
        input: 'start/end',
        fix: `use integers with 0 <= start <= end <= ${entries.length}`,
      },
    );
  }
}

/** An `Int32Array` over `entries[start..end)`, two words per entry; a view, never a copy. */
export function wordView(entries: BigUint64Array, start: number, end: number): Int32Array {
  return new Int32Array(entries.buffer, entries.byteOffset + start * 8, (end - start) * 2);
}

/** Sets `mask` in every second word of `w` from word `i` on. */
export function orWords(w: Int32Array, i: number, mask: number): void {
  const n = w.length;
  const last = n - 30;
  for (; i < last; i = (i + 32) | 0) {
    w[i] = w[i]! | mask;
    w[(i + 2) | 0] = w[(i + 2) | 0]! | mask;
    w[(i + 4) | 0] = w[(i + 4) | 0]! | mask;
    w[(i + 6) | 0] = w[(i + 6) | 0]! | mask;
    w[(i + 8) | 0] = w[(i + 8) | 0]! | mask;
    w[(i + 10) | 0] = w[(i + 10) | 0]! | mask;
    w[(i + 12) | 0] = w[(i + 12) | 0]! | mask;
    w[(i + 14) | 0] = w[(i + 14) | 0]! | mask;
    w[(i + 16) | 0] = w[(i + 16) | 0]! | mask;
    w[(i + 18) | 0] = w[(i + 18) | 0]! | mask;
    w[(i + 20) | 0] = w[(i + 20) | 0]! | mask;
    w[(i + 22) | 0] = w[(i + 22) | 0]! | mask;
    w[(i + 24) | 0] = w[(i + 24) | 0]! | mask;
    w[(i + 26) | 0] = w[(i + 26) | 0]! | mask;
    w[(i + 28) | 0] = w[(i + 28) | 0]! | mask;
    w[(i + 30) | 0] = w[(i + 30) | 0]! | mask;
  }
  for (; i < n; i = (i + 2) | 0) w[i] = w[i]! | mask;
}

/** Keeps only the bits of `keep` in every second word of `w` from word `i` on. */
export function andWords(w: Int32Array, i: number, keep: number): void {
  const n = w.length;
  const last = n - 30;
  for (; i < last; i = (i + 32) | 0) {
    w[i] = w[i]! & keep;
    w[(i + 2) | 0] = w[(i + 2) | 0]! & keep;
    w[(i + 4) | 0] = w[(i + 4) | 0]! & keep;
    w[(i + 6) | 0] = w[(i + 6) | 0]! & keep;
    w[(i + 8) | 0] = w[(i + 8) | 0]! & keep;
    w[(i + 10) | 0] = w[(i + 10) | 0]! & keep;
    w[(i + 12) | 0] = w[(i + 12) | 0]! & keep;
    w[(i + 14) | 0] = w[(i + 14) | 0]! & keep;
    w[(i + 16) | 0] = w[(i + 16) | 0]! & keep;
    w[(i + 18) | 0] = w[(i + 18) | 0]! & keep;
    w[(i + 20) | 0] = w[(i + 20) | 0]! & keep;
    w[(i + 22) | 0] = w[(i + 22) | 0]! & keep;
    w[(i + 24) | 0] = w[(i + 24) | 0]! & keep;
    w[(i + 26) | 0] = w[(i + 26) | 0]! & keep;
    w[(i + 28) | 0] = w[(i + 28) | 0]! & keep;
    w[(i + 30) | 0] = w[(i + 30) | 0]! & keep;
  }
  for (; i < n; i = (i + 2) | 0) w[i] = w[i]! & keep;
}

/** Counts the words, every second one from word `i` on, whose bit `shift` is set. */
export function countWords(w: Int32Array, i: number, shift: number): number {
  return shift <= 27 ? countMasked(w, i, 1 << shift, shift) : countShifted(w, i, shift);
}

/**
 * Adds the masked words of 8 entries before shifting once (fewer operations per entry than a
 * shift per entry); 8 * 2^27 still fits an int32, hence bits 0..27 of the word only.
 */
function countMasked(w: Int32Array, i: number, mask: number, shift: number): number {
  const n = w.length;
  const last = n - 30;
  let c = 0;
  for (; i < last; i = (i + 32) | 0) {
    const a =
      ((w[i]! & mask) +
        (w[(i + 2) | 0]! & mask) +
        (w[(i + 4) | 0]! & mask) +
        (w[(i + 6) | 0]! & mask) +
        (w[(i + 8) | 0]! & mask) +
        (w[(i + 10) | 0]! & mask) +
        (w[(i + 12) | 0]! & mask) +
        (w[(i + 14) | 0]! & mask)) |
      0;
    const b =
      ((w[(i + 16) | 0]! & mask) +
        (w[(i + 18) | 0]! & mask) +
        (w[(i + 20) | 0]! & mask) +
        (w[(i + 22) | 0]! & mask) +
        (w[(i + 24) | 0]! & mask) +
        (w[(i + 26) | 0]! & mask) +
        (w[(i + 28) | 0]! & mask) +
        (w[(i + 30) | 0]! & mask)) |
      0;
    c = (c + (a >>> shift) + (b >>> shift)) | 0;
  }
  for (; i < n; i = (i + 2) | 0) c = (c + ((w[i]! >>> shift) & 1)) | 0;
  return c;
}

/** The same count for bits 28..31 of the word: one shift per entry. */
function countShifted(w: Int32Array, i: number, shift: number): number {
  const n = w.length;
  const last = n - 30;
  let c = 0;
  for (; i < last; i = (i + 32) | 0) {
    c =
      (c +
        ((w[i]! >>> shift) & 1) +
        ((w[(i + 2) | 0]! >>> shift) & 1) +
        ((w[(i + 4) | 0]! >>> shift) & 1) +
        ((w[(i + 6) | 0]! >>> shift) & 1) +
        ((w[(i + 8) | 0]! >>> shift) & 1) +
        ((w[(i + 10) | 0]! >>> shift) & 1) +
        ((w[(i + 12) | 0]! >>> shift) & 1) +
        ((w[(i + 14) | 0]! >>> shift) & 1)) |
      0;
    c =
      (c +
        ((w[(i + 16) | 0]! >>> shift) & 1) +
        ((w[(i + 18) | 0]! >>> shift) & 1) +
        ((w[(i + 20) | 0]! >>> shift) & 1) +
        ((w[(i + 22) | 0]! >>> shift) & 1) +
        ((w[(i + 24) | 0]! >>> shift) & 1) +
        ((w[(i + 26) | 0]! >>> shift) & 1) +
        ((w[(i + 28) | 0]! >>> shift) & 1) +
        ((w[(i + 30) | 0]! >>> shift) & 1)) |
      0;
  }
  for (; i < n; i = (i + 2) | 0) c = (c + ((w[i]! >>> shift) & 1)) | 0;
  return c;
}

/**
 * The first word index from `i` on (stepping by 2) whose masked bit differs from `state` (0 or
 * `mask`), or `w.length` when there is none. Skips 8 entries per test while the run goes on.
 */
export function scanRun(w: Int32Array, i: number, mask: number, state: number): number {
  const n = w.length;
  const last = n - 14;
  if (state === 0) {
    for (; i < last; i = (i + 16) | 0) {
      const any =
        w[i]! |
        w[(i + 2) | 0]! |
        w[(i + 4) | 0]! |
        w[(i + 6) | 0]! |
        w[(i + 8) | 0]! |
        w[(i + 10) | 0]! |
        w[(i + 12) | 0]! |
        w[(i + 14) | 0]!;
      if ((any & mask) !== 0) break;
    }
  } else {
    for (; i < last; i = (i + 16) | 0) {
      const all =
        w[i]! &
        w[(i + 2) | 0]! &
        w[(i + 4) | 0]! &
        w[(i + 6) | 0]! &
        w[(i + 8) | 0]! &
        w[(i + 10) | 0]! &
        w[(i + 12) | 0]! &
        w[(i + 14) | 0]!;
      if ((all & mask) === 0) break;
    }
  }
  while (i < n && (w[i]! & mask) === state) i = (i + 2) | 0;
  return i;
}
