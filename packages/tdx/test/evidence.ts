import type { Evidence } from '@coco/core';
import { X86EvidenceBuilder } from '@coco/x86';

// "IntelTDX    " as CPUID 0x21 returns it: EBX "Inte", EDX "lTDX", ECX "    ", little-endian ASCII.
export const SIG = { eax: 0, ebx: 0x65746e49, edx: 0x5844546c, ecx: 0x20202020 } as const;
// "GenuineIntel" in CPUID 0: EBX "Genu", EDX "ineI", ECX "ntel".
export const GENUINE_INTEL = { ebx: 0x756e6547, edx: 0x49656e69, ecx: 0x6c65746e } as const;
// "AuthenticAMD" in CPUID 0: EBX "Auth", EDX "enti", ECX "cAMD".
export const AUTHENTIC_AMD = { ebx: 0x68747541, edx: 0x69746e65, ecx: 0x444d4163 } as const;

/** CPUID evidence: leaf 0 with `max` (omitted when null) and, when given, leaf 0x21. */
export function cpuid(
  max: number | null,
  leaf21?: { eax: number; ebx: number; ecx: number; edx: number },
): Evidence {
  const b = new X86EvidenceBuilder();
  if (max !== null) b.addCpuid(0, 0, { eax: max, ...GENUINE_INTEL }, 'test cpuid');
  if (leaf21) b.addCpuid(0x21, 0, leaf21, 'test cpuid');
  return b.build();
}
