// Module-level tables, read through a dynamic import inside the test: a mutant that makes a module
// throw while it loads then fails this test (a static import would fail the file before any test
// ran, which the mutation runner does not count as a kill). See docs/mutation.md.
import { describe, expect, it } from 'vitest';

describe('amd-vtom module tables', () => {
  it('lists the one variant with its title, attributes and cvm', async () => {
    const { amdVtomBackend } = await import('../src/index.js');
    expect(amdVtomBackend.variants).toEqual([
      {
        variant: null,
        title: 'AMD SEV-SNP with vTOM',
        attributes: ['guest-mem-encrypt', 'mem-encrypt'],
        cvm: 'sev-snp',
      },
    ]);
  });

  it('has the quirks of vTOM with both notes', async () => {
    const { AMD_VTOM_QUIRKS } = await import('../src/index.js');
    expect(AMD_VTOM_QUIRKS.notes).toEqual([
      'vTOM gives the guest no conversion protocol (no PVALIDATE, no GHCB page-state change): the hypervisor supplies it.',
      'No cache flush; a TLB flush before the page-table change unless the protocol unmaps the pages first.',
    ]);
    expect(AMD_VTOM_QUIRKS.conversion).toBeNull();
  });
});
