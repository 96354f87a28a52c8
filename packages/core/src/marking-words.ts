import { CocoError, CocoRangeError, describeValue } from './errors.js';

/**
 * The 32-bit word geometry of a mask bit inside 64-bit entries, and the loops that work on it.
 *
 * Bulk marking reads and writes only the 32-bit half of each entry that holds the mask bit,
 * through an `Int32Array` view of the entries' memory: no bigint is created per entry and the JIT
 * keeps the loop in plain 32-bit integer arithmetic. The loops are unrolled by 64 entries with
 * `| 0` on the index so the JIT emits no overflow check per access; tools/bench/loops.mjs measures
 * this against the alternatives (the 64-bit array directly, a plain 32-bit stride loop, a byte
 * view) and docs/performance.md records the figures that chose it.
 */

/** Whether this machine stores numbers little-endian (typed arrays use its order). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

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

// The engine's own getters of a typed array. A subclass or an own property can make `length`,
// `byteOffset` and `buffer` say anything, and bulk marking addresses memory by them (a WebAssembly
// loop past its memory traps part-way, a JavaScript view lands in another buffer), so they are
// read from the engine, once per call.
const TYPED_ARRAY = Object.getPrototypeOf(BigUint64Array.prototype) as object;
const intrinsic = (name: string) =>
  Object.getOwnPropertyDescriptor(TYPED_ARRAY, name)?.get as (this: unknown) => unknown;
const BUFFER = intrinsic('buffer');
const BYTE_OFFSET = intrinsic('byteOffset');
const LENGTH = intrinsic('length');

/** A `BigUint64Array`'s own buffer, offset and length, as the engine keeps them. */
export interface Table {
  readonly buffer: ArrayBufferLike;
  readonly byteOffset: number;
  readonly length: number;
}

/** The table of `entries`, or `undefined` when it is not a `BigUint64Array` (a proxy, a forged object). */
export function tableOf(entries: unknown): Table | undefined {
  if (!(entries instanceof BigUint64Array)) return undefined;
  try {
    return {
      buffer: BUFFER.call(entries) as ArrayBufferLike,
      byteOffset: BYTE_OFFSET.call(entries) as number,
      length: LENGTH.call(entries) as number,
    };
  } catch {
    return undefined;
  }
}

/**
 * Throws a typed error unless `entries` is a `BigUint64Array` and `start..end` a span of it;
 * returns its table, which the loops address instead of the array's own properties.
 */
export function checkSpan(entries: BigUint64Array, start: number, end: number): Table {
  const table = tableOf(entries);
  if (table === undefined) {
    throw new CocoError('PARAMETER_INVALID', `${describeValue(entries)} is not a BigUint64Array`, {
      input: 'entries',
      fix: 'pass a BigUint64Array (wrap an ArrayBuffer with new BigUint64Array(buffer))',
    });
  }
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > table.length || start > end) {
    throw new CocoRangeError(
      `range ${describeValue(start)}..${describeValue(end)} does not fit ${table.length} entries`,
      {
        input: 'start/end',
        fix: `use integers with 0 <= start <= end <= ${table.length}`,
      },
    );
  }
  return table;
}

/** An `Int32Array` over `table[start..end)`, two words per entry; a view, never a copy. */
export function wordView(table: Table, start: number, end: number): Int32Array {
  return new Int32Array(table.buffer, table.byteOffset + start * 8, (end - start) * 2);
}

/**
 * The most entries one `Int32Array` view covers: 2^28 entries (2 GiB, 2^29 words), so that word
 * indices and the `| 0` arithmetic of the loops stay far inside int32 even for tables of 16 GiB
 * and more, which `BigUint64Array` allows.
 */
export const SEGMENT_ENTRIES = 2 ** 28;

/** Sets the mask bit of `entries[start..end)`, one view per segment. */
export function orSpan(
  entries: Table,
  start: number,
  end: number,
  word: WordGeometry,
  segment = SEGMENT_ENTRIES,
): void {
  for (let s = start; s < end; s += segment) {
    orWords(wordView(entries, s, Math.min(end, s + segment)), word.offset, word.mask);
  }
}

/** Clears the mask bit of `entries[start..end)`, one view per segment. */
export function andSpan(
  entries: Table,
  start: number,
  end: number,
  word: WordGeometry,
  segment = SEGMENT_ENTRIES,
): void {
  for (let s = start; s < end; s += segment) {
    andWords(wordView(entries, s, Math.min(end, s + segment)), word.offset, ~word.mask);
  }
}

/** Counts the entries of `entries[start..end)` whose mask bit is set, one view per segment. */
export function countSpan(
  entries: Table,
  start: number,
  end: number,
  word: WordGeometry,
  segment = SEGMENT_ENTRIES,
): number {
  let set = 0;
  for (let s = start; s < end; s += segment) {
    set += countWords(wordView(entries, s, Math.min(end, s + segment)), word.offset, word.shift);
  }
  return set;
}

/** Sets `mask` in every second word of `w` from word `i` on (64 entries per loop step). */
export function orWords(w: Int32Array, i: number, mask: number): void {
  const n = w.length;
  const last = n - 126;
  for (; i < last; i = (i + 128) | 0) {
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
    w[(i + 32) | 0] = w[(i + 32) | 0]! | mask;
    w[(i + 34) | 0] = w[(i + 34) | 0]! | mask;
    w[(i + 36) | 0] = w[(i + 36) | 0]! | mask;
    w[(i + 38) | 0] = w[(i + 38) | 0]! | mask;
    w[(i + 40) | 0] = w[(i + 40) | 0]! | mask;
    w[(i + 42) | 0] = w[(i + 42) | 0]! | mask;
    w[(i + 44) | 0] = w[(i + 44) | 0]! | mask;
    w[(i + 46) | 0] = w[(i + 46) | 0]! | mask;
    w[(i + 48) | 0] = w[(i + 48) | 0]! | mask;
    w[(i + 50) | 0] = w[(i + 50) | 0]! | mask;
    w[(i + 52) | 0] = w[(i + 52) | 0]! | mask;
    w[(i + 54) | 0] = w[(i + 54) | 0]! | mask;
    w[(i + 56) | 0] = w[(i + 56) | 0]! | mask;
    w[(i + 58) | 0] = w[(i + 58) | 0]! | mask;
    w[(i + 60) | 0] = w[(i + 60) | 0]! | mask;
    w[(i + 62) | 0] = w[(i + 62) | 0]! | mask;
    w[(i + 64) | 0] = w[(i + 64) | 0]! | mask;
    w[(i + 66) | 0] = w[(i + 66) | 0]! | mask;
    w[(i + 68) | 0] = w[(i + 68) | 0]! | mask;
    w[(i + 70) | 0] = w[(i + 70) | 0]! | mask;
    w[(i + 72) | 0] = w[(i + 72) | 0]! | mask;
    w[(i + 74) | 0] = w[(i + 74) | 0]! | mask;
    w[(i + 76) | 0] = w[(i + 76) | 0]! | mask;
    w[(i + 78) | 0] = w[(i + 78) | 0]! | mask;
    w[(i + 80) | 0] = w[(i + 80) | 0]! | mask;
    w[(i + 82) | 0] = w[(i + 82) | 0]! | mask;
    w[(i + 84) | 0] = w[(i + 84) | 0]! | mask;
    w[(i + 86) | 0] = w[(i + 86) | 0]! | mask;
    w[(i + 88) | 0] = w[(i + 88) | 0]! | mask;
    w[(i + 90) | 0] = w[(i + 90) | 0]! | mask;
    w[(i + 92) | 0] = w[(i + 92) | 0]! | mask;
    w[(i + 94) | 0] = w[(i + 94) | 0]! | mask;
    w[(i + 96) | 0] = w[(i + 96) | 0]! | mask;
    w[(i + 98) | 0] = w[(i + 98) | 0]! | mask;
    w[(i + 100) | 0] = w[(i + 100) | 0]! | mask;
    w[(i + 102) | 0] = w[(i + 102) | 0]! | mask;
    w[(i + 104) | 0] = w[(i + 104) | 0]! | mask;
    w[(i + 106) | 0] = w[(i + 106) | 0]! | mask;
    w[(i + 108) | 0] = w[(i + 108) | 0]! | mask;
    w[(i + 110) | 0] = w[(i + 110) | 0]! | mask;
    w[(i + 112) | 0] = w[(i + 112) | 0]! | mask;
    w[(i + 114) | 0] = w[(i + 114) | 0]! | mask;
    w[(i + 116) | 0] = w[(i + 116) | 0]! | mask;
    w[(i + 118) | 0] = w[(i + 118) | 0]! | mask;
    w[(i + 120) | 0] = w[(i + 120) | 0]! | mask;
    w[(i + 122) | 0] = w[(i + 122) | 0]! | mask;
    w[(i + 124) | 0] = w[(i + 124) | 0]! | mask;
    w[(i + 126) | 0] = w[(i + 126) | 0]! | mask;
  }
  for (; i < n; i = (i + 2) | 0) w[i] = w[i]! | mask;
}

/** Keeps only the bits of `keep` in every second word of `w` from word `i` on (64 entries per step). */
export function andWords(w: Int32Array, i: number, keep: number): void {
  const n = w.length;
  const last = n - 126;
  for (; i < last; i = (i + 128) | 0) {
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
    w[(i + 32) | 0] = w[(i + 32) | 0]! & keep;
    w[(i + 34) | 0] = w[(i + 34) | 0]! & keep;
    w[(i + 36) | 0] = w[(i + 36) | 0]! & keep;
    w[(i + 38) | 0] = w[(i + 38) | 0]! & keep;
    w[(i + 40) | 0] = w[(i + 40) | 0]! & keep;
    w[(i + 42) | 0] = w[(i + 42) | 0]! & keep;
    w[(i + 44) | 0] = w[(i + 44) | 0]! & keep;
    w[(i + 46) | 0] = w[(i + 46) | 0]! & keep;
    w[(i + 48) | 0] = w[(i + 48) | 0]! & keep;
    w[(i + 50) | 0] = w[(i + 50) | 0]! & keep;
    w[(i + 52) | 0] = w[(i + 52) | 0]! & keep;
    w[(i + 54) | 0] = w[(i + 54) | 0]! & keep;
    w[(i + 56) | 0] = w[(i + 56) | 0]! & keep;
    w[(i + 58) | 0] = w[(i + 58) | 0]! & keep;
    w[(i + 60) | 0] = w[(i + 60) | 0]! & keep;
    w[(i + 62) | 0] = w[(i + 62) | 0]! & keep;
    w[(i + 64) | 0] = w[(i + 64) | 0]! & keep;
    w[(i + 66) | 0] = w[(i + 66) | 0]! & keep;
    w[(i + 68) | 0] = w[(i + 68) | 0]! & keep;
    w[(i + 70) | 0] = w[(i + 70) | 0]! & keep;
    w[(i + 72) | 0] = w[(i + 72) | 0]! & keep;
    w[(i + 74) | 0] = w[(i + 74) | 0]! & keep;
    w[(i + 76) | 0] = w[(i + 76) | 0]! & keep;
    w[(i + 78) | 0] = w[(i + 78) | 0]! & keep;
    w[(i + 80) | 0] = w[(i + 80) | 0]! & keep;
    w[(i + 82) | 0] = w[(i + 82) | 0]! & keep;
    w[(i + 84) | 0] = w[(i + 84) | 0]! & keep;
    w[(i + 86) | 0] = w[(i + 86) | 0]! & keep;
    w[(i + 88) | 0] = w[(i + 88) | 0]! & keep;
    w[(i + 90) | 0] = w[(i + 90) | 0]! & keep;
    w[(i + 92) | 0] = w[(i + 92) | 0]! & keep;
    w[(i + 94) | 0] = w[(i + 94) | 0]! & keep;
    w[(i + 96) | 0] = w[(i + 96) | 0]! & keep;
    w[(i + 98) | 0] = w[(i + 98) | 0]! & keep;
    w[(i + 100) | 0] = w[(i + 100) | 0]! & keep;
    w[(i + 102) | 0] = w[(i + 102) | 0]! & keep;
    w[(i + 104) | 0] = w[(i + 104) | 0]! & keep;
    w[(i + 106) | 0] = w[(i + 106) | 0]! & keep;
    w[(i + 108) | 0] = w[(i + 108) | 0]! & keep;
    w[(i + 110) | 0] = w[(i + 110) | 0]! & keep;
    w[(i + 112) | 0] = w[(i + 112) | 0]! & keep;
    w[(i + 114) | 0] = w[(i + 114) | 0]! & keep;
    w[(i + 116) | 0] = w[(i + 116) | 0]! & keep;
    w[(i + 118) | 0] = w[(i + 118) | 0]! & keep;
    w[(i + 120) | 0] = w[(i + 120) | 0]! & keep;
    w[(i + 122) | 0] = w[(i + 122) | 0]! & keep;
    w[(i + 124) | 0] = w[(i + 124) | 0]! & keep;
    w[(i + 126) | 0] = w[(i + 126) | 0]! & keep;
  }
  for (; i < n; i = (i + 2) | 0) w[i] = w[i]! & keep;
}

/** Counts the words, every second one from word `i` on, whose bit `shift` is set. */
export function countWords(w: Int32Array, i: number, shift: number): number {
  return shift <= 27 ? countMasked(w, i, 1 << shift, shift) : countShifted(w, i, shift);
}

/**
 * Adds the masked words of 8 entries and shifts once per 8 (fewer operations per entry than a
 * shift per entry); 8 * 2^27 fits an int32 with room to spare, hence bits 0..27 of the word only.
 */
function countMasked(w: Int32Array, i: number, mask: number, shift: number): number {
  const n = w.length;
  const last = n - 126;
  let c = 0;
  for (; i < last; i = (i + 128) | 0) {
    c =
      (c +
        (((w[i]! & mask) +
          (w[(i + 2) | 0]! & mask) +
          (w[(i + 4) | 0]! & mask) +
          (w[(i + 6) | 0]! & mask) +
          (w[(i + 8) | 0]! & mask) +
          (w[(i + 10) | 0]! & mask) +
          (w[(i + 12) | 0]! & mask) +
          (w[(i + 14) | 0]! & mask)) >>>
          shift)) |
      0;
    c =
      (c +
        (((w[(i + 16) | 0]! & mask) +
          (w[(i + 18) | 0]! & mask) +
          (w[(i + 20) | 0]! & mask) +
          (w[(i + 22) | 0]! & mask) +
          (w[(i + 24) | 0]! & mask) +
          (w[(i + 26) | 0]! & mask) +
          (w[(i + 28) | 0]! & mask) +
          (w[(i + 30) | 0]! & mask)) >>>
          shift)) |
      0;
    c =
      (c +
        (((w[(i + 32) | 0]! & mask) +
          (w[(i + 34) | 0]! & mask) +
          (w[(i + 36) | 0]! & mask) +
          (w[(i + 38) | 0]! & mask) +
          (w[(i + 40) | 0]! & mask) +
          (w[(i + 42) | 0]! & mask) +
          (w[(i + 44) | 0]! & mask) +
          (w[(i + 46) | 0]! & mask)) >>>
          shift)) |
      0;
    c =
      (c +
        (((w[(i + 48) | 0]! & mask) +
          (w[(i + 50) | 0]! & mask) +
          (w[(i + 52) | 0]! & mask) +
          (w[(i + 54) | 0]! & mask) +
          (w[(i + 56) | 0]! & mask) +
          (w[(i + 58) | 0]! & mask) +
          (w[(i + 60) | 0]! & mask) +
          (w[(i + 62) | 0]! & mask)) >>>
          shift)) |
      0;
    c =
      (c +
        (((w[(i + 64) | 0]! & mask) +
          (w[(i + 66) | 0]! & mask) +
          (w[(i + 68) | 0]! & mask) +
          (w[(i + 70) | 0]! & mask) +
          (w[(i + 72) | 0]! & mask) +
          (w[(i + 74) | 0]! & mask) +
          (w[(i + 76) | 0]! & mask) +
          (w[(i + 78) | 0]! & mask)) >>>
          shift)) |
      0;
    c =
      (c +
        (((w[(i + 80) | 0]! & mask) +
          (w[(i + 82) | 0]! & mask) +
          (w[(i + 84) | 0]! & mask) +
          (w[(i + 86) | 0]! & mask) +
          (w[(i + 88) | 0]! & mask) +
          (w[(i + 90) | 0]! & mask) +
          (w[(i + 92) | 0]! & mask) +
          (w[(i + 94) | 0]! & mask)) >>>
          shift)) |
      0;
    c =
      (c +
        (((w[(i + 96) | 0]! & mask) +
          (w[(i + 98) | 0]! & mask) +
          (w[(i + 100) | 0]! & mask) +
          (w[(i + 102) | 0]! & mask) +
          (w[(i + 104) | 0]! & mask) +
          (w[(i + 106) | 0]! & mask) +
          (w[(i + 108) | 0]! & mask) +
          (w[(i + 110) | 0]! & mask)) >>>
          shift)) |
      0;
    c =
      (c +
        (((w[(i + 112) | 0]! & mask) +
          (w[(i + 114) | 0]! & mask) +
          (w[(i + 116) | 0]! & mask) +
          (w[(i + 118) | 0]! & mask) +
          (w[(i + 120) | 0]! & mask) +
          (w[(i + 122) | 0]! & mask) +
          (w[(i + 124) | 0]! & mask) +
          (w[(i + 126) | 0]! & mask)) >>>
          shift)) |
      0;
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
