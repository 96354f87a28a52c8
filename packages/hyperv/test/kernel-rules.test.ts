// The newest kernel's boot path for Hyper-V guests (arch/x86/kernel/cpu/mshyperv.c, arch/x86/hyperv/ivm.c,
// arch/x86/coco/tdx/tdx.c, v6.18), each rule checked against hand-written evidence.
import { mergeEvidence } from '@coco/core';
import { X86EvidenceBuilder } from '@coco/x86';
import { describe, expect, it } from 'vitest';
import {
  addHypervCpuid,
  cpuidEvidence,
  HIGH_ISOLATED,
  HIGH_PLAIN,
  hypervLog,
  logEvidence,
  registryWith,
} from './fixtures.js';

/** "XenVMMXenVMM" as little-endian EBX, ECX, EDX: another hypervisor's signature. */
const XEN = { ebx: 0x566e6558, ecx: 0x65584d4d, edx: 0x4d4d566e } as const;
const INTEL = { ebx: 0x756e6547, ecx: 0x6c65746e, edx: 0x49656e69 } as const;
const AMD = { ebx: 0x68747541, ecx: 0x444d4163, edx: 0x69746e65 } as const;

const vendorLeaf = (regs: { readonly ebx: number; readonly ecx: number; readonly edx: number }, max = 0x23) =>
  new X86EvidenceBuilder().addCpuid(0, 0, { eax: max, ...regs }, 'test cpuid').build();

describe('Hyper-V is "Microsoft Hv" and nothing else', () => {
  it('does not take another signature for Hyper-V, even with a large maximum leaf and isolation bits', () => {
    const d = registryWith().detect(
      cpuidEvidence({ signature: XEN, maxLeaf: 0x4000000c, high: HIGH_ISOLATED, groupA: 1, groupB: 0xba2 }),
    );
    expect(d.type).toBeNull();
    expect(d.hypervisor).toBeNull();
    expect(d.trail.find((s) => s.by === 'hyperv')?.says).toContain('not Hyper-V');
  });
});

describe("a TDX isolation without a paravisor runs the kernel's own TDX path", () => {
  it('is a conflict when leaf 0x21 is valid and holds no TDX signature', () => {
    const noSignature = new X86EvidenceBuilder()
      .addCpuid(0, 0, { eax: 0x23, ...INTEL }, 'test cpuid')
      .addCpuid(0x21, 0, { eax: 0, ebx: 0, ecx: 0, edx: 0 }, 'test cpuid')
      .build();
    const d = registryWith().detect(
      mergeEvidence(cpuidEvidence({ high: HIGH_ISOLATED, groupA: 0, groupB: 3 }), noSignature),
    );
    expect(d.type).toBeNull();
    expect(d.confidential).toBeNull();
    expect(d.cvm).toBeNull();
    expect(d.conflicts[0]?.what).toContain('a Hyper-V TDX guest without a paravisor');
    expect(d.conflicts[0]?.sides[1]?.says).toContain('no "IntelTDX    " signature');
  });
});

describe('the isolation type must fit the CPU vendor', () => {
  it.each([
    ['TDX (type 3) on AuthenticAMD', AMD, 0xbe3],
    ['SNP (type 2) on GenuineIntel', INTEL, 0xba2],
  ])('%s is a conflict, not an answer', (_name, vendor, groupB) => {
    const d = registryWith().detect(
      mergeEvidence(cpuidEvidence({ high: HIGH_ISOLATED, groupA: 1, groupB }), vendorLeaf(vendor)),
    );
    expect(d.type).toBeNull();
    expect(d.confidential).toBeNull();
    expect(d.cvm).toBeNull();
    expect(d.conflicts[0]?.what).toContain('the CPU vendor of a Hyper-V isolated guest');
  });

  it('VBS (type 1) uses vTOM on either vendor', () => {
    for (const vendor of [AMD, INTEL]) {
      const d = registryWith().detect(
        mergeEvidence(cpuidEvidence({ high: HIGH_ISOLATED, groupA: 0, groupB: 0xba1 }), vendorLeaf(vendor)),
      );
      expect(d.type?.id).toBe('amd-vtom');
    }
  });
});

describe('"not isolated" privilege flags and an Isolation Config line', () => {
  it('are a conflict: the kernel prints the isolation config only for an isolated guest', () => {
    const flagsNotIsolated = hypervLog(1, 0xba2, HIGH_PLAIN);
    const d = registryWith().detect(logEvidence(flagsNotIsolated));
    expect(d.type).toBeNull();
    expect(d.confidential).toBeNull();
    expect(d.conflicts[0]?.what).toContain('whether the Hyper-V guest is isolated');
    expect(d.conflicts[0]?.sides.map((s) => s.source)).toEqual(['dmesg line 2', 'dmesg line 3']);
  });

  it('are a conflict from CPUID and the log too', () => {
    const d = registryWith().detect(
      mergeEvidence(
        addHypervCpuid(new X86EvidenceBuilder(), { high: HIGH_PLAIN }).build(),
        logEvidence('[    0.000000] Hyper-V: Isolation Config: Group A 0x1, Group B 0xba2'),
      ),
    );
    expect(d.type).toBeNull();
    expect(d.conflicts.length).toBeGreaterThan(0);
  });
});

describe('one machine, one AMD decoder', () => {
  it('gives the same vTOM answer from amd-cbit and amd-vtom whatever the spelling of the status line', () => {
    for (const line of [
      'SEV: Status: vTom ',
      'SEV:Status: vTom',
      'SEV: Status: VTOM',
      'SEV: Status: SEV SEV-ES SEV-SNP vTom Reflect VC AI DebugSwap No HostIBS BTB Isol VMSA reg prot',
    ]) {
      const d = registryWith().detect(
        logEvidence(`[ 0.1] Memory Encryption Features active: AMD SEV\n[ 0.1] ${line}`),
      );
      expect(d.conflicts).toEqual([]);
      expect(d.type?.id).toBe('amd-vtom');
    }
  });

  it('joins a status line that pr_cont split, and reads the same variant in both backends', () => {
    const split =
      '[ 0.1] Memory Encryption Features active: AMD\n[ 0.1] SEV SEV-ES SEV-SNP\n[ 0.1] SEV: Status: SEV SEV-ES\n[ 0.1] SEV-SNP DebugSwap';
    const d = registryWith().detect(logEvidence(split));
    expect(d.conflicts).toEqual([]);
    expect(d.type?.id).toBe('amd-cbit');
    expect(d.type?.variant).toBe('sev-snp');
    expect(d.type?.details[0]).toEqual({ name: 'SEV status', value: '0x87 (SEV SEV-ES SEV-SNP DebugSwap)' });
  });
});
