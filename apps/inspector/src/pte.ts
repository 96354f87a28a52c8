// The page-table entry model the diagram draws (the ideas of packages/cli/src/render/pte.ts).

/** The flag bits of an x86-64 page-table entry (Intel SDM vol. 3A §4.5, AMD APM vol. 2 §5.4). */
export const PTE_FLAGS: readonly { readonly bit: number; readonly name: string; readonly meaning: string }[] =
  [
    { bit: 63, name: 'NX', meaning: 'no execute' },
    { bit: 8, name: 'G', meaning: 'global' },
    { bit: 7, name: 'PS/PAT', meaning: 'page size, or PAT in a 4 KiB entry' },
    { bit: 6, name: 'D', meaning: 'dirty' },
    { bit: 5, name: 'A', meaning: 'accessed' },
    { bit: 4, name: 'PCD', meaning: 'cache disable' },
    { bit: 3, name: 'PWT', meaning: 'write through' },
    { bit: 2, name: 'US', meaning: 'user' },
    { bit: 1, name: 'RW', meaning: 'writable' },
    { bit: 0, name: 'P', meaning: 'present' },
  ];

/** The physical-address field: bits 12..51. */
export const ADDRESS_LOW = 12;
export const ADDRESS_HIGH = 51;

/** What a bit of the entry is, for colours and labels. */
export type BitRole = 'mask' | 'flag' | 'address' | 'nx' | 'ignored';

export function bitRole(bit: number, maskBit: number | null): BitRole {
  if (bit === maskBit) return 'mask';
  if (bit === 63) return 'nx';
  if (PTE_FLAGS.some((f) => f.bit === bit)) return 'flag';
  if (bit >= ADDRESS_LOW && bit <= ADDRESS_HIGH) return 'address';
  return 'ignored';
}

/** A name for a bit: the flag's, the mask's, or its field. */
export function bitName(bit: number, maskBit: number | null, maskName: string): string {
  if (bit === maskBit) return maskName;
  const flag = PTE_FLAGS.find((f) => f.bit === bit);
  if (flag) return flag.name;
  if (bit >= ADDRESS_LOW && bit <= ADDRESS_HIGH) return 'address';
  if (bit >= 52) return 'ignored or protection key';
  return 'available to software';
}

export const bitOf = (value: bigint, bit: number): 0 | 1 => ((value >> BigInt(bit)) & 1n ? 1 : 0);

export const toggleBit = (value: bigint, bit: number): bigint => value ^ (1n << BigInt(bit));

/** The physical address an entry holds, without the mask bit (the kernel treats it as a flag). */
export function physicalAddress(value: bigint, maskBit: number | null): bigint {
  const field = ((1n << BigInt(ADDRESS_HIGH + 1)) - 1n) ^ ((1n << BigInt(ADDRESS_LOW)) - 1n);
  const mask = maskBit === null ? 0n : 1n << BigInt(maskBit);
  return value & field & ~mask;
}

/** The names of the flags set in an entry, or `(none)`. */
export function flagNames(value: bigint): string {
  const set = PTE_FLAGS.filter((f) => bitOf(value, f.bit) === 1).map((f) => f.name);
  return set.length > 0 ? set.join(' ') : '(none)';
}

export const hex64 = (value: bigint): string => `0x${value.toString(16).padStart(16, '0')}`;

/** Reads a typed value: `0x` hex or decimal, 0..2^64-1; `null` when it is not one. */
export function parseEntry(text: string): bigint | null {
  const t = text.trim().replace(/_/g, '');
  let value: bigint;
  if (/^0x[0-9a-f]{1,16}$/i.test(t)) value = BigInt(t);
  else if (/^[0-9]{1,20}$/.test(t)) value = BigInt(t);
  else return null;
  return value >> 64n === 0n ? value : null;
}
