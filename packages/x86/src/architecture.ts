import type { Evidence } from '@coco/core';
import { hasCpuid, hasMsr } from './facts.js';

/**
 * Whether the evidence's `/proc/cpuinfo` shows an x86 CPU: `true` when it has x86's `vendor_id`
 * (any vendor but s390's `IBM/S390`) or `flags` (arch/x86/kernel/cpu/proc.c `show_cpuinfo`);
 * `false` when cpuinfo fields were read and show neither (an arm64, s390x, ppc64 or riscv64
 * machine); `undefined` when no cpuinfo field is in the evidence. An x86 backend can return `null`
 * (not its kind of machine) on `false` instead of "cannot tell".
 */
export function cpuinfoShowsX86(evidence: Evidence): boolean | undefined {
  if (!evidence.cpuinfo || evidence.cpuinfo.size === 0) return undefined;
  const vendor = evidence.cpuinfo.get('vendor_id')?.value.trim();
  if (vendor === 'IBM/S390') return false;
  return vendor !== undefined || evidence.cpuinfo.has('flags');
}

/**
 * True when the evidence is of a machine that is not x86: its cpuinfo shows another architecture
 * and it holds no CPUID or MSR fact. The x86 plugins answer `null` there (not their kind of
 * machine), never "cannot tell": nothing x86 could decide on an arm64 or s390x machine.
 */
export function notX86(evidence: Evidence): boolean {
  try {
    return cpuinfoShowsX86(evidence) === false && !hasCpuid(evidence) && !hasMsr(evidence);
  } catch {
    // Evidence that cannot be read is the plugin's own detection to report, not a reason to skip.
    return false;
  }
}
