/** The CPUID ranges live probing reads: each starts at a leaf whose EAX is the range's max leaf. */
export interface CpuidRange {
  readonly name: string;
  readonly first: number;
  /** Reads stop here even if the CPU claims a higher max leaf. */
  readonly cap: number;
}

// Intel SDM vol. 2A (CPUID); AMD APM vol. 3 (CPUID); Hyper-V TLFS "Hypervisor CPUID leaves".
export const CPUID_RANGES: readonly CpuidRange[] = Object.freeze([
  { name: 'basic', first: 0x0, cap: 0xff },
  { name: 'hypervisor', first: 0x4000_0000, cap: 0x4000_00ff },
  { name: 'extended', first: 0x8000_0000, cap: 0x8000_00ff },
]);

/**
 * Leaves with subleaves worth reading, and how many: leaf 7 (structured features) has subleaves
 * up to its subleaf-0 EAX; leaf 0xD (XSAVE) subleaves 0 and 1. Others are read at subleaf 0.
 */
export const SUBLEAVES: ReadonlyMap<number, { readonly max: number; readonly fromEax: boolean }> = new Map([
  [0x7, { max: 3, fromEax: true }],
  [0xd, { max: 1, fromEax: false }],
]);

/** CPUID 1 ECX bit 31: a hypervisor is present (Intel SDM, AMD APM). */
export const HYPERVISOR_PRESENT_BIT = 31;

/** Byte offset of a leaf/subleaf in `/dev/cpu/N/cpuid` (arch/x86/kernel/cpuid.c: leaf | subleaf << 32). */
export function cpuidOffset(leaf: number, subleaf: number): number {
  return leaf + subleaf * 0x1_0000_0000;
}

/** The MSRs live probing reads, only on AMD CPUs. */
export const AMD_MSRS: readonly { readonly index: number; readonly name: string }[] = Object.freeze([
  // arch/x86/include/asm/msr-index.h (v6.18): MSR_AMD64_SEV, MSR_AMD64_SYSCFG.
  { index: 0xc001_0131, name: 'SEV status' },
  { index: 0xc001_0010, name: 'SYSCFG' },
]);

/** The device nodes and sysfs/configfs entries whose existence is evidence (facts §7). */
export const EVIDENCE_FILES: readonly string[] = Object.freeze([
  '/dev/sev-guest',
  '/dev/tdx_guest',
  '/sys/kernel/config/tsm/report',
  '/sys/devices/system/cpu/sev/vmpl',
  '/sys/firmware/uv/prot_virt_guest',
  '/sys/devices/platform/arm-cca-dev',
]);

/** Where each source lives on the machine. */
export const PROBE_PATHS = Object.freeze({
  cpuid: '/dev/cpu/0/cpuid',
  msr: '/dev/cpu/0/msr',
  cpuinfo: '/proc/cpuinfo',
  kmsg: '/dev/kmsg',
});
