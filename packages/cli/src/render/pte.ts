import type { EncryptedWhen } from '@coco/core';
import { safeText } from './safe-text.js';
import type { Style } from './style.js';

/** A page-table entry's flag bits (Intel SDM vol. 3A §4.5, AMD APM vol. 2 §5.4), one letter each. */
export const PTE_FLAGS: readonly { readonly bit: number; readonly letter: string; readonly name: string }[] =
  Object.freeze([
    { bit: 63, letter: 'X', name: 'NX' },
    { bit: 8, letter: 'G', name: 'G' },
    { bit: 7, letter: 'S', name: 'PS/PAT' },
    { bit: 6, letter: 'D', name: 'D' },
    { bit: 5, letter: 'A', name: 'A' },
    { bit: 4, letter: 'C', name: 'PCD' },
    { bit: 3, letter: 'T', name: 'PWT' },
    { bit: 2, letter: 'U', name: 'US' },
    { bit: 1, letter: 'W', name: 'RW' },
    { bit: 0, letter: 'P', name: 'P' },
  ]);

/** The physical-address field of an entry: bits 12..51. */
export const PHYSICAL_ADDRESS_LOW = 12;
export const PHYSICAL_ADDRESS_HIGH = 51;

/** Everything one drawing needs. */
export interface PteDrawing {
  readonly before: bigint;
  /** The marked value; `null` when only decoding. */
  readonly after: bigint | null;
  readonly maskBit: number;
  readonly maskName: string;
  readonly encryptedWhen: EncryptedWhen;
  /** Type label, such as `amd-cbit (sev-snp)`. */
  readonly typeLabel: string;
  readonly action: 'encrypt' | 'decrypt' | 'decode';
  isEncrypted(value: bigint): boolean;
}

const LABEL = 12;
const hex = (v: bigint) => `0x${v.toString(16).padStart(16, '0')}`;
const bitOf = (value: bigint, bit: number) => Number((value >> BigInt(bit)) & 1n);

function field(width: number, label: string): string {
  if (width <= label.length + 1) return label.slice(0, width).padEnd(width);
  const inner = width - 2;
  const left = Math.floor((inner - label.length) / 2);
  return `<${'-'.repeat(left)}${label}${'-'.repeat(inner - left - label.length)}>`;
}

function bits(value: bigint, maskBit: number, style: Style): string {
  let out = '';
  for (let bit = 63; bit >= 0; bit--) {
    const digit = String(bitOf(value, bit));
    out += bit === maskBit ? style.mark(digit) : digit;
  }
  return out;
}

/** The physical address an entry holds, without the mask bit (the kernel treats it as a flag). */
export function physicalAddress(value: bigint, maskBit: number): bigint {
  const field =
    ((1n << BigInt(PHYSICAL_ADDRESS_HIGH + 1)) - 1n) ^ ((1n << BigInt(PHYSICAL_ADDRESS_LOW)) - 1n);
  return value & field & ~(1n << BigInt(maskBit));
}

function flagNames(value: bigint): string {
  const set = PTE_FLAGS.filter((f) => bitOf(value, f.bit) === 1).map((f) => f.name);
  return set.length > 0 ? set.join(' ') : '(none)';
}

/** Draws the 64-bit layout: bit numbers, the value(s), the mask bit marked, the fields, a table. */
export function renderPte(d: PteDrawing, style: Style): string {
  const pad = (text: string) => text.padEnd(LABEL);
  const state = (v: bigint) => (d.isEncrypted(v) ? 'encrypted' : 'decrypted');
  const maskName = safeText(d.maskName);
  let out = `${style.bold(`${safeText(d.typeLabel)}: ${maskName} ${d.maskBit}, a page is encrypted when it is ${d.encryptedWhen}`)}\n\n`;
  let tens = '';
  let units = '';
  for (let bit = 63; bit >= 0; bit--) {
    tens += String(Math.floor(bit / 10));
    units += String(bit % 10);
  }
  out += `${pad('')}${style.dim(tens)}\n${pad('bit')}${style.dim(units)}\n`;
  const rows: [string, bigint][] =
    d.after === null
      ? [['value', d.before]]
      : [
          ['before', d.before],
          ['after', d.after],
        ];
  for (const [label, value] of rows) out += `${pad(label)}${bits(value, d.maskBit, style)}\n`;
  const caret = ' '.repeat(63 - d.maskBit);
  out += `${pad('')}${caret}^ bit ${d.maskBit}: ${maskName}, encrypted when ${d.encryptedWhen}\n`;
  const flags = PTE_FLAGS.filter((f) => f.bit <= 8)
    .map((f) => f.letter)
    .join('');
  out += `${pad('fields')}X${field(11, 'ign/PK')}${field(40, 'physical address 51..12')}avl${flags}\n`;
  out += `${pad('')}${style.dim(PTE_FLAGS.map((f) => `${f.letter}=${f.name}`).join(' '))}\n\n`;
  const col = (text: string) => text.padEnd(24);
  const table: [string, (v: bigint) => string][] = [
    ['value', hex],
    ['address', (v) => `0x${physicalAddress(v, d.maskBit).toString(16)}`],
    [`bit ${d.maskBit}`, (v) => `${bitOf(v, d.maskBit)} (${state(v)})`],
    ['flags', flagNames],
  ];
  if (d.after !== null) out += `${pad('')}${col('before')}after (${d.action})\n`;
  for (const [label, show] of table) {
    out += `${pad(label)}${d.after === null ? show(d.before) : `${col(show(d.before))}${show(d.after)}`}\n`;
  }
  return out;
}
