import { CocoError, CocoRangeError, describeValue } from './errors.js';
import { andSpan, checkSpan, countSpan, orSpan, wordGeometry } from './marking-words.js';

/** Whether a page is encrypted (private) when the type's bit is `set` or when it is `clear`. */
export type EncryptedWhen = 'set' | 'clear';

/** The lowest bit a mask may use: bit 12, the bottom of a page-table entry's physical-address field. */
export const MASK_BIT_MIN = 12;
/** The highest bit a mask may use: bit 51, the top of a page-table entry's physical-address field. */
export const MASK_BIT_MAX = 51;
const U64_MAX = (1n << 64n) - 1n;

/**
 * How one type marks a 64-bit page-table entry or physical address encrypted or decrypted.
 * `encrypt` and `decrypt` hide the polarity: callers never need to know whether the bit is set or
 * cleared for a private page.
 */
export interface Marking {
  /** The one bit that carries the encryption state, as a mask. */
  readonly mask: bigint;
  /** The position of that bit, 12..51. */
  readonly maskBit: number;
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
  /** Bit position 12..51. */
  readonly maskBit: number;
  /** Whether the bit is `set` or `clear` on an encrypted (private) entry. */
  readonly encryptedWhen: EncryptedWhen;
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
      fix: 'use "set" (C-bit style) or "clear" (TDX and vTOM style)',
    },
  );
}

/** The bit position of a mask with exactly one bit inside 12..51; throws `MASK_INVALID` otherwise. */
export function maskBitOf(mask: bigint, input = 'mask'): number {
  if (typeof mask === 'bigint' && mask > 0n && (mask & (mask - 1n)) === 0n) {
    const bit = mask.toString(2).length - 1;
    if (bit >= MASK_BIT_MIN && bit <= MASK_BIT_MAX) return bit;
  }
  throw new CocoRangeError(
    `mask ${describeValue(mask)} is not exactly one bit inside bits ${MASK_BIT_MIN}..${MASK_BIT_MAX}`,
    { input, fix: 'pass a power of two from 0x1000n (bit 12) to 0x8000000000000n (bit 51)' },
    'MASK_INVALID',
  );
}

/** Creates a marking for one bit and polarity; throws `MASK_INVALID` for a bit outside 12..51. */
export function createMarking(spec: MarkingSpec, input = 'marking'): Marking {
  const maskBit = checkBit(spec?.maskBit, `${input}.maskBit`);
  const encryptedWhen = checkPolarity(spec?.encryptedWhen, `${input}.encryptedWhen`);
  const mask = 1n << BigInt(maskBit);
  const notMask = U64_MAX ^ mask;
  const setWhenEncrypted = encryptedWhen === 'set';
  const word = wordGeometry(maskBit);

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
  const setAll = (entries: BigUint64Array, start = 0, end = entries?.length ?? 0): BigUint64Array => {
    checkSpan(entries, start, end);
    orSpan(entries, start, end, word);
    return entries;
  };
  const clearAll = (entries: BigUint64Array, start = 0, end = entries?.length ?? 0): BigUint64Array => {
    checkSpan(entries, start, end);
    andSpan(entries, start, end, word);
    return entries;
  };

  return Object.freeze({
    mask,
    maskBit,
    encryptedWhen,
    encrypt: setWhenEncrypted ? setBit : clearBit,
    decrypt: setWhenEncrypted ? clearBit : setBit,
    isEncrypted: setWhenEncrypted ? isSet : isClear,
    encryptAll: setWhenEncrypted ? setAll : clearAll,
    decryptAll: setWhenEncrypted ? clearAll : setAll,
    count(entries: BigUint64Array, start = 0, end = entries?.length ?? 0): MarkingCount {
      checkSpan(entries, start, end);
      const set = countSpan(entries, start, end, word);
      const unset = end - start - set;
      return setWhenEncrypted ? { encrypted: set, decrypted: unset } : { encrypted: unset, decrypted: set };
    },
  });
}

/** Creates a marking from a one-bit mask such as `1n << 51n`. */
export function createMarkingFromMask(mask: bigint, encryptedWhen: EncryptedWhen, input = 'mask'): Marking {
  return createMarking({ maskBit: maskBitOf(mask, input), encryptedWhen }, input);
}
