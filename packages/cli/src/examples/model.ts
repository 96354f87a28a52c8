import type { SnapshotJson, SnapshotV1Json } from '@coco/core';
import type { SnapshotCpuidJson } from '@coco/x86';

/** Bundled evidence of a real kind of public machine, as a `coco-snapshot/2` (or `/1`) document. */
export interface BundledExample {
  /** The name `coco detect --example NAME` takes. */
  readonly name: string;
  /** One line: what machine this is. */
  readonly description: string;
  /** Where each value comes from (facts sheet section, public report, or "representative"). */
  readonly sources: readonly string[];
  readonly snapshot: SnapshotJson | SnapshotV1Json;
}

const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;

/** One CPUID entry of a snapshot from numbers. */
export function leaf(
  leafIndex: number,
  regs: { eax?: number; ebx?: number; ecx?: number; edx?: number },
  subleaf = 0,
): SnapshotCpuidJson {
  return {
    leaf: hex(leafIndex),
    subleaf: hex(subleaf),
    eax: hex(regs.eax ?? 0),
    ebx: hex(regs.ebx ?? 0),
    ecx: hex(regs.ecx ?? 0),
    edx: hex(regs.edx ?? 0),
  };
}

/** Four ASCII characters as the little-endian register CPUID returns them in. */
export function ascii4(text: string): number {
  let value = 0;
  for (let i = 3; i >= 0; i--) value = value * 256 + (text.charCodeAt(i) || 0);
  return value;
}

/** CPUID leaf 0's vendor string registers (order EBX, EDX, ECX). */
export function vendorRegs(vendor: 'AuthenticAMD' | 'GenuineIntel'): {
  ebx: number;
  edx: number;
  ecx: number;
} {
  return {
    ebx: ascii4(vendor.slice(0, 4)),
    edx: ascii4(vendor.slice(4, 8)),
    ecx: ascii4(vendor.slice(8, 12)),
  };
}

/** CPUID 0x40000000's hypervisor signature registers (order EBX, ECX, EDX). */
export function hypervisorRegs(
  signature: string,
  maxLeaf: number,
): { eax: number; ebx: number; ecx: number; edx: number } {
  const s = signature.padEnd(12, '\0');
  return {
    eax: maxLeaf,
    ebx: ascii4(s.slice(0, 4)),
    ecx: ascii4(s.slice(4, 8)),
    edx: ascii4(s.slice(8, 12)),
  };
}

/** CPUID 1 ECX bit 31: a hypervisor is present. */
export const HYPERVISOR_BIT = 0x8000_0000;
