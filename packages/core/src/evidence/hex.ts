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

/** {@link parseHex} for a 32-bit register, as a number. */
export function parseHex32(
  text: unknown,
  where: { input: string; location: string; code: CocoErrorCode },
): number {
  return Number(parseHex(text, 32, where));
}
