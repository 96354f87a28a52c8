// Tests written from Stryker's surviving mutants (docs/mutation.md): the Hyper-V isolation rules
// that rule vTOM out, how two status lines are compared, and the exact words of the trail.
import { createRegistry, type Evidence, EvidenceBuilder, mergeEvidence } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { amdVtomBackend } from '../src/index.js';
import { logEvidence, msrEvidence } from './evidence.js';

function detect(evidence: Evidence) {
  return createRegistry().use(amdVtomBackend).detect(evidence);
}

/** An isolated Hyper-V guest's CPUID: leaf 1 hypervisor bit, "Microsoft Hv", isolation bit 22. */
function isolatedHyperv(maxLeaf: number, config?: { eax: number; ebx: number }): Evidence {
  const b = new EvidenceBuilder()
    .addCpuid(1, 0, { eax: 0, ebx: 0, ecx: 0x8000_0000, edx: 0 }, 'cpuid.txt')
    .addCpuid(
      0x4000_0000,
      0,
      { eax: maxLeaf, ebx: 0x7263694d, ecx: 0x666f736f, edx: 0x76482074 },
      'cpuid.txt',
    )
    .addCpuid(0x4000_0003, 0, { eax: 0, ebx: 1 << 22, ecx: 0, edx: 0 }, 'cpuid.txt');
  if (config) b.addCpuid(0x4000_000c, 0, { ...config, ecx: 0, edx: 0 }, 'cpuid.txt');
  return b.build();
}

const CANNOT_TELL = {
  by: 'amd-vtom',
  because:
    'neither the SEV status MSR nor a whole boot log is in the evidence, and CPUID does not rule out an isolated Hyper-V guest',
  fix: 'run coco as root with the msr module loaded (modprobe msr), or pass the whole boot log (--dmesg)',
};

function ruledOut(evidence: Evidence): string[] {
  return detect(evidence)
    .trail.filter((s) => s.by === 'amd-vtom')
    .map((s) => s.says);
}

describe('amd-vtom: Hyper-V isolation type (CPUID 0x4000000C, hv_vtom_init)', () => {
  it('rules out isolation type 3 (TDX) and SNP without a paravisor, naming type and paravisor', () => {
    expect(ruledOut(isolatedHyperv(0x4000_000c, { eax: 0, ebx: 3 }))).toEqual([
      'amd-vtom rules its type out: Hyper-V isolation type 3 without a paravisor does not use vTOM for an AMD guest',
    ]);
    expect(ruledOut(isolatedHyperv(0x4000_000c, { eax: 1, ebx: 3 }))).toEqual([
      'amd-vtom rules its type out: Hyper-V isolation type 3 with a paravisor does not use vTOM for an AMD guest',
    ]);
    expect(ruledOut(isolatedHyperv(0x4000_000c, { eax: 0, ebx: 0xba2 }))).toEqual([
      'amd-vtom rules its type out: Hyper-V isolation type 2 without a paravisor does not use vTOM for an AMD guest',
    ]);
    // Only the low four bits of EBX are the type; only EAX bit 0 is the paravisor.
    expect(ruledOut(isolatedHyperv(0x4000_000c, { eax: 2, ebx: 0x12 }))[0]).toContain(
      'type 2 without a paravisor',
    );
  });

  it('cannot tell for VBS (type 1) and for SNP with a paravisor: both use vTOM', () => {
    for (const config of [
      { eax: 0, ebx: 1 },
      { eax: 1, ebx: 1 },
      { eax: 1, ebx: 0xba2 },
    ]) {
      const d = detect(isolatedHyperv(0x4000_000c, config));
      expect(d.confidential).toBeNull();
      expect(d.undetermined).toEqual([CANNOT_TELL]);
    }
  });

  it('reads leaf 0x4000000C only when the maximum Hyper-V leaf reaches it', () => {
    // Max leaf 0x4000000B: leaf 0x4000000C is not defined, so its TDX type is not read.
    const below = detect(isolatedHyperv(0x4000_000b, { eax: 0, ebx: 3 }));
    expect(below.undetermined).toEqual([CANNOT_TELL]);
    // Max leaf exactly 0x4000000C: it is.
    expect(detect(isolatedHyperv(0x4000_000c, { eax: 0, ebx: 3 })).confidential).toBe(false);
    // Without the leaf in the evidence, nothing is read from it.
    expect(detect(isolatedHyperv(0x4000_000c)).undetermined).toEqual([CANNOT_TELL]);
  });
});

describe('amd-vtom: the whole boot log', () => {
  const banner = '[    0.000000] Linux version 6.8.0-1021-azure (buildd@lcy02-amd64-032) #25-Ubuntu SMP';
  // A whole boot log runs from the banner to the end of the kernel's own setup.
  const end = '[    2.000000] Run /sbin/init as init process';

  it('rules vTOM out when a whole boot log has no Hyper-V isolation line', () => {
    expect(ruledOut(logEvidence(`${banner}\n[    0.000000] Command line: ro\n${end}`))).toEqual([
      'amd-vtom rules its type out: the whole boot log has no "Hyper-V: Isolation Config" line: not an isolated Hyper-V guest',
    ]);
  });

  it('cannot tell from a whole boot log with the isolation line at the start of a message', () => {
    const d = detect(
      logEvidence(`${banner}\n[    0.000000] Hyper-V: Isolation Config: Group A 0x1, Group B 0xba2\n${end}`),
    );
    expect(d.undetermined).toEqual([CANNOT_TELL]);
  });

  it('does not take the isolation words in the middle of another message', () => {
    const d = detect(
      logEvidence(`${banner}\n[    1.000000] audit: echo Hyper-V: Isolation Config: Group A 0x1\n${end}`),
    );
    expect(d.confidential).toBe(false);
  });

  it('cannot tell from a part of a log (no banner) without the status line', () => {
    expect(detect(logEvidence('[    1.000000] Command line: ro')).undetermined).toEqual([CANNOT_TELL]);
  });
});

describe('amd-vtom: several SEV status lines', () => {
  it('names each status line in a step, with vTom named or not named', () => {
    const d = detect(logEvidence('[ 0.5] SEV: Status: SEV SEV-ES SEV-SNP vTom\n[ 0.6] SEV: Status: vTom'));
    expect(d.type?.id).toBe('amd-vtom');
    expect(d.conflicts).toEqual([]);
    const steps = d.trail.filter((s) => s.by === 'amd-vtom' && s.source === 'kernel-log').map((s) => s.says);
    expect(steps).toEqual([
      '"SEV: Status: SEV SEV-ES SEV-SNP vTom" (dmesg.txt line 1): vTom named',
      '"SEV: Status: vTom" (dmesg.txt line 2): vTom named',
      'an AMD vTOM guest; mask unknown: the vTOM boundary comes from the platform; on Hyper-V the isolation configuration leaf 0x4000000C gives it: register @coco/hyperv',
    ]);
  });

  it('is a conflict when two status lines disagree, naming the first line of each side', () => {
    const d = detect(
      logEvidence('[ 0.5] SEV: Status: SEV vTom\n[ 0.6] SEV: Status: SEV\n[ 0.7] SEV: Status: SEV vTom'),
    );
    expect(d.type).toBeNull();
    expect(d.conflicts).toHaveLength(1);
    expect(d.conflicts[0]?.sides).toEqual([
      { says: '"SEV: Status: SEV vTom"', source: 'dmesg.txt line 1' },
      { says: '"SEV: Status: SEV"', source: 'dmesg.txt line 2' },
    ]);
    const steps = d.trail.filter((s) => s.by === 'amd-vtom' && s.source === 'kernel-log').map((s) => s.says);
    expect(steps[1]).toBe('"SEV: Status: SEV" (dmesg.txt line 2): vTom not named');
  });

  it('agrees with a status line that repeats the MSR', () => {
    const d = detect(mergeEvidence(msrEvidence(0x8n, '--msr'), logEvidence('[ 0.5] SEV: Status: vTom')));
    expect(d.conflicts).toEqual([]);
    expect(d.type?.details.map((x) => x.name)).toEqual(['SEV status', 'vTOM boundary']);
  });

  it('says nothing about an Intel memory-encryption line', () => {
    const d = detect(logEvidence('[ 0.4] Memory Encryption Features active: Intel TDX'));
    expect(d.trail.filter((s) => s.by === 'amd-vtom' && s.source === 'kernel-log')).toEqual([]);
  });
});
