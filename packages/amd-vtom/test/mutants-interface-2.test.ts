// Tests from the first run after plugin interface 2 (docs/mutation.md, 2026-11-30): evidence of
// another architecture is not this backend's, the fact every trail step names, the warning for a
// vTOM status outside an isolated Hyper-V guest, and parameters polluted onto Object.prototype.
//
// Facts (docs/facts x86-coco.md): only Hyper-V's hv_vtom_init turns vTOM on in mainline (a direct
// SEV-SNP guest whose status has vTOM is refused by snp_check_features); an Azure SNP guest with a
// paravisor reads SEV status 0x103df (bit 3, vTOM, set); CPUID 1 ECX bit 31 is the hypervisor bit.
import { createRegistry, type Evidence, EvidenceBuilder, mergeEvidence } from '@coco/core';
import { X86EvidenceBuilder } from '@coco/x86';
import { describe, expect, it } from 'vitest';
import { recorder } from '../../../tools/testing/backend-evidence.js';
import { amdVtomBackend, createAmdVtomType, detectAmdVtom } from '../src/index.js';
import { AZURE_SNP_STATUS, DMESG_MAINLINE_AZURE, logEvidence, msrEvidence } from './evidence.js';

const run = (evidence: Evidence) => {
  const r = recorder();
  const result = detectAmdVtom(evidence, r.context);
  return { result, steps: r.steps, warnings: r.warnings };
};

describe('amd-vtom under plugin interface 2', () => {
  it('says nothing of an arm64 machine, and cannot tell of an x86 one it cannot decide', () => {
    const arm64 = new EvidenceBuilder().addCpuinfo([['CPU architecture', '8']], 'cpuinfo').build();
    expect(run(arm64).result).toBeNull();
    const x86 = new EvidenceBuilder().addCpuinfo([['vendor_id', 'AuthenticAMD']], 'cpuinfo').build();
    expect(run(x86).result).toMatchObject({ verdict: 'unknown' });
    expect(createRegistry().use(amdVtomBackend).detect(arm64).undetermined).toEqual([]);
  });

  it('names the fact of each step: the MSR, each status line, the memory-encryption line', () => {
    const fromMsr = run(msrEvidence(AZURE_SNP_STATUS));
    expect(fromMsr.steps.map((s) => s.fact)).toEqual(['msr 0xc0010131', 'msr 0xc0010131']);
    const fromLog = run(logEvidence(DMESG_MAINLINE_AZURE));
    expect(fromLog.steps.map((s) => [s.source, s.fact])).toEqual([
      ['kernel-log', 'dmesg line 3'],
      ['kernel-log', 'dmesg line 2'],
      ['kernel-log', 'kernel-log'],
    ]);
  });

  it('warns when the status has vTOM but CPUID shows no isolated Hyper-V guest, in the check’s own words', () => {
    const bare = new X86EvidenceBuilder()
      .addCpuid(1, 0, { eax: 0, ebx: 0, ecx: 0, edx: 0 }, 'cpuid.txt')
      .build();
    const d = run(mergeEvidence(msrEvidence(AZURE_SNP_STATUS), bare));
    expect(d.warnings).toEqual([
      'the SEV status has vTOM set, but CPUID 1 ECX bit 31 is clear: bare metal, not a vTOM guest; the newest kernel refuses to boot with vTOM outside an isolated Hyper-V guest (snp_check_features: GHCB_SNP_UNSUPPORTED)',
    ]);
    expect(d.result).toMatchObject({ type: { id: 'amd-vtom' } });
    expect(run(msrEvidence(AZURE_SNP_STATUS)).warnings).toEqual([]);
  });

  it('never reads a parameter polluted onto Object.prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.maskBit = 46;
    try {
      expect(createAmdVtomType({}).maskState).toBe('unknown');
    } finally {
      delete proto.maskBit;
    }
  });
});

describe('amd-vtom tables, loaded in the test', () => {
  it('forces DMA unencrypted (force_dma_unencrypted follows GUEST_MEM_ENCRYPT) and flushes the TLB only', async () => {
    const { AMD_VTOM_QUIRKS: q } = await import('../src/index.js');
    expect(q.forceDmaUnencrypted).toBe(true);
    expect(q.flush).toEqual({
      toShared: { cache: false, tlb: true },
      toPrivate: { cache: false, tlb: true },
    });
  });

  it('keeps Hyper-V’s isolation line in a snapshot, as a whole line only, beside x86’s patterns', async () => {
    const { amdVtomBackend: plugin } = await import('../src/index.js');
    const { X86_LOG_PATTERNS } = await import('@coco/x86');
    const kept = (text: string) => plugin.logPatterns.some((p) => p.test(text));
    expect(kept('Hyper-V: Isolation Config: Group A 0x1, Group B 0xba2')).toBe(true);
    expect(kept('systemd[1]: echo Hyper-V: Isolation Config: Group A 0x1, Group B 0xba2')).toBe(false);
    expect(plugin.logPatterns.slice(0, X86_LOG_PATTERNS.length)).toEqual([...X86_LOG_PATTERNS]);
  });
});
