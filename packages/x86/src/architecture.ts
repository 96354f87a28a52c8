import type { Evidence } from '@coco/core';

/**
 * Whether the evidence's `/proc/cpuinfo` shows an x86 CPU: `true` when it has x86's `vendor_id`
 * (any vendor but s390's `IBM/S390`) or `flags` (arch/x86/kernel/cpu/proc.c `show_cpuinfo`);
 * `false` when cpuinfo fields were read and show neither (an arm64, s390x, ppc64 or riscv64
 * machine); `undefined` when no cpuinfo field is in the evidence. An x86 backend can return `null`
 * (not its kind of machine) on `false` instead of "cannot tell".
 */
export function cpuinfoShowsX86(evidence: Evidence): boolean | undefined {
  if (evidence.cpuinfo.size === 0) return undefined;
  const vendor = evidence.cpuinfo.get('vendor_id')?.value.trim();
  if (vendor === 'IBM/S390') return false;
  return vendor !== undefined || evidence.cpuinfo.has('flags');
}
