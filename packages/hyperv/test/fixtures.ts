// Evidence of Hyper-V guests, written by hand from the facts sheet (§6) and public reports.
import { amdCbitBackend } from '@coco/amd-cbit';
import { amdVtomBackend } from '@coco/amd-vtom';
import { type BackendPlugin, createRegistry, type Evidence, parseKernelLog, type Registry } from '@coco/core';
import { tdxBackend } from '@coco/tdx';
import { X86EvidenceBuilder } from '@coco/x86';
import { hypervPlugin } from '../src/index.js';

/** "Microsoft Hv" as little-endian EBX, ECX, EDX. */
export const MICROSOFT_HV = { ebx: 0x7263694d, ecx: 0x666f736f, edx: 0x76482074 } as const;
/** "KVMKVMKVM\0\0\0" as little-endian EBX, ECX, EDX. */
export const KVMKVMKVM = { ebx: 0x4b4d564b, ecx: 0x564b4d56, edx: 0x0000004d } as const;

/** CPUID 0x40000003 EBX with the isolation bit (22) set and CPU management (12) clear. */
export const HIGH_ISOLATED = 0x7b8030;
/** The same with CPU management (bit 12) set: a root partition. */
export const HIGH_ROOT = 0x7b9030;
/** Neither bit: an ordinary Hyper-V guest. */
export const HIGH_PLAIN = 0x3b8030;

export interface HypervCpuid {
  readonly maxLeaf?: number;
  readonly high?: number;
  readonly groupA?: number;
  readonly groupB?: number;
  readonly signature?: { readonly ebx: number; readonly ecx: number; readonly edx: number };
}

/** Adds Hyper-V's leaves to a builder. */
export function addHypervCpuid(builder: X86EvidenceBuilder, cpu: HypervCpuid): X86EvidenceBuilder {
  const source = 'test cpuid';
  builder.addCpuid(
    0x40000000,
    0,
    { eax: cpu.maxLeaf ?? 0x4000000c, ...(cpu.signature ?? MICROSOFT_HV) },
    source,
  );
  if (cpu.high !== undefined)
    builder.addCpuid(0x40000003, 0, { eax: 0xae7f, ebx: cpu.high, ecx: 0, edx: 0 }, source);
  if (cpu.groupA !== undefined && cpu.groupB !== undefined) {
    builder.addCpuid(0x4000000c, 0, { eax: cpu.groupA, ebx: cpu.groupB, ecx: 0, edx: 0 }, source);
  }
  return builder;
}

/** Hyper-V evidence from CPUID only. */
export function cpuidEvidence(cpu: HypervCpuid): Evidence {
  return addHypervCpuid(new X86EvidenceBuilder(), cpu).build();
}

/** The lines Linux prints on an isolated Hyper-V guest, with dmesg timestamps. */
export function hypervLog(groupA: number, groupB: number, high = HIGH_ISOLATED): string {
  return [
    '[    0.000000] Hypervisor detected: Microsoft Hyper-V',
    `[    0.000000] Hyper-V: privilege flags low 0xae7f, high 0x${high.toString(16)}, hints 0xa0e24, misc 0xe0bed7b2`,
    `[    0.000000] Hyper-V: Isolation Config: Group A 0x${groupA.toString(16)}, Group B 0x${groupB.toString(16)}`,
  ].join('\n');
}

/** Hyper-V evidence from the kernel log only. */
export function logEvidence(text: string): Evidence {
  return new X86EvidenceBuilder().addLogLines(parseKernelLog(text, { source: 'dmesg' })).build();
}

/** CPUID of an Intel TDX guest: leaf 0 (max 0x23, GenuineIntel) and leaf 0x21 "IntelTDX    ". */
export function addTdxCpuid(builder: X86EvidenceBuilder): X86EvidenceBuilder {
  builder.addCpuid(0, 0, { eax: 0x23, ebx: 0x756e6547, ecx: 0x6c65746e, edx: 0x49656e69 }, 'test cpuid');
  // EBX "Inte", EDX "lTDX", ECX "    "
  builder.addCpuid(0x21, 0, { eax: 0, ebx: 0x65746e49, ecx: 0x20202020, edx: 0x5844546c }, 'test cpuid');
  return builder;
}

export const ALL_BACKENDS: readonly BackendPlugin[] = [amdCbitBackend, amdVtomBackend, tdxBackend];

/** A registry with Hyper-V and the given backends (all three by default). */
export function registryWith(backends: readonly BackendPlugin[] = ALL_BACKENDS): Registry {
  const registry = createRegistry().use(hypervPlugin);
  for (const b of backends) registry.use(b);
  return registry;
}

/**
 * CPUID of an ordinary Intel guest beside Hyper-V's leaves: leaf 0 (GenuineIntel, max 0x1f, so no
 * TDX leaf), leaf 1 with the hypervisor bit, maximum extended leaf 0x80000008 (no AMD memory encryption).
 */
export function intelBase(): Evidence {
  return new X86EvidenceBuilder()
    .addCpuid(0, 0, { eax: 0x1f, ebx: 0x756e6547, ecx: 0x6c65746e, edx: 0x49656e69 }, 'test cpuid')
    .addCpuid(1, 0, { eax: 0x806f8, ebx: 0x800, ecx: 0x8000_0000, edx: 0 }, 'test cpuid')
    .addCpuid(0x8000_0000, 0, { eax: 0x8000_0008, ebx: 0, ecx: 0, edx: 0 }, 'test cpuid')
    .build();
}
