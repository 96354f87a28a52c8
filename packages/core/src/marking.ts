import { simdKernelsOf } from './entry-table.js';
import { CocoError, CocoRangeError, describeValue } from './errors.js';
import { andSpan, checkSpan, countSpan, orSpan, wordGeometry } from './marking-words.js';

/** Whether a page is encrypted (private) when the type's bit is `set` or when it is `clear`. */
export type EncryptedWhen = 'set' | 'clear';

/**
 * The lowest bit a marking may use. Core knows no entry format: each backend checks the bits its
 * architecture allows (an address field, a bit a format stores elsewhere) when it builds a type.
 */
export const MASK_BIT_MIN = 0;
/** The highest bit a marking may use: entries and addresses are 64-bit. */
export const MASK_BIT_MAX = 63;
const U64_MAX = (1n << 64n) - 1n;

/**
 * Where one page-table entry format stores the type's address bit: on most formats at the same
 * position, on some elsewhere (an arm64 descriptor with 52-bit output addresses keeps address bits
 * 51..48 or 51..50 in low bits of the entry).
 */
export interface EntryFormat {
  /** A stable id (`x86-64`, `arm64-4k-lpa2`); tools draw the entry by it. */
  readonly id: string;
  /** Human name: `arm64, 4 KiB granule, LPA2`. */
  readonly title: string;
  /** The bit of the entry that carries the encryption state in this format. */
  readonly entryBit: number;
}

/**
 * How one type marks a 64-bit page-table entry (or an address) encrypted or decrypted.
 * `encrypt` and `decrypt` hide the polarity: callers never need to know whether the bit is set or
 * cleared for a private page. They work on entries of {@link Marking.format}; use
 * {@link Marking.forFormat} for another of the type's formats.
 */
export interface Marking {
  /** The one entry bit that carries the encryption state, as a mask. */
  readonly mask: bigint;
  /** The address bit that carries it (what the kernel calls the C-bit, shared bit or vTOM bit). */
  readonly maskBit: number;
  /** The address bit as a mask, for physical or DMA addresses. */
  readonly addressMask: bigint;
  /** The entry bit in this marking's format (`maskBit` where the format stores it in place). */
  readonly entryBit: number;
  /** The entry format `encrypt`/`decrypt` work on. */
  readonly format: EntryFormat;
  /** Every entry format of the type, the default first. */
  readonly formats: readonly EntryFormat[];
  /** The same marking on entries of format `id`; throws `MASK_INVALID` for a format the type lacks. */
  forFormat(id: string): Marking;
  /** Whether the bit is `set` or `clear` on an encrypted (private) entry. */
  readonly encryptedWhen: EncryptedWhen;
  /** Marks `value` encrypted (private). Throws `CocoRangeError` outside 0..2^64-1. */
  encrypt(value: bigint): bigint;
  /** Marks `value` decrypted (shared). Throws `CocoRangeError` outside 0..2^64-1. */
  decrypt(value: bigint): bigint;
  /** True when `value` is marked encrypted. Throws `CocoRangeError` outside 0..2^64-1. */
  isEncrypted(value: bigint): boolean;
  /**
   * Marks `entries[start..end)` encrypted in place, allocating nothing per entry; returns `entries`.
   * Runs at memory speed (see docs/performance.md). A non-`BigUint64Array` is a `CocoError`
   * (`PARAMETER_INVALID`), a range that does not fit a `CocoRangeError`.
   */
  encryptAll(entries: BigUint64Array, start?: number, end?: number): BigUint64Array;
  /** Marks `entries[start..end)` decrypted in place, allocating nothing per entry; returns `entries`. */
  decryptAll(entries: BigUint64Array, start?: number, end?: number): BigUint64Array;
  /**
   * Counts the encrypted and decrypted entries of `entries[start..end)`, reading them in place.
   * For runs, or a table in chunks, use `createClassifier(marking)`.
   */
  count(entries: BigUint64Array, start?: number, end?: number): MarkingCount;
}

/** The result of {@link Marking.count}. */
export interface MarkingCount {
  /** Entries marked encrypted. */
  readonly encrypted: number;
  /** Entries marked decrypted. */
  readonly decrypted: number;
}

/** What {@link createMarking} needs. */
export interface MarkingSpec {
  /** The address bit, 0..63. */
  readonly maskBit: number;
  /** Whether the bit is `set` or `clear` on an encrypted (private) entry. */
  readonly encryptedWhen: EncryptedWhen;
  /**
   * The entry formats, the default first, each with the entry bit that holds the address bit.
   * Without it, one format (`entry`) stores the bit in place.
   */
  readonly formats?: readonly EntryFormatSpec[];
}

/** An entry format as a spec gives it: without `entryBit`, the format stores the address bit in place. */
export interface EntryFormatSpec {
  readonly id: string;
  readonly title: string;
  readonly entryBit?: number;
}

/** The error for a value outside 0..2^64-1; kept out of line so the scalar forms stay small. */
function outOfRange(value: unknown, input: string): never {
  throw new CocoRangeError(`${describeValue(value)} is not a 64-bit unsigned value`, {
    input,
    fix: 'pass a bigint from 0n to 0xffffffffffffffffn (mask a wider value with BigInt.asUintN(64, v) first)',
  });
}

/** Throws `CocoRangeError` (`VALUE_OUT_OF_RANGE`) unless `value` is a bigint in 0..2^64-1. */
export function assertU64(value: bigint, input = 'value'): void {
  if (typeof value !== 'bigint' || value < 0n || value > U64_MAX) outOfRange(value, input);
}

function checkBit(maskBit: unknown, input: string): number {
  if (
    typeof maskBit !== 'number' ||
    !Number.isInteger(maskBit) ||
    maskBit < MASK_BIT_MIN ||
    maskBit > MASK_BIT_MAX
  ) {
    throw new CocoRangeError(
      `mask bit ${describeValue(maskBit)} is outside the physical-address field`,
      { input, fix: `use a bit from ${MASK_BIT_MIN} to ${MASK_BIT_MAX}` },
      'MASK_INVALID',
    );
  }
  return maskBit;
}

function checkPolarity(encryptedWhen: unknown, input: string): EncryptedWhen {
  if (encryptedWhen === 'set' || encryptedWhen === 'clear') return encryptedWhen;
  throw new CocoError(
    'PARAMETER_INVALID',
    `encryptedWhen ${describeValue(encryptedWhen)} is not a polarity`,
    {
      input,
      fix: 'use "set" (the bit set marks a private page) or "clear" (the bit set marks a shared page)',
    },
  );
}

/** The bit position of a mask with exactly one bit inside 0..63; throws `MASK_INVALID` otherwise. */
export function maskBitOf(mask: bigint, input = 'mask'): number {
  if (typeof mask === 'bigint' && mask > 0n && (mask & (mask - 1n)) === 0n) {
    const bit = mask.toString(2).length - 1;
    if (bit >= MASK_BIT_MIN && bit <= MASK_BIT_MAX) return bit;
  }
  throw new CocoRangeError(
    `mask ${describeValue(mask)} is not exactly one bit inside bits ${MASK_BIT_MIN}..${MASK_BIT_MAX}`,
    { input, fix: 'pass a power of two from 0x1n (bit 0) to 0x8000000000000000n (bit 63)' },
    'MASK_INVALID',
  );
}

const FORMAT_ID = /^[a-z0-9][a-z0-9-]{0,31}$/;

function checkFormats(spec: MarkingSpec, maskBit: number, input: string): readonly EntryFormat[] {
  const given = spec.formats;
  if (given === undefined)
    return Object.freeze([Object.freeze({ id: 'entry', title: 'page-table entry', entryBit: maskBit })]);
  if (!Array.isArray(given) || given.length === 0 || given.length > 16) {
    throw new CocoError('PARAMETER_INVALID', 'formats is not a list of 1 to 16 entry formats', {
      input: `${input}.formats`,
      fix: 'give [{ id, title, entryBit }], the default format first',
    });
  }
  const seen = new Set<string>();
  return Object.freeze(
    given.map((f: EntryFormatSpec, i: number) => {
      const id = f?.id;
      if (typeof id !== 'string' || !FORMAT_ID.test(id) || seen.has(id) || typeof f.title !== 'string') {
        throw new CocoError('PARAMETER_INVALID', `format ${describeValue(id)} is not valid`, {
          input: `${input}.formats[${i}]`,
          fix: 'give each format a distinct lower-case id such as "acme-4k" and a title',
        });
      }
      seen.add(id);
      const entryBit =
        f.entryBit === undefined ? maskBit : checkBit(f.entryBit, `${input}.formats[${i}].entryBit`);
      return Object.freeze({ id, title: f.title, entryBit });
    }),
  );
}

/** Creates a marking for one bit and polarity; throws `MASK_INVALID` for a bit outside 0..63. */
export function createMarking(spec: MarkingSpec, input = 'marking'): Marking {
  const maskBit = checkBit(spec?.maskBit, `${input}.maskBit`);
  const encryptedWhen = checkPolarity(spec?.encryptedWhen, `${input}.encryptedWhen`);
  const formats = checkFormats(spec, maskBit, input);
  return markingFor(maskBit, encryptedWhen, formats, formats[0] as EntryFormat);
}

function markingFor(
  maskBit: number,
  encryptedWhen: EncryptedWhen,
  formats: readonly EntryFormat[],
  format: EntryFormat,
): Marking {
  const entryBit = format.entryBit;
  const mask = 1n << BigInt(entryBit);
  const notMask = U64_MAX ^ mask;
  const setWhenEncrypted = encryptedWhen === 'set';
  const word = wordGeometry(entryBit);

  // The scalar forms: the bare bigint expression behind the one range check every form shares.
  const setBit = (v: bigint): bigint => {
    if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) outOfRange(v, 'value');
    return v | mask;
  };
  const clearBit = (v: bigint): bigint => {
    if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) outOfRange(v, 'value');
    return v & notMask;
  };
  const isSet = (v: bigint): boolean => {
    if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) outOfRange(v, 'value');
    return (v & mask) !== 0n;
  };
  const isClear = (v: bigint): boolean => {
    if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) outOfRange(v, 'value');
    return (v & mask) === 0n;
  };
  // A table from createEntryTable has SIMD loops over its memory (byte offsets); others the words'.
  const setAll = (entries: BigUint64Array, start = 0, end = entries?.length ?? 0): BigUint64Array => {
    const table = checkSpan(entries, start, end);
    const simd = simdKernelsOf(table.buffer);
    if (simd) simd.or(table.byteOffset + start * 8, table.byteOffset + end * 8, mask);
    else orSpan(table, start, end, word);
    return entries;
  };
  const clearAll = (entries: BigUint64Array, start = 0, end = entries?.length ?? 0): BigUint64Array => {
    const table = checkSpan(entries, start, end);
    const simd = simdKernelsOf(table.buffer);
    if (simd) simd.and(table.byteOffset + start * 8, table.byteOffset + end * 8, notMask);
    else andSpan(table, start, end, word);
    return entries;
  };

  const others = new Map<string, Marking>();
  const self: Marking = Object.freeze({
    mask,
    maskBit,
    addressMask: 1n << BigInt(maskBit),
    entryBit,
    format,
    formats,
    forFormat(id: string): Marking {
      if (id === format.id) return self;
      const other = formats.find((f) => f.id === id);
      if (!other) {
        throw new CocoRangeError(
          `entry format ${describeValue(id)} is not one of this type's`,
          { input: 'format', fix: `use one of ${formats.map((f) => f.id).join(', ')}` },
          'MASK_INVALID',
        );
      }
      let m = others.get(id);
      if (!m) {
        m = markingFor(maskBit, encryptedWhen, formats, other);
        others.set(id, m);
      }
      return m;
    },
    encryptedWhen,
    encrypt: setWhenEncrypted ? setBit : clearBit,
    decrypt: setWhenEncrypted ? clearBit : setBit,
    isEncrypted: setWhenEncrypted ? isSet : isClear,
    encryptAll: setWhenEncrypted ? setAll : clearAll,
    decryptAll: setWhenEncrypted ? clearAll : setAll,
    count(entries: BigUint64Array, start = 0, end = entries?.length ?? 0): MarkingCount {
      const table = checkSpan(entries, start, end);
      const simd = simdKernelsOf(table.buffer);
      const set = simd
        ? simd.count(table.byteOffset + start * 8, table.byteOffset + end * 8, entryBit)
        : countSpan(table, start, end, word);
      const unset = end - start - set;
      return setWhenEncrypted ? { encrypted: set, decrypted: unset } : { encrypted: unset, decrypted: set };
    },
  });
  return self;
}

/** Creates a marking from a one-bit mask such as `1n << 51n` (one format storing it in place). */
export function createMarkingFromMask(mask: bigint, encryptedWhen: EncryptedWhen, input = 'mask'): Marking {
  return createMarking({ maskBit: maskBitOf(mask, input), encryptedWhen }, input);
}
