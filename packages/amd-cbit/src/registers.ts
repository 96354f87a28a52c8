import type { Evidence } from '@coco/core';
import { CPUID_MEM_ENCRYPT, cpuidOf, readLeaf } from '@coco/x86';

// CPUID leaves and MSRs amd-cbit reads: AMD APM vol. 2 §7.10 and §15.34, vol. 3 appendix E; facts §3.
export { CPUID_EXTENDED as CPUID_HIGHEST_EXTENDED, CPUID_MEM_ENCRYPT } from '@coco/x86';

/** The SYSCFG MSR. */
export const MSR_SYSCFG = 0xc001_0010;
/** SYSCFG bit 23 (MemEncryptionModEn): the firmware enabled memory encryption (SME, and SEV on a host). */
export const SYSCFG_MEM_ENCRYPT_BIT = 23;

/** What CPUID 0x8000001F says, when the leaf is valid. */
export interface MemEncryptLeaf {
  /** EAX bit 0. */
  readonly sme: boolean;
  /** EAX bit 1. */
  readonly sev: boolean;
  /** EAX bit 10 (SME_COHERENT: no cache flush needed around a C-bit change). */
  readonly smeCoherent: boolean;
  /** EBX[5:0]. */
  readonly cBit: number;
  /** EBX[11:6]. */
  readonly physicalAddressReduction: number;
  /** EBX[15:12]. */
  readonly vmpls: number;
  readonly source: string;
}

/**
 * Either the decoded leaf, or why it cannot be used: `undefined` says the CPU does not define it
 * (CPUID 0x80000000 EAX below 0x8000001F: the kernel's `sme_enable` stops there), `present` whether
 * the evidence held the leaf at all.
 */
export type MemEncryptLeafResult =
  | { readonly ok: true; readonly leaf: MemEncryptLeaf }
  | { readonly ok: false; readonly reason: string; readonly present: boolean; readonly undefined: boolean };

/** Reads CPUID 0x8000001F, which is valid only when CPUID 0x80000000 EAX >= 0x8000001F. */
export function readMemEncryptLeaf(evidence: Evidence): MemEncryptLeafResult {
  const reading = readLeaf(evidence, CPUID_MEM_ENCRYPT);
  const present = cpuidOf(evidence, CPUID_MEM_ENCRYPT) !== undefined;
  if (reading.state === 'beyond-max') {
    return {
      ok: false,
      reason: `${reading.says}: the CPU has no memory-encryption leaf`,
      present,
      undefined: true,
    };
  }
  if (reading.state === 'missing') return { ok: false, reason: reading.says, present, undefined: false };
  const { eax, ebx, source } = reading.record;
  return {
    ok: true,
    leaf: {
      sme: (eax & 1) !== 0,
      sev: (eax & 2) !== 0,
      smeCoherent: (eax & (1 << 10)) !== 0,
      cBit: ebx & 0x3f,
      physicalAddressReduction: (ebx >>> 6) & 0x3f,
      vmpls: (ebx >>> 12) & 0xf,
      source,
    },
  };
}
