// Module-level tables, read through a dynamic import inside the test: a mutant that makes a module
// throw while it loads then fails this test (a static import would fail the file before any test
// ran, which the mutation runner does not count as a kill). See docs/mutation.md.
import { describe, expect, it } from 'vitest';

describe('amd-cbit module tables', () => {
  it('lists the four variants in the order the hardware added them (SME, SEV, SEV-ES, SEV-SNP)', async () => {
    const { AMD_CBIT_VARIANTS } = await import('../src/index.js');
    expect(AMD_CBIT_VARIANTS).toEqual(['sme', 'sev', 'sev-es', 'sev-snp']);
    expect(Object.isFrozen(AMD_CBIT_VARIANTS)).toBe(true);
  });

  it('gives each variant the kernel title, the systemd --cvm label and the SEV status bits it always has', async () => {
    const { VARIANT_INFO } = await import('../src/index.js');
    // Titles: "Memory Encryption Features active: AMD SME|SEV|SEV-ES|SEV-SNP" (mem_encrypt.c).
    // Labels: systemd confidential-virt.c prints none, sev, sev-es, sev-snp.
    // Status: bit 0 SEV, bit 1 SEV-ES, bit 2 SEV-SNP, and every level includes the ones below it.
    expect(VARIANT_INFO).toEqual({
      sme: { title: 'AMD SME', cvm: 'none', guest: false, status: 0n },
      sev: { title: 'AMD SEV', cvm: 'sev', guest: true, status: 0x1n },
      'sev-es': { title: 'AMD SEV-ES', cvm: 'sev-es', guest: true, status: 0x3n },
      'sev-snp': { title: 'AMD SEV-SNP', cvm: 'sev-snp', guest: true, status: 0x7n },
    });
    expect(Object.isFrozen(VARIANT_INFO)).toBe(true);
    expect(Object.isFrozen(VARIANT_INFO.sev)).toBe(true);
  });

  it('declares the Secure TSC and Secure AVIC conditions on SEV-SNP only', async () => {
    const { amdCbitBackend } = await import('../src/index.js');
    expect(amdCbitBackend.variants.map((v) => [v.variant, v.conditional?.length ?? 0])).toEqual([
      ['sme', 0],
      ['sev', 0],
      ['sev-es', 0],
      ['sev-snp', 2],
    ]);
    expect(amdCbitBackend.variants.map((v) => v.title)).toEqual([
      'AMD SME',
      'AMD SEV',
      'AMD SEV-ES',
      'AMD SEV-SNP',
    ]);
  });

  it('has the GHCB and KVM numbers of facts §5', async () => {
    const m = await import('../src/index.js');
    expect([m.PSC_MAX_ENTRIES, m.PSC_KERNEL_BATCH, m.GHCB_MSR_PSC_REQ, m.SVM_VMGEXIT_PSC]).toEqual([
      253, 64, 0x14, 0x8000_0010,
    ]);
    expect(m.KVM_HC_MAP_GPA_RANGE).toBe(12);
    expect([m.MSR_SYSCFG, m.SYSCFG_MEM_ENCRYPT_BIT]).toEqual([0xc001_0010, 23]);
  });
});
