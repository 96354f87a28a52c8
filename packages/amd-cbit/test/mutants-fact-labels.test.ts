// Each step of amd-cbit's trail names the one piece of evidence it read (`fact`), so that a reader
// of `coco detect --json` can find it: the register by its number (facts §3: SEV status MSR
// 0xC0010131, SYSCFG 0xC0010010, CPUID 0x8000001F and the maximum extended leaf 0x80000000), the
// kernel-log line by its number, the cpuinfo flag and the device by name. Written from Stryker's
// surviving mutants (docs/mutation.md), which emptied these labels unnoticed.
import { createRegistry, type Evidence } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { amdCbitBackend } from '../src/index.js';
import { amd, EAX_SNP_COHERENT, EBX_CBIT47, ECX_GUEST, ECX_METAL, MAX_EXT_MILAN } from './evidence.js';

/** amd-cbit's steps as `source fact` (core's own steps have no fact). */
const facts = (evidence: Evidence) =>
  createRegistry()
    .use(amdCbitBackend)
    .detect(evidence)
    .trail.filter((s) => s.by === 'amd-cbit')
    .map((s) => `${s.source} ${s.fact ?? '-'}`);

describe('amd-cbit names the evidence of each step', () => {
  it('the SEV status MSR and CPUID 0x8000001F of an SNP guest', () => {
    const snp = amd({
      ecx1: ECX_GUEST,
      maxExt: MAX_EXT_MILAN,
      leaf: { eax: EAX_SNP_COHERENT, ebx: 0x3f }, // C-bit 63: outside 12..51, so the mask is unknown
      status: 0x7n,
    });
    expect(facts(snp)).toEqual([
      'cpuid cpuid 0x8000001f/0x0',
      'msr msr 0xc0010131',
      'cpuid cpuid 0x8000001f/0x0',
      'msr msr 0xc0010131',
    ]);
  });

  it('SYSCFG and the sme flag on bare metal', () => {
    const metal = amd({
      ecx1: ECX_METAL,
      maxExt: MAX_EXT_MILAN,
      leaf: { eax: 0x1, ebx: EBX_CBIT47 },
      syscfg: 0x80_0000n, // bit 23: MemEncryptionModeEn
      cpuinfoFlags: 'fpu sme',
    });
    expect(facts(metal)).toEqual([
      'cpuid cpuid 0x8000001f/0x0',
      'msr msr 0xc0010010',
      'cpuinfo cpuinfo flag sme',
      'msr msr 0xc0010010',
    ]);
  });

  it('the kernel-log line, the cpuinfo flag and the guest device', () => {
    expect(facts(amd({ log: '[    0.000000] Memory Encryption Features active: AMD SEV SEV-ES\n' }))).toEqual(
      ['kernel-log dmesg line 1', 'cpuid cpuid 0x8000001f/0x0', 'kernel-log dmesg line 1'],
    );
    expect(facts(amd({ cpuinfoFlags: 'fpu sev sev_es' }))).toEqual(['cpuinfo cpuinfo flag sev_es', 'core -']);
    expect(facts(amd({ files: { '/dev/sev-guest': true } }))).toEqual([
      'files file /dev/sev-guest',
      'cpuid cpuid 0x8000001f/0x0',
      'files file /dev/sev-guest',
    ]);
  });

  it('the SEV status line, a guest flag beside the MSR, and the sme flag without SYSCFG', () => {
    const status = amd({
      log: '[    0.000000] Memory Encryption Features active: AMD SEV SEV-ES SEV-SNP\n[    0.200000] SEV: Status: SEV SEV-ES SEV-SNP\n',
    });
    expect(facts(status)).toEqual([
      'kernel-log dmesg line 2',
      'kernel-log dmesg line 1',
      'cpuid cpuid 0x8000001f/0x0',
      'kernel-log dmesg line 2',
    ]);
    const guest = amd({
      ecx1: ECX_GUEST,
      maxExt: MAX_EXT_MILAN,
      leaf: { eax: EAX_SNP_COHERENT, ebx: 0x33 },
      status: 0x3n, // SEV and SEV-ES
      cpuinfoFlags: 'fpu hypervisor sev sev_es sev_snp',
    });
    expect(facts(guest)).toEqual([
      'cpuid cpuid 0x8000001f/0x0',
      'msr msr 0xc0010131',
      'cpuinfo cpuinfo flag sev_snp',
      'msr msr 0xc0010131',
    ]);
    const sme = amd({
      ecx1: ECX_METAL,
      maxExt: MAX_EXT_MILAN,
      leaf: { eax: 0x1, ebx: EBX_CBIT47 },
      cpuinfoFlags: 'fpu sme',
    });
    expect(facts(sme)).toEqual([
      'cpuid cpuid 0x8000001f/0x0',
      'cpuinfo cpuinfo flag sme',
      'cpuinfo cpuinfo flag sme',
    ]);
  });

  it('the maximum extended leaf when it hides 0x8000001F', () => {
    const hidden = amd({
      ecx1: ECX_GUEST,
      maxExt: 0x80000008,
      log: '[    0.000000] Memory Encryption Features active: AMD SEV\n',
    });
    expect(facts(hidden)).toEqual(['cpuid cpuid 0x80000000/0x0', 'kernel-log dmesg line 1']);
  });
});
