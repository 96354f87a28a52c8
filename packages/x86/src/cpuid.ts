import type { Evidence, Sourced } from '@coco/core';
import type { CpuidRecord } from './facts.js';
import { CPUID_FACT, cpuidOf } from './facts.js';

// Leaf numbers: Intel SDM vol. 2A and AMD APM vol. 3 (CPUID); Hyper-V TLFS for 0x4000_00xx.
/** CPUID 0: EAX the maximum basic leaf; EBX, EDX, ECX the vendor string. */
export const CPUID_VENDOR = 0x0;
/** CPUID 1: ECX bit 31 says a hypervisor is present. */
export const CPUID_FEATURES = 0x1;
/** CPUID 0x21: the TDX signature "IntelTDX    " (EBX, EDX, ECX). */
export const CPUID_TDX = 0x21;
/** CPUID 0x40000000: EAX the maximum hypervisor leaf; EBX, ECX, EDX the hypervisor signature. */
export const CPUID_HYPERVISOR = 0x4000_0000;
/** CPUID 0x80000000: EAX the maximum extended leaf. */
export const CPUID_EXTENDED = 0x8000_0000;
/** CPUID 0x8000001F: AMD memory encryption (SME, SEV, C-bit position). */
export const CPUID_MEM_ENCRYPT = 0x8000_001f;
/** CPUID 1 ECX bit 31: a hypervisor is present. */
export const HYPERVISOR_PRESENT_BIT = 31;

const hex = (n: number) => `0x${n.toString(16)}`;

/** The 12 bytes of three registers as text, little-endian each, NUL bytes kept as `\0`. */
export function registerText(a: number, b: number, c: number): string {
  let text = '';
  for (const reg of [a, b, c]) {
    for (let shift = 0; shift < 32; shift += 8) {
      const code = (reg >>> shift) & 0xff;
      text += code === 0 ? '\\0' : String.fromCharCode(code);
    }
  }
  return text;
}

/** The CPU vendor string of CPUID 0 (EBX, EDX, ECX): `AuthenticAMD`, `GenuineIntel`, `HygonGenuine`. */
export function cpuVendor(evidence: Evidence): Sourced<string> | undefined {
  const leaf = cpuidOf(evidence, CPUID_VENDOR);
  return leaf && { value: registerText(leaf.ebx, leaf.edx, leaf.ecx), source: leaf.source };
}

/** CPUID 1 ECX bit 31, or `undefined` when leaf 1 is not in the evidence. */
export function hypervisorPresent(evidence: Evidence): boolean | undefined {
  const leaf = cpuidOf(evidence, CPUID_FEATURES);
  return leaf ? ((leaf.ecx >>> HYPERVISOR_PRESENT_BIT) & 1) === 1 : undefined;
}

/** The hypervisor signature of CPUID 0x40000000 (EBX, ECX, EDX), such as `Microsoft Hv` or `KVMKVMKVM\0\0\0`. */
export function hypervisorSignature(record: Pick<CpuidRecord, 'ebx' | 'ecx' | 'edx'>): string {
  return registerText(record.ebx, record.ecx, record.edx);
}

/** What the evidence says about one CPUID leaf, as the CPU would answer it. */
export type LeafReading =
  /** The leaf is within its range's maximum and in the evidence. */
  | { readonly state: 'valid'; readonly record: CpuidRecord }
  /** The range's maximum leaf is known and lies below this leaf: the CPU does not define it. */
  | { readonly state: 'beyond-max'; readonly max: number; readonly says: string }
  /** The evidence cannot say: the leaf, or the leaf holding its range's maximum, is missing. */
  | { readonly state: 'missing'; readonly says: string };

function rangeBase(leaf: number): number {
  if (leaf >= CPUID_EXTENDED) return CPUID_EXTENDED;
  if (leaf >= CPUID_HYPERVISOR && leaf < CPUID_HYPERVISOR + 0x1_0000) return CPUID_HYPERVISOR;
  return CPUID_VENDOR;
}

/**
 * Reads a leaf as software must: it is defined only when the maximum leaf of its range (EAX of
 * leaf 0, 0x40000000 or 0x80000000) reaches it. A leaf found in the evidence while its range's
 * maximum is not known is `missing`: nothing says the CPU defines it.
 */
export function readLeaf(evidence: Evidence, leaf: number, subleaf = 0): LeafReading {
  const base = rangeBase(leaf);
  const head = cpuidOf(evidence, base);
  if (!head)
    return { state: 'missing', says: `CPUID ${hex(base)} (the maximum leaf) is not in the evidence` };
  const max = head.eax >>> 0;
  if (leaf !== base && max < leaf) {
    return { state: 'beyond-max', max, says: `CPUID ${hex(base)} EAX ${hex(max)} is below ${hex(leaf)}` };
  }
  const record = leaf === base && subleaf === 0 ? head : cpuidOf(evidence, leaf, subleaf);
  if (!record) return { state: 'missing', says: `CPUID ${hex(leaf)} is not in the evidence` };
  return { state: 'valid', record };
}

/** True when CPUID was attempted but could not be read (a probe note of kind `cpuid`). */
export function cpuidUnreadable(evidence: Evidence): boolean {
  return evidence.unavailable.some((note) => note.kind === CPUID_FACT.id);
}
