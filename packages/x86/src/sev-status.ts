import { CocoRangeError, describeValue } from '@coco/core';

/** The SEV status MSR (`MSR_AMD64_SEV`), read by a guest to learn which SEV features are active. */
export const SEV_STATUS_MSR = 0xc001_0131;

/** One named bit of the SEV status MSR. */
export interface SevStatusBit {
  readonly bit: number;
  /** The name as the newest kernel prints it in `SEV: Status: ...`. */
  readonly name: string;
  /** Other spellings seen in kernel logs for the same bit (the first posting of the 2024 patch). */
  readonly aliases: readonly string[];
}

// arch/x86/coco/sev/core.c sev_status_feat_names[] (v6.9 added the table in arch/x86/kernel/sev.c;
// SecureAVIC bit 18 about v6.18, IBPBOnEntry bit 23 after it). The spaced aliases are the spellings of
// the first posting of "x86/sev: Dump SEV_STATUS" (LKML, 2024-02-13), renamed before the merge.
const TABLE: readonly (readonly [number, string, ...string[]])[] = [
  [0, 'SEV'],
  [1, 'SEV-ES'],
  [2, 'SEV-SNP'],
  [3, 'vTom'],
  [4, 'ReflectVC', 'Reflect VC'],
  [5, 'RI'],
  [6, 'AI'],
  [7, 'DebugSwap'],
  [8, 'NoHostIBS', 'No HostIBS'],
  [9, 'BTBIsol', 'BTB Isol'],
  [10, 'VmplSSS'],
  [11, 'SecureTSC', 'Secure TSC'],
  [12, 'VMGExitParam', 'VMGExit param'],
  [14, 'IBSVirt', 'IBS Virt'],
  [16, 'VMSARegProt', 'VMSA reg prot'],
  [17, 'SMTProt', 'SMT prot'],
  [18, 'SecureAVIC'],
  [23, 'IBPBOnEntry'],
];

/** Every named SEV status bit, lowest first. */
export const SEV_STATUS_BITS: readonly SevStatusBit[] = Object.freeze(
  TABLE.map(([bit, name, ...aliases]) => Object.freeze({ bit, name, aliases: Object.freeze(aliases) })),
);

/** Bit positions the variant and the attributes read (arch/x86/include/asm/msr-index.h, v6.18). */
export const SEV_BIT = {
  sev: 0,
  sevEs: 1,
  sevSnp: 2,
  vtom: 3,
  secureTsc: 11,
  secureAvic: 18,
} as const;

/** What {@link decodeSevStatus} returns. */
export interface DecodedSevStatus {
  readonly value: bigint;
  /** Named set bits, lowest first, with the kernel's names. */
  readonly bits: readonly { readonly bit: number; readonly name: string }[];
  /** The names alone, in the order the kernel prints them. */
  readonly names: readonly string[];
  /** Set bits the kernel has no name for (reserved), lowest first. */
  readonly unknownBits: readonly number[];
}

const U64_MAX = (1n << 64n) - 1n;
const BY_BIT = new Map(SEV_STATUS_BITS.map((b) => [b.bit, b]));

/** True when bit `bit` of `value` is set. */
export function bitSet(value: bigint, bit: number): boolean {
  return ((value >> BigInt(bit)) & 1n) === 1n;
}

/**
 * Decodes a SEV status MSR value: every named set bit to the name the kernel prints, and every
 * other set bit by number. `0x103df` (an Azure SNP guest) gives SEV SEV-ES SEV-SNP vTom ReflectVC AI
 * DebugSwap NoHostIBS BTBIsol VMSARegProt.
 */
export function decodeSevStatus(value: bigint): DecodedSevStatus {
  if (typeof value !== 'bigint' || value < 0n || value > U64_MAX) {
    throw new CocoRangeError(`${describeValue(value)} is not a 64-bit SEV status value`, {
      input: 'sevStatus',
      fix: 'pass the MSR 0xc0010131 value as a bigint from 0n to 0xffffffffffffffffn',
    });
  }
  const bits: { bit: number; name: string }[] = [];
  const unknownBits: number[] = [];
  for (let bit = 0; bit < 64; bit++) {
    if (!bitSet(value, bit)) continue;
    const named = BY_BIT.get(bit);
    if (named) bits.push({ bit, name: named.name });
    else unknownBits.push(bit);
  }
  return Object.freeze({
    value,
    bits: Object.freeze(bits.map((b) => Object.freeze(b))),
    names: Object.freeze(bits.map((b) => b.name)),
    unknownBits: Object.freeze(unknownBits),
  });
}

/** One line for people: `0x103df (SEV SEV-ES ... VMSARegProt)`, unknown bits as `bit 13`. */
export function formatSevStatus(value: bigint): string {
  const d = decodeSevStatus(value);
  const parts = [...d.names, ...d.unknownBits.map((b) => `bit ${b}`)];
  return `0x${value.toString(16)}${parts.length > 0 ? ` (${parts.join(' ')})` : ''}`;
}

/** The amd-cbit variant a SEV status selects: bit 2 SNP, else bit 1 SEV-ES, else bit 0 SEV; 0 is no SEV. */
export function variantOfStatus(value: bigint): 'sev' | 'sev-es' | 'sev-snp' | null {
  if (bitSet(value, SEV_BIT.sevSnp)) return 'sev-snp';
  if (bitSet(value, SEV_BIT.sevEs)) return 'sev-es';
  if (bitSet(value, SEV_BIT.sev)) return 'sev';
  return null;
}

/**
 * Why a status cannot come from real hardware, or `null` when it can: every other bit needs bit 0
 * (SEV), and SEV-SNP needs SEV-ES.
 */
export function statusInconsistency(value: bigint): string | null {
  if (value !== 0n && !bitSet(value, SEV_BIT.sev)) return 'bits are set but bit 0 (SEV) is clear';
  if (bitSet(value, SEV_BIT.sevSnp) && !bitSet(value, SEV_BIT.sevEs))
    return 'bit 2 (SEV-SNP) is set but bit 1 (SEV-ES) is clear';
  return null;
}

// arch/x86/boot/compressed/sev.c (v6.18): SNP_FEATURES_IMPL_REQ, the features a guest must implement
// when the hypervisor turns them on (vTOM, ReflectVC, RI, AI, DebugSwap, VmplSSS, SecureTSC,
// VMGExitParam, VMSARegProt, the reserved bits 13 and 15, SecureAVIC and every bit from 19), less
// SNP_FEATURES_PRESENT, those the kernel implements (DebugSwap, SecureTSC, SecureAVIC).
const SNP_IMPL_REQ = [3, 4, 5, 6, 7, 10, 11, 12, 13, 15, 16, 18];
const SNP_PRESENT = new Set([7, 11, 18]);
const SNP_RESERVED_FROM = 19;

/**
 * The bits of an SEV-SNP status that the newest kernel refuses to boot with
 * (`snp_check_features` terminates the guest with GHCB_SNP_UNSUPPORTED): features it would have to
 * implement but does not. Empty for a status without SEV-SNP (bit 2), which the check skips. A
 * Hyper-V guest under a paravisor never runs this check (the C-bit path does not start there).
 */
export function snpUnsupportedBits(value: bigint): number[] {
  if (!bitSet(value, SEV_BIT.sevSnp)) return [];
  const bits = SNP_IMPL_REQ.filter((bit) => !SNP_PRESENT.has(bit) && bitSet(value, bit));
  for (let bit = SNP_RESERVED_FROM; bit < 64; bit++) if (bitSet(value, bit)) bits.push(bit);
  return bits;
}

/** The name of a status bit as the kernel prints it, or `bit N` for an unnamed one. */
export function sevStatusBitName(bit: number): string {
  return BY_BIT.get(bit)?.name ?? `bit ${bit}`;
}

/** Longest spelling first, so `Secure TSC` is matched before a shorter name could take `Secure`. */
export const SEV_STATUS_SPELLINGS: readonly (readonly [string, number])[] = Object.freeze(
  SEV_STATUS_BITS.flatMap((b) => [b.name, ...b.aliases].map((s) => [s, b.bit] as const)).sort(
    (a, b) => b[0].split(' ').length - a[0].split(' ').length,
  ),
);
