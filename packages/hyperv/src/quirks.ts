import type { ConversionProtocol, ConversionStep, MmioRange, QuirksPatch } from '@coco/core';

/** The hypercall that changes host visibility of guest pages (include/hyperv/hvgdk_mini.h, v6.18). */
export const HVCALL_MODIFY_SPARSE_GPA_PAGE_HOST_VISIBILITY = 0x00db;

/**
 * Most page numbers one visibility hypercall carries: a 4 KiB input page of 8-byte entries less two
 * header words (`HV_MAX_MODIFY_GPA_REP_COUNT`, include/hyperv/hvgdk_mini.h, v6.18).
 */
export const HV_MAX_MODIFY_GPA_REP_COUNT = 4096 / 8 - 2;

const mmio = (name: string, start: bigint): MmioRange => ({
  name,
  start,
  size: 0x1000n,
  reason: 'emulated by the paravisor',
});

/**
 * MMIO pages a paravisor emulates inside the guest, so they are mapped private
 * (`hv_is_private_mmio`, arch/x86/hyperv/ivm.c, v6.18; bases from `HV_IOAPIC_BASE_ADDRESS` in
 * arch/x86/include/asm/mshyperv.h and `VTPM_BASE_ADDRESS` in include/asm-generic/mshyperv.h).
 */
export const HYPERV_PRIVATE_MMIO: readonly MmioRange[] = [
  mmio('IO-APIC', 0xfec0_0000n),
  mmio('vTPM', 0xfed4_0000n),
];

const CALL = 'HVCALL_MODIFY_SPARSE_GPA_PAGE_HOST_VISIBILITY (0x00db)';

// Host visibility (`enum hv_mem_host_visibility`, include/hyperv/hvgdk_mini.h): 0 not visible,
// 3 read-write.
const steps = (change: string, visibility: number): ConversionStep[] => [
  { kind: 'mark-not-present', detail: 'set_memory_np, which flushes the TLB' },
  { kind: 'page-table-change', detail: `${change} the boundary bit` },
  { kind: 'notify-host', detail: `${CALL}, visibility ${visibility}` },
  { kind: 'hyperv:mark-present', detail: 'set_memory_p' },
];

/**
 * What Hyper-V changes on the composed type when it uses the vTOM scheme (VBS, or any type with a
 * paravisor), from `hv_vtom_init` (arch/x86/hyperv/ivm.c, v6.18): the private MMIO pages; no cache
 * flush (`hv_vtom_cache_flush_required`) and no TLB flush (`hv_vtom_tlb_flush_required`, true from
 * v6.4 to about v6.8); and the conversion: `hv_vtom_clear_present` marks the pages not present
 * (so a stray `load_unaligned_zeropad()` read page-faults rather than raising #VC/#VE in the
 * paravisor), the page tables change, then `hv_vtom_set_host_visibility` calls the visibility
 * hypercall (3 shares, 0 makes private) in batches of at most 510 pages and marks them present.
 */
export const HYPERV_VTOM_QUIRKS: QuirksPatch = Object.freeze({
  privateMmio: HYPERV_PRIVATE_MMIO,
  flush: { toShared: { cache: false, tlb: false }, toPrivate: { cache: false, tlb: false } },
  conversion: {
    name: 'Hyper-V host visibility',
    mechanism: CALL,
    batchLimit: HV_MAX_MODIFY_GPA_REP_COUNT,
    batchUnit: 'pages',
    pageSizes: [4096],
    retry: null,
    toShared: steps('set', 3),
    toPrivate: steps('clear', 0),
  } satisfies ConversionProtocol,
  notes: ['Hyper-V: no TLB flush, the prepare step flushes it (v6.4 to about v6.8 required one).'],
});
