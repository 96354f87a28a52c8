import { createRegistry, type Evidence, mergeEvidence } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { amdCbitBackend } from '../src/index.js';
import {
  amd,
  EAX_SNP_COHERENT,
  EBX_CBIT47,
  EBX_CBIT51,
  ECX_GUEST,
  ECX_METAL,
  intelTdx,
  MAX_EXT_MILAN,
  snpGuest,
} from './evidence.js';

const detect = (evidence: Evidence) => createRegistry().use(amdCbitBackend).detect(evidence);
const says = (evidence: Evidence) => detect(evidence).trail.map((s) => `${s.source}: ${s.says}`);

describe('amd-cbit detection', () => {
  it('reads C-bit, reduction, VMPLs and SME_COHERENT from CPUID 0x8000001F', () => {
    const d = detect(snpGuest);
    expect(d.type?.variant).toBe('sev-snp');
    expect(d.type?.describe()).toBe('AMD SEV-SNP, C-bit 51, encrypted when set');
    expect(d.type?.details).toEqual([
      { name: 'SEV status', value: '0x7 (SEV SEV-ES SEV-SNP)' },
      { name: 'C-bit', value: '51' },
      { name: 'Physical address reduction', value: '5 bits' },
      { name: 'VMPLs', value: '4' },
      { name: 'SME coherent', value: 'yes' },
    ]);
    expect(d.type?.quirks.flush.toShared.cache).toBe(false);
    const json = d.toJSON();
    expect(json.mask).toBe('0x8000000000000');
    expect(json.cvm).toBe('sev-snp');
    expect(json.attributes).toEqual([
      'guest-mem-encrypt',
      'guest-sev-snp',
      'guest-state-encrypt',
      'mem-encrypt',
    ]);
    const own = d.trail.filter((s) => s.by === 'amd-cbit');
    expect(own.every((s) => ['cpuid', 'msr', 'kernel-log', 'cpuinfo', 'files'].includes(s.source))).toBe(
      true,
    );
    expect(d.warnings).toEqual([]);
  });

  it('takes SecureTSC from the status MSR', () => {
    const d = detect(
      amd({ ecx1: ECX_GUEST, maxExt: MAX_EXT_MILAN, leaf: { eax: 0x1b, ebx: EBX_CBIT51 }, status: 0x807n }),
    );
    expect(d.type?.attributes.has('guest-snp-secure-tsc')).toBe(true);
    expect(d.type?.quirks.flush.toShared.cache).toBe(true); // EAX 0x1b: bit 10 clear
  });

  it('leaves a vTOM status (MSR) to amd-vtom and says so', () => {
    const evidence = amd({ ecx1: ECX_GUEST, maxExt: 0x80000008, status: 0x103dfn });
    expect(detect(evidence).type).toBeNull();
    expect(says(evidence).some((s) => s.startsWith('msr:') && s.includes('amd-vtom'))).toBe(true);
  });

  it('leaves a vTOM status line to amd-vtom even beside "AMD SEV"', () => {
    const evidence = amd({
      log: 'Memory Encryption Features active: AMD SEV\nSEV: Status: SEV SEV-ES SEV-SNP vTom ReflectVC AI DebugSwap NoHostIBS BTBIsol VMSARegProt ',
    });
    expect(detect(evidence).type).toBeNull();
    expect(says(evidence).some((s) => s.startsWith('kernel-log:') && s.includes('amd-vtom'))).toBe(true);
  });

  it('keeps the type but not the mask when Azure hides the leaf (0x80000000 EAX 0x80000008)', () => {
    const d = detect(amd({ ecx1: ECX_GUEST, maxExt: 0x80000008, status: 0x7n }));
    expect(d.type?.variant).toBe('sev-snp');
    expect(d.type?.marking).toBeNull();
    expect(d.type?.maskUnknownReason).toContain('0x80000008');
    expect(d.toJSON().maskBit).toBeNull();
  });

  it("rules itself out on an Intel TDX guest, whose log names Intel's memory encryption", () => {
    const d = detect(intelTdx);
    expect(d.type).toBeNull();
    expect(d.trail.map((s) => s.says)).toContain(
      'amd-cbit rules its type out: the kernel reports another vendor\'s memory encryption: "Memory Encryption Features active: Intel TDX" (test line 2)',
    );
  });

  it('rules itself out where the kernel stops: no leaf 0x8000001F under the maximum extended leaf', () => {
    const d = detect(amd({ ecx1: ECX_GUEST, maxExt: 0x8000_0008 }));
    expect(d.confidential).toBe(false);
    expect(d.trail.map((s) => s.says)).toContain(
      'amd-cbit rules its type out: CPUID 0x80000000 EAX 0x80000008 is below 0x8000001f: the CPU has no memory-encryption leaf',
    );
  });

  it('explains an unknown C-bit in the trail', () => {
    const evidence = amd({ log: 'Memory Encryption Features active: AMD SEV SEV-ES SEV-SNP' });
    expect(says(evidence).some((s) => s.startsWith('cpuid: C-bit unknown'))).toBe(true);
  });

  it('does not trust leaf 0x8000001F without 0x80000000', () => {
    const d = detect(amd({ ecx1: ECX_GUEST, leaf: { eax: 0x1b, ebx: EBX_CBIT51 }, status: 0x7n }));
    expect(d.type?.marking).toBeNull();
    expect(d.type?.maskUnknownReason).toContain('0x80000000');
  });

  it('says unknown when the C-bit field is outside 12..51', () => {
    const d = detect(
      amd({ ecx1: ECX_GUEST, maxExt: MAX_EXT_MILAN, leaf: { eax: 0x2, ebx: 0 }, status: 0x1n }),
    );
    expect(d.type?.variant).toBe('sev');
    expect(d.type?.maskUnknownReason).toContain('reads 0');
  });

  it('reports a conflict when the log says SEV-ES and the MSR says SEV-SNP, naming both', () => {
    const evidence = mergeEvidence(
      snpGuest,
      amd({ log: '[    0.5] Memory Encryption Features active: AMD SEV SEV-ES' }),
    );
    const d = detect(evidence);
    expect(d.type).toBeNull();
    expect(d.conflicts).toHaveLength(1);
    const sides = d.conflicts[0]?.sides ?? [];
    expect(sides.some((s) => s.source.startsWith('msr 0xc0010131') && s.says === 'sev-snp')).toBe(true);
    expect(sides.some((s) => s.source.startsWith('kernel log') && s.says.includes('SEV-ES'))).toBe(true);
  });

  it('reports a conflict between the two kernel-log lines', () => {
    const d = detect(
      amd({ log: 'Memory Encryption Features active: AMD SEV SEV-ES\nSEV: Status: SEV SEV-ES SEV-SNP' }),
    );
    expect(d.type).toBeNull();
    expect(d.conflicts[0]?.what).toContain('amd-cbit');
  });

  it('agrees when the log and the MSR say the same', () => {
    const log =
      '[    0.5] Memory Encryption Features active: AMD SEV SEV-ES SEV-SNP\n[    0.5] SEV: Status: SEV SEV-ES SEV-SNP';
    const d = detect(mergeEvidence(snpGuest, amd({ log })));
    expect(d.type?.variant).toBe('sev-snp');
    expect(d.conflicts).toEqual([]);
  });

  it('detects an SME host from the log, as a host: not confidential, cvm none', () => {
    const d = detect(
      amd({
        ecx1: ECX_METAL,
        maxExt: MAX_EXT_MILAN,
        leaf: { eax: 0x1, ebx: EBX_CBIT47 },
        log: 'Feb 14 16:16:55 host kernel: Memory Encryption Features active: AMD SME',
      }),
    );
    expect(d.type?.variant).toBe('sme');
    expect(d.type?.guest).toBe(false);
    expect(d.confidential).toBe(false);
    expect(d.cvm).toBe('none');
    expect(d.type?.attributes.ids).toEqual(['host-mem-encrypt', 'mem-encrypt']);
  });

  it('detects SME from SYSCFG bit 23 on bare metal, warning that the kernel must have enabled it', () => {
    const d = detect(
      amd({ ecx1: ECX_METAL, maxExt: MAX_EXT_MILAN, leaf: { eax: 0x1, ebx: EBX_CBIT47 }, syscfg: 0x800000n }),
    );
    expect(d.type?.variant).toBe('sme');
    expect(d.type?.marking?.maskBit).toBe(47);
    expect(d.warnings.join(' ')).toContain('mem_encrypt=on');
  });

  it('does not take SYSCFG bit 23 as SME inside a guest or with bit 23 clear', () => {
    expect(
      detect(
        amd({
          ecx1: ECX_GUEST,
          maxExt: MAX_EXT_MILAN,
          leaf: { eax: 0x1, ebx: EBX_CBIT47 },
          syscfg: 0x800000n,
        }),
      ).type,
    ).toBeNull();
    expect(
      detect(
        amd({
          ecx1: ECX_METAL,
          maxExt: MAX_EXT_MILAN,
          leaf: { eax: 0x1, ebx: EBX_CBIT47 },
          syscfg: 0x40000n,
        }),
      ).type,
    ).toBeNull();
    expect(detect(amd({ syscfg: 0x800000n })).type).toBeNull();
  });

  it('reads older log wordings with timestamps', () => {
    const v5 = detect(amd({ log: '[    0.345678] AMD Memory Encryption Features active: SEV SEV-ES' }));
    expect(v5.type?.variant).toBe('sev-es');
    const v4 = detect(amd({ log: '[    0.345678] AMD Secure Encrypted Virtualization (SEV) active' }));
    expect(v4.type?.variant).toBe('sev');
    expect(v4.warnings.join(' ')).toContain('does not tell SEV from SEV-ES');
  });

  it('makes a log-only "AMD SEV" claim tentative (pre-v6.9 vTOM guests print it too), not one with a status', () => {
    const context = { step: () => {}, warn: () => {}, conflict: () => {} };
    const logOnly = amd({ log: 'Memory Encryption Features active: AMD SEV' });
    const tentative = (e: typeof logOnly) => {
      const result = amdCbitBackend.detect(e, context);
      return result && 'type' in result ? result.tentative : 'no claim';
    };
    expect(tentative(logOnly)).toBe(true);
    const withStatus = amd({ log: 'Memory Encryption Features active: AMD SEV\nSEV: Status: SEV' });
    expect(tentative(withStatus)).toBeUndefined();
  });

  it('takes the status from the log line when there is no MSR (SecureTSC in the old spelling)', () => {
    const d = detect(amd({ log: 'SEV: Status: SEV SEV-ES SEV-SNP Secure TSC ' }));
    expect(d.type?.variant).toBe('sev-snp');
    expect(d.type?.attributes.has('guest-snp-secure-tsc')).toBe(true);
    expect(d.type?.details[0]).toEqual({ name: 'SEV status', value: '0x807 (SEV SEV-ES SEV-SNP SecureTSC)' });
  });

  it('warns when cpuinfo disagrees with the MSR, and follows the MSR', () => {
    const d = detect(mergeEvidence(snpGuest, amd({ cpuinfoFlags: 'fpu hypervisor sev sev_es' })));
    expect(d.type?.variant).toBe('sev-snp');
    expect(d.warnings.some((w) => w.includes('sev-es'))).toBe(true);
  });

  it('does not claim a host that can run SEV guests (cpuinfo flags without hypervisor)', () => {
    const evidence = amd({ cpuinfoFlags: 'fpu svm sev sev_es sev_snp' });
    expect(detect(evidence).type).toBeNull();
    expect(says(evidence).join(' ')).toContain('not a guest');
  });

  it('does not claim a guest whose CPUID advertises SEV but shows nothing active', () => {
    const evidence = amd({
      ecx1: ECX_GUEST,
      maxExt: MAX_EXT_MILAN,
      leaf: { eax: EAX_SNP_COHERENT, ebx: EBX_CBIT51 },
    });
    const d = detect(evidence);
    expect(d.type).toBeNull();
    expect(d.confidential).toBeNull();
    expect(d.undetermined[0]?.because).toContain(
      'SEV is advertised in CPUID 0x8000001f, but nothing shows whether it is active',
    );
  });

  it('warns about an impossible status and ignores it', () => {
    const d = detect(amd({ ecx1: ECX_GUEST, status: 0x4n }));
    expect(d.type).toBeNull();
    expect(d.warnings.join(' ')).toContain('bit 0');
  });

  it('ignores a /dev/sev-guest that does not exist', () => {
    expect(detect(amd({ files: { '/dev/sev-guest': false } })).type).toBeNull();
  });
});

describe("amd-cbit follows the kernel's sme_enable and snp_check_features (v6.18)", () => {
  it('takes SME only where sme_enable reaches it: leaf 0x8000001F valid with SME or SEV in EAX', () => {
    const metal = (leaf?: { eax: number; ebx: number }, maxExt = MAX_EXT_MILAN) =>
      detect(amd({ ecx1: ECX_METAL, maxExt, ...(leaf && { leaf }), status: 0n, syscfg: 0x800000n }));
    expect(metal({ eax: 0x1, ebx: EBX_CBIT47 }).type?.variant).toBe('sme');
    // Neither bit 0 nor bit 1: sme_enable returns before reading SYSCFG.
    const neither = metal({ eax: 0x0, ebx: EBX_CBIT47 });
    expect(neither.type).toBeNull();
    expect(neither.confidential).toBe(false);
    expect(neither.trail.map((s) => s.says)).toContain(
      'SYSCFG bit 23 set, but CPUID 0x8000001f EAX has neither SME (bit 0) nor SEV (bit 1): not SME',
    );
    // The leaf beyond the maximum extended leaf, or not in the evidence at all.
    expect(metal({ eax: 0x1, ebx: EBX_CBIT47 }, 0x80000008).type).toBeNull();
    const noLeaf = metal(undefined);
    expect(noLeaf.type).toBeNull();
    expect(noLeaf.trail.map((s) => s.says).join(' ')).toContain('the kernel needs it: not SME');
  });

  it('warns about SNP features the newest kernel refuses to boot with, and not about those it has', () => {
    const snp = (status: bigint) =>
      detect(
        amd({
          ecx1: ECX_GUEST,
          maxExt: MAX_EXT_MILAN,
          leaf: { eax: EAX_SNP_COHERENT, ebx: EBX_CBIT51 },
          status,
        }),
      );
    // 0x87: DebugSwap (bit 7), which the kernel implements.
    expect(snp(0x87n).warnings).toEqual([]);
    // 0x10007: VMSARegProt (bit 16); 0x27: RI (bit 5).
    expect(snp(0x10007n).warnings.join()).toContain(
      'VMSARegProt set, which the newest kernel refuses to boot with (snp_check_features: GHCB_SNP_UNSUPPORTED)',
    );
    expect(snp(0x27n).warnings.join()).toContain('RI set');
    // Still the guest the status describes: the warning does not change the answer.
    expect(snp(0x10007n).type?.variant).toBe('sev-snp');
  });
});
