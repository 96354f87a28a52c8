// Hand-written evidence of real-looking AMD machines, shared by the tests. Every register value is
// decoded by hand in the comment next to it; the tests check the code against those decodings.
import { type Evidence, parseCpuinfo, parseKernelLog } from '@coco/core';
import { X86EvidenceBuilder } from '@coco/x86';

export const SRC = 'test';

/** CPUID 1 ECX of a KVM guest: bit 31 (hypervisor) set. */
export const ECX_GUEST = 0xfed83203;
/** CPUID 1 ECX on bare metal: bit 31 clear. */
export const ECX_METAL = 0x7ed8320b;
/** CPUID 0x80000000 EAX of an EPYC Milan: highest extended leaf 0x80000023 (>= 0x8000001f). */
export const MAX_EXT_MILAN = 0x80000023;
/** Milan-like 0x8000001F EBX: 0x33 = C-bit 51, (0x4173 >> 6) & 0x3f = 5 bits reduction, (0x4173 >> 12) & 0xf = 4 VMPLs. */
export const EBX_CBIT51 = 0x4173;
/** Rome-like 0x8000001F EBX: 0x2f = C-bit 47, (0x16f >> 6) & 0x3f = 5 bits reduction, 0 VMPLs. */
export const EBX_CBIT47 = 0x16f;
/** 0x8000001F EAX: bits 0 SME, 1 SEV, 3 SEV-ES, 4 SNP, 10 SME_COHERENT = 0x41b. */
export const EAX_SNP_COHERENT = 0x41b;
/** 0x8000001F EAX of a plain SEV guest: bit 1 only; bit 10 clear, so not coherent. */
export const EAX_SEV = 0x2;

export interface AmdEvidence {
  readonly ecx1?: number;
  readonly maxExt?: number;
  readonly leaf?: { eax: number; ebx: number };
  readonly status?: bigint;
  readonly syscfg?: bigint;
  readonly log?: string;
  readonly cpuinfoFlags?: string;
  readonly files?: Record<string, boolean>;
}

/** Builds evidence from the parts given, each with the source `test`. */
export function amd(parts: AmdEvidence): Evidence {
  const b = new X86EvidenceBuilder();
  const regs = (eax: number, ebx = 0, ecx = 0, edx = 0) => ({ eax, ebx, ecx, edx });
  if (parts.ecx1 !== undefined) b.addCpuid(1, 0, regs(0x00a00f11, 0x00020800, parts.ecx1, 0x178bfbff), SRC);
  if (parts.maxExt !== undefined)
    b.addCpuid(0x80000000, 0, regs(parts.maxExt, 0x68747541, 0x444d4163, 0x69746e65), SRC);
  if (parts.leaf) b.addCpuid(0x8000001f, 0, regs(parts.leaf.eax, parts.leaf.ebx), SRC);
  if (parts.status !== undefined) b.addMsr(0xc0010131, parts.status, SRC);
  if (parts.syscfg !== undefined) b.addMsr(0xc0010010, parts.syscfg, SRC);
  if (parts.log !== undefined) b.addLogLines(parseKernelLog(parts.log, { source: SRC }));
  if (parts.cpuinfoFlags !== undefined)
    b.merge(parseCpuinfo(`processor\t: 0\nflags\t\t: ${parts.cpuinfoFlags}\n`));
  for (const [path, exists] of Object.entries(parts.files ?? {})) b.setFile(path, exists, SRC);
  return b.build();
}

/** A KVM SEV-SNP guest on Milan: C-bit 51, status 0x7 (SEV, SEV-ES, SEV-SNP). */
export const snpGuest = amd({
  ecx1: ECX_GUEST,
  maxExt: MAX_EXT_MILAN,
  leaf: { eax: EAX_SNP_COHERENT, ebx: EBX_CBIT51 },
  status: 0x7n,
});

/** Intel TDX guest leaves: vendor GenuineIntel, leaf 0x21 "IntelTDX    ", highest extended leaf 0x80000008. */
export const intelTdx = (() => {
  const b = new X86EvidenceBuilder();
  b.addCpuid(0, 0, { eax: 0x23, ebx: 0x756e6547, ecx: 0x6c65746e, edx: 0x49656e69 }, SRC);
  b.addCpuid(1, 0, { eax: 0x806f8, ebx: 0x800, ecx: ECX_GUEST, edx: 0x1f8bfbff }, SRC);
  b.addCpuid(0x21, 0, { eax: 0, ebx: 0x65746e49, ecx: 0x20202020, edx: 0x5844546c }, SRC);
  b.addCpuid(0x80000000, 0, { eax: 0x80000008, ebx: 0, ecx: 0, edx: 0 }, SRC);
  b.addLogLines(
    parseKernelLog(
      '[    0.000000] tdx: Guest detected\n[    0.912345] Memory Encryption Features active: Intel TDX\n',
      {
        source: SRC,
      },
    ),
  );
  b.addFlags(['fpu', 'hypervisor', 'tdx_guest'], SRC);
  return b.build();
})();
