import type { Evidence } from '@coco/core';

// CPUID leaves and MSRs amd-cbit reads: AMD APM vol. 2 §7.10 and §15.34, vol. 3 appendix E; facts §3.

/** CPUID 0x80000000: EAX is the highest extended leaf. */
export const CPUID_HIGHEST_EXTENDED = 0x8000_0000;
/** CPUID 0x8000001F: AMD memory-encryption features, C-bit position, address reduction, VMPLs. */
export const CPUID_MEM_ENCRYPT = 0x8000_001f;
/** CPUID 1: ECX bit 31 says a hypervisor is present. */
export const CPUID_FEATURES = 0x1;
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

/** Either the decoded leaf, or why it cannot be used. */
export type MemEncryptLeafResult =
  | { readonly ok: true; readonly leaf: MemEncryptLeaf }
  | { readonly ok: false; readonly reason: string; readonly present: boolean };

const hex = (v: number) => `0x${v.toString(16)}`;

/** Reads CPUID 0x8000001F, which is valid only when CPUID 0x80000000 EAX >= 0x8000001F. */
export function readMemEncryptLeaf(evidence: Evidence): MemEncryptLeafResult {
  const leaf = evidence.cpuid(CPUID_MEM_ENCRYPT);
  const highest = evidence.cpuid(CPUID_HIGHEST_EXTENDED);
  if (highest && highest.eax < CPUID_MEM_ENCRYPT) {
    return {
      ok: false,
      present: leaf !== undefined,
      reason: `CPUID 0x80000000 EAX is ${hex(highest.eax)}, below 0x8000001f, so the memory-encryption leaf does not exist (Azure hides it from SNP guests under its paravisor)`,
    };
  }
  if (!leaf) return { ok: false, present: false, reason: 'CPUID 0x8000001f is not in the evidence' };
  if (!highest) {
    return {
      ok: false,
      present: true,
      reason:
        'CPUID 0x8000001f is given without CPUID 0x80000000, whose EAX must be at least 0x8000001f for the leaf to be valid',
    };
  }
  return {
    ok: true,
    leaf: {
      sme: (leaf.eax & 1) !== 0,
      sev: (leaf.eax & 2) !== 0,
      smeCoherent: (leaf.eax & (1 << 10)) !== 0,
      cBit: leaf.ebx & 0x3f,
      physicalAddressReduction: (leaf.ebx >>> 6) & 0x3f,
      vmpls: (leaf.ebx >>> 12) & 0xf,
      source: leaf.source,
    },
  };
}

/** CPUID 1 ECX bit 31 (a hypervisor is present), or `undefined` when leaf 1 is not in the evidence. */
export function hypervisorPresent(evidence: Evidence): boolean | undefined {
  const leaf = evidence.cpuid(CPUID_FEATURES);
  return leaf ? (leaf.ecx & 0x8000_0000) !== 0 : undefined;
}
