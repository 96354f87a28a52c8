import { hypervisorSignature } from './cpuid.js';
import type { CpuidRecord } from './facts.js';

// Hyper-V's CPUID leaves (arch/x86/include/asm/hyperv-tlfs.h and include/hyperv/hvgdk_mini.h, v6.18;
// the Hyper-V TLFS). Here because both Linux's and systemd's x86 procedures read them.
/** The signature Hyper-V returns in CPUID 0x40000000 EBX, ECX, EDX. */
export const HYPERV_SIGNATURE = 'Microsoft Hv';
/** The lowest maximum hypervisor leaf Linux and systemd accept for Hyper-V (`HYPERV_CPUID_MIN`). */
export const HYPERV_MAX_LEAF_MIN = 0x4000_0005;
/** The highest maximum hypervisor leaf Linux and systemd accept for Hyper-V (`HYPERV_CPUID_MAX`). */
export const HYPERV_MAX_LEAF_MAX = 0x4000_ffff;
/** CPUID 0x40000003: partition privileges; EBX is the high half Linux prints as `high`. */
export const HYPERV_FEATURES = 0x4000_0003;
/** CPUID 0x4000000C: the isolation configuration (EAX Group A, EBX Group B). */
export const HYPERV_ISOLATION_CONFIG = 0x4000_000c;
/** CPUID 0x40000003 EBX bit 22: the partition is isolated (a confidential VM). */
export const HYPERV_ISOLATION_BIT = 22;
/** CPUID 0x40000003 EBX bit 12: CPU management (the root partition). */
export const HYPERV_CPU_MANAGEMENT_BIT = 12;
/** CPUID 0x4000000C EBX[3:0], the isolation type (`HV_ISOLATION_TYPE_*`). */
export const HYPERV_ISOLATION_TYPES = Object.freeze({ none: 0, vbs: 1, snp: 2, tdx: 3 } as const);

/** Whether CPUID 0x40000000 is Hyper-V's as Linux (`ms_hyperv_platform`) and systemd accept it. */
export function isHypervLeaf(record: Pick<CpuidRecord, 'eax' | 'ebx' | 'ecx' | 'edx'>): boolean {
  const max = record.eax >>> 0;
  return (
    max >= HYPERV_MAX_LEAF_MIN &&
    max <= HYPERV_MAX_LEAF_MAX &&
    hypervisorSignature(record) === HYPERV_SIGNATURE
  );
}

/** Whether CPUID 0x40000003 EBX says an isolated guest: bit 22 set and bit 12 clear. */
export function isIsolatedPartition(privilegesHigh: number): boolean {
  return (
    ((privilegesHigh >>> HYPERV_ISOLATION_BIT) & 1) === 1 &&
    ((privilegesHigh >>> HYPERV_CPU_MANAGEMENT_BIT) & 1) === 0
  );
}
