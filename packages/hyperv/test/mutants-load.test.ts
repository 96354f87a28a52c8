// Module-level tables, read through a dynamic import inside the test: a mutant that makes a module
// throw while it loads then fails this test (a static import would fail the file before any test
// ran, which the mutation runner does not count as a kill). See docs/mutation.md.
import { describe, expect, it } from 'vitest';

describe('hyperv module tables', () => {
  it('has the private MMIO pages a paravisor emulates', async () => {
    const { HYPERV_PRIVATE_MMIO } = await import('../src/index.js');
    expect(HYPERV_PRIVATE_MMIO).toEqual([
      { name: 'IO-APIC', start: 0xfec0_0000n, size: 0x1000n, reason: 'emulated by the paravisor' },
      { name: 'vTPM', start: 0xfed4_0000n, size: 0x1000n, reason: 'emulated by the paravisor' },
    ]);
  });

  it("has Hyper-V's visibility protocol step by step", async () => {
    const { HYPERV_VTOM_QUIRKS } = await import('../src/index.js');
    const call = 'HVCALL_MODIFY_SPARSE_GPA_PAGE_HOST_VISIBILITY (0x00db)';
    const steps = (change: string, visibility: number) => [
      { kind: 'mark-not-present', detail: 'set_memory_np, which flushes the TLB' },
      { kind: 'page-table-change', detail: `${change} the boundary bit` },
      { kind: 'notify-host', detail: `${call}, visibility ${visibility}` },
      { kind: 'hyperv:mark-present', detail: 'set_memory_p' },
    ];
    expect(HYPERV_VTOM_QUIRKS.conversion).toEqual({
      name: 'Hyper-V host visibility',
      mechanism: call,
      batchLimit: 510,
      batchUnit: 'pages',
      pageSizes: [4096],
      retry: null,
      toShared: steps('set', 3),
      toPrivate: steps('clear', 0),
    });
  });
});
