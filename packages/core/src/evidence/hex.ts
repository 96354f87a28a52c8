import { CocoError, type CocoErrorCode, CocoRangeError, describeValue } from '../errors.js';

const HEX = /^0[xX]([0-9a-fA-F]{1,64})$/;

/**
 * Parses a `0x`-prefixed hex string of at most `bits` bits (leading zeros allowed). Errors name
 * the input and location and say how wide the value may be.
 */
export function parseHex(
  text: unknown,
  bits: 32 | 64,
  where: { input: string; location: string; code: CocoErrorCode },
): bigint {
  const match = typeof text === 'string' ? HEX.exec(text) : null;
  if (!match) {
    throw new CocoError(where.code, `${describeValue(text)} is not a 0x-prefixed hex number`, {
      input: where.input,
      location: where.location,
      fix: `write a hex string such as "0x1f" (at most ${bits} bits)`,
    });
  }
  const value = BigInt(`0x${match[1]}`);
  if (value >> BigInt(bits) !== 0n) {
    throw new CocoRangeError(`${text as string} is wider than ${bits} bits`, {
      input: where.input,
      location: where.location,
      fix: `use a value from 0x0 to 0x${'f'.repeat(bits / 4)}`,
    });
  }
  return value;
}

/**
 * The value of `0x` and one to eight hex digits, or -1 for any other text: a register's usual
 * spelling read without a regular expression or a bigint (snapshots hold thousands of them).
 */
export function shortHex(text: string): number {
  const length = text.length;
  if (length < 3 || length > 10 || text.charCodeAt(0) !== 0x30 /* 0 */) return -1;
  const x = text.charCodeAt(1);
  if (x !== 0x78 /* x */ && x !== 0x58 /* X */) return -1;
  let value = 0;
  for (let i = 2; i < length; i++) {
    const c = text.charCodeAt(i);
    let digit: number;
    if (c >= 0x30 && c <= 0x39) digit = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) digit = c - 0x57;
    else if (c >= 0x41 && c <= 0x46) digit = c - 0x37;
    else return -1;
    value = value * 16 + digit;
  }
  return value;
}

/** {@link parseHex} for a 32-bit register, as a number. */
export function parseHex32(
  text: unknown,
  where: { input: string; location: string; code: CocoErrorCode },
): number {
  if (typeof text === 'string') {
    const value = shortHex(text);
    if (value >= 0) return value;
  }
  // Longer spellings (leading zeros), and the errors.
  return Number(parseHex(text, 32, where));
}
