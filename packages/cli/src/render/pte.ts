import type { ConversionProtocol, EncryptedWhen } from '@coco/core';
import { safeText } from './safe-text.js';
import type { Style } from './style.js';

/** One flag bit of an entry format, one letter each in the drawing. */
export interface EntryFlag {
  readonly bit: number;
  readonly letter: string;
  readonly name: string;
}

/** A page-table entry's flag bits (Intel SDM vol. 3A §4.5, AMD APM vol. 2 §5.4), one letter each. */
export const PTE_FLAGS: readonly EntryFlag[] = Object.freeze([
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

/** The physical-address field of an x86-64 entry: bits 12..51. */
export const PHYSICAL_ADDRESS_LOW = 12;
export const PHYSICAL_ADDRESS_HIGH = 51;

/**
 * The flag bits of an arm64 stage-1 page descriptor (Arm ARM, VMSAv8-64 "Block and Page descriptor
 * formats"; the kernel's PTE_* in arch/arm64/include/asm/pgtable-hwdef.h).
 */
export const ARM64_FLAGS: readonly EntryFlag[] = Object.freeze([
  { bit: 54, letter: 'X', name: 'UXN' },
  { bit: 53, letter: 'p', name: 'PXN' },
  { bit: 52, letter: 'C', name: 'Cont' },
  { bit: 51, letter: 'M', name: 'DBM' },
  { bit: 50, letter: 'G', name: 'GP' },
  { bit: 11, letter: 'n', name: 'nG' },
  { bit: 10, letter: 'F', name: 'AF' },
  { bit: 5, letter: 'S', name: 'NS' },
  { bit: 1, letter: 'T', name: 'page' },
  { bit: 0, letter: 'V', name: 'valid' },
]);

/** A field of an entry format, bits `hi..lo`, drawn under those bits. */
interface Segment {
  readonly hi: number;
  readonly lo: number;
  readonly label: string;
}

/**
 * Where an entry format keeps the output (physical) address: `low..` bits in place up to `high`,
 * and, for 52-bit arm64 formats, address bits `movedFrom..51` stored at entry bits `movedTo..`.
 */
interface AddressField {
  readonly low: number;
  readonly high: number;
  readonly moved?: { readonly from: number; readonly to: number; readonly width: number };
}

/** How `coco pte` draws one entry format. */
export interface EntryLayout {
  readonly id: string;
  readonly segments: readonly Segment[];
  readonly flags: readonly EntryFlag[];
  readonly address: AddressField | null;
  /** A line saying where the format keeps address bits it does not keep in place. */
  readonly note?: string;
}

const X86_64: EntryLayout = {
  id: 'x86-64',
  segments: [
    { hi: 62, lo: 52, label: 'ign/PK' },
    { hi: 51, lo: 12, label: 'physical address 51..12' },
    { hi: 11, lo: 9, label: 'avl' },
  ],
  flags: PTE_FLAGS,
  address: { low: PHYSICAL_ADDRESS_LOW, high: PHYSICAL_ADDRESS_HIGH },
};

/**
 * The arm64 page descriptor of a granule, with 48-bit or 52-bit output addresses. With 52 bits the
 * 4 KiB and 16 KiB granules (FEAT_LPA2, TCR_ELx.DS = 1) keep OA[49:48] in place and OA[51:50] at
 * bits 9:8 (where SH was); the 64 KiB granule (FEAT_LPA) keeps OA[51:48] at bits 15:12. The kernel's
 * PTE_ADDR_HIGH: `0x3 << 8` (LPA2), `0xf << 12` (64K).
 */
function arm64Layout(id: string, shift: 12 | 14 | 16, pa52: boolean): EntryLayout {
  const lpa2 = pa52 && shift !== 16;
  const top = lpa2 ? 49 : 47;
  const segments: Segment[] = [
    { hi: 63, lo: 63, label: 'i' },
    { hi: 62, lo: 59, label: 'PBHA' },
    { hi: 58, lo: 55, label: 'sw' },
  ];
  if (!lpa2) segments.push({ hi: 49, lo: 48, label: 'r0' });
  segments.push({ hi: top, lo: shift, label: `output address ${top}..${shift}` });
  if (shift === 16 && pa52) segments.push({ hi: 15, lo: 12, label: 'OA51' });
  else if (shift > 12) segments.push({ hi: shift - 1, lo: 12, label: 'r0' });
  segments.push(
    lpa2 ? { hi: 9, lo: 8, label: 'OA' } : { hi: 9, lo: 8, label: 'SH' },
    { hi: 7, lo: 6, label: 'AP' },
    { hi: 4, lo: 2, label: 'Idx' },
  );
  const moved = !pa52 ? undefined : lpa2 ? { from: 50, to: 8, width: 2 } : { from: 48, to: 12, width: 4 };
  return {
    id,
    segments,
    flags: ARM64_FLAGS,
    address: { low: shift, high: top, ...(moved && { moved }) },
    ...(moved && {
      note: `address bits ${moved.from + moved.width - 1}..${moved.from} are kept at entry bits ${moved.to + moved.width - 1}..${moved.to}`,
    }),
  };
}

/** The entry formats `coco pte` can draw, by the id types give them (`marking.format.id`). */
export const ENTRY_LAYOUTS: ReadonlyMap<string, EntryLayout> = new Map(
  [
    X86_64,
    arm64Layout('arm64-4k', 12, false),
    arm64Layout('arm64-16k', 14, false),
    arm64Layout('arm64-64k', 16, false),
    arm64Layout('arm64-4k-lpa2', 12, true),
    arm64Layout('arm64-16k-lpa2', 14, true),
    arm64Layout('arm64-64k-lpa', 16, true),
  ].map((l) => [l.id, l]),
);

/** Everything one drawing needs. */
export interface PteDrawing {
  readonly before: bigint;
  /** The marked value; `null` when only decoding. */
  readonly after: bigint | null;
  /** The address bit (C-bit, shared bit, vTOM bit). */
  readonly maskBit: number;
  /** The entry bit that holds it in this format (`maskBit` when in place). */
  readonly entryBit?: number;
  /** The entry format's id and title (`arm64-4k-lpa2`); without it, x86-64. */
  readonly format?: { readonly id: string; readonly title: string };
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
const ones = (width: number) => (1n << BigInt(width)) - 1n;

function field(width: number, label: string): string {
  if (width <= label.length + 1) return label.slice(0, width).padEnd(width);
  const inner = width - 2;
  const left = Math.floor((inner - label.length) / 2);
  return `<${'-'.repeat(left)}${label}${'-'.repeat(inner - left - label.length)}>`;
}

function bits(value: bigint, entryBit: number, style: Style): string {
  let out = '';
  for (let bit = 63; bit >= 0; bit--) {
    const digit = String(bitOf(value, bit));
    out += bit === entryBit ? style.mark(digit) : digit;
  }
  return out;
}

/** The physical address an x86-64 entry holds, without the mask bit (the kernel treats it as a flag). */
export function physicalAddress(value: bigint, maskBit: number): bigint {
  return addressOf(X86_64, value, maskBit, maskBit) ?? 0n;
}

/**
 * The output address an entry of `layout` holds, with the moved high bits put back in place and
 * the type's address bit cleared; `null` for a format coco cannot decode.
 */
export function addressOf(
  layout: EntryLayout,
  value: bigint,
  maskBit: number,
  entryBit: number,
): bigint | null {
  const a = layout.address;
  if (!a) return null;
  const entry = value & ~(1n << BigInt(entryBit));
  let address = entry & (ones(a.high + 1) ^ ones(a.low));
  if (a.moved) address |= ((entry >> BigInt(a.moved.to)) & ones(a.moved.width)) << BigInt(a.moved.from);
  return address & ~(1n << BigInt(maskBit));
}

/** The fields row: each segment drawn under its bits, flags by their letter, the rest blank. */
function fieldsRow(layout: EntryLayout): string {
  let out = '';
  for (let bit = 63; bit >= 0; ) {
    const segment = layout.segments.find((s) => s.hi === bit);
    if (segment) {
      out +=
        segment.hi === segment.lo
          ? segment.label.slice(0, 1)
          : field(segment.hi - segment.lo + 1, segment.label);
      bit = segment.lo - 1;
      continue;
    }
    out += layout.flags.find((f) => f.bit === bit)?.letter ?? '.';
    bit--;
  }
  return out;
}

/** Draws the 64-bit layout: bit numbers, the value(s), the entry bit marked, the fields, a table. */
export function renderPte(d: PteDrawing, style: Style): string {
  const pad = (text: string) => text.padEnd(LABEL);
  const state = (v: bigint) => (d.isEncrypted(v) ? 'encrypted' : 'decrypted');
  const maskName = safeText(d.maskName);
  const entryBit = d.entryBit ?? d.maskBit;
  const layout = ENTRY_LAYOUTS.get(d.format?.id ?? 'x86-64');
  const moved = entryBit !== d.maskBit;
  let out = moved
    ? `${style.bold(`${safeText(d.typeLabel)}: ${maskName}: address bit ${d.maskBit}, at entry bit ${entryBit}; a page is encrypted when it is ${d.encryptedWhen}`)}\n`
    : `${style.bold(`${safeText(d.typeLabel)}: ${maskName} ${d.maskBit}, a page is encrypted when it is ${d.encryptedWhen}`)}\n`;
  if (d.format) out += `${pad('format')}${safeText(d.format.title)} (${safeText(d.format.id)})\n`;
  out += '\n';
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
  for (const [label, value] of rows) out += `${pad(label)}${bits(value, entryBit, style)}\n`;
  const caret = ' '.repeat(63 - entryBit);
  out += moved
    ? `${pad('')}${caret}^ bit ${entryBit}: ${maskName} (address bit ${d.maskBit}), encrypted when ${d.encryptedWhen}\n`
    : `${pad('')}${caret}^ bit ${entryBit}: ${maskName}, encrypted when ${d.encryptedWhen}\n`;
  if (layout) {
    out += `${pad('fields')}${fieldsRow(layout)}\n`;
    out += `${pad('')}${style.dim(layout.flags.map((f) => `${f.letter}=${f.name}`).join(' '))}\n`;
    if (layout.note) out += `${pad('')}${style.dim(layout.note)}\n`;
  } else {
    out += `${pad('fields')}(coco does not know the fields of this entry format)\n`;
  }
  out += '\n';
  const flagNames = (value: bigint): string => {
    const set = (layout?.flags ?? []).filter((f) => bitOf(value, f.bit) === 1).map((f) => f.name);
    return set.length > 0 ? set.join(' ') : '(none)';
  };
  const col = (text: string) => text.padEnd(24);
  const table: [string, (v: bigint) => string][] = [['value', hex]];
  if (layout?.address)
    table.push(['address', (v) => `0x${(addressOf(layout, v, d.maskBit, entryBit) ?? 0n).toString(16)}`]);
  table.push([`bit ${entryBit}`, (v) => `${bitOf(v, entryBit)} (${state(v)})`]);
  if (layout) table.push(['flags', flagNames]);
  if (d.after !== null) out += `${pad('')}${col('before')}after (${d.action})\n`;
  for (const [label, show] of table) {
    out += `${pad(label)}${d.after === null ? show(d.before) : `${col(show(d.before))}${show(d.after)}`}\n`;
  }
  return out;
}

/** What `coco pte` prints for a type without a page-table bit: how it shares pages instead. */
export function renderNoBit(
  typeLabel: string,
  maskName: string,
  conversion: ConversionProtocol | null,
  style: Style,
): string {
  let out = `${style.bold(`${safeText(typeLabel)}: no page-table bit: pages are shared by ${safeText(maskName)}`)}\n`;
  out += 'No entry bit changes when a page is shared or made private, so there is no entry to draw.\n';
  if (!conversion) return out;
  out += `\nConversion: ${safeText(conversion.name)}\n`;
  out += `  mechanism   ${safeText(conversion.mechanism)}\n`;
  const batch =
    conversion.batchLimit === null
      ? `unbounded ${safeText(conversion.batchUnit)} per call`
      : `${conversion.batchLimit} ${safeText(conversion.batchUnit)} per call`;
  out += `  batch       ${batch}\n`;
  out += `  page sizes  ${conversion.pageSizes.map((s) => (s % 1024 === 0 ? `${s / 1024} KiB` : `${s} B`)).join(', ')}\n`;
  out += `  retry       ${conversion.retry === null ? 'none' : safeText(conversion.retry)}\n`;
  const steps = (title: string, list: ConversionProtocol['toShared']) => {
    out += `  ${title}\n`;
    list.forEach((s, i) => {
      out += `    ${i + 1}. ${safeText(s.kind)}: ${safeText(s.detail)}\n`;
    });
  };
  steps('to shared (decrypt):', conversion.toShared);
  steps('to private (encrypt):', conversion.toPrivate);
  return out;
}
