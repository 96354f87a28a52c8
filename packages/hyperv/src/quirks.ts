import type { ConversionProtocol, MmioRange, QuirksPatch } from '@coco/core';

/** The hypercall that changes host visibility of guest pages (include/hyperv/hvgdk_mini.h, v6.18). */
export const HVCALL_MODIFY_SPARSE_GPA_PAGE_HOST_VISIBILITY = 0x00db;

/**
 * Most page numbers one visibility hypercall carries: a 4 KiB input page of 8-byte entries less two
 * header words (`HV_MAX_MODIFY_GPA_REP_COUNT`, include/hyperv/hvgdk_mini.h, v6.18).
 */
export const HV_MAX_MODIFY_GPA_REP_COUNT = 4096 / 8 - 2;

/** Host visibility values (`enum hv_mem_host_visibility`, include/hyperv/hvgdk_mini.h, v6.18). */
export const HOST_VISIBILITY = Object.freeze({ notVisible: 0, readOnly: 1, readWrite: 3 } as const);

/**
 * MMIO pages a paravisor emulates inside the guest, so they are mapped private
 * (`hv_is_private_mmio`, arch/x86/hyperv/ivm.c, v6.18; bases from `HV_IOAPIC_BASE_ADDRESS` in
 * arch/x86/include/asm/mshyperv.h and `VTPM_BASE_ADDRESS` in include/asm-generic/mshyperv.h).
 */
export const HYPERV_PRIVATE_MMIO: readonly MmioRange[] = Object.freeze([
  Object.freeze({
    name: 'IO-APIC',
    start: 0xfec0_0000n,
    size: 0x1000n,
    reason: 'the paravisor emulates the IO-APIC inside the guest',
  }),
  Object.freeze({
    name: 'vTPM',
    start: 0xfed4_0000n,
    size: 0x1000n,
    reason: 'the paravisor emulates the vTPM inside the guest',
  }),
]);

const call = `HVCALL_MODIFY_SPARSE_GPA_PAGE_HOST_VISIBILITY (0x${HVCALL_MODIFY_SPARSE_GPA_PAGE_HOST_VISIBILITY.toString(16).padStart(4, '0')})`;
const prepare = {
  kind: 'mark-not-present',
  detail:
    'prepare: mark the pages not present and flush the TLB (set_memory_np), so a stray load_unaligned_zeropad() read page-faults instead of raising #VC/#VE in the paravisor',
} as const;
const present = {
  kind: 'hyperv:mark-present',
  detail: 'finish: mark the pages present again (set_memory_p), even when the hypercall failed',
} as const;

/**
 * Hyper-V's conversion under the vTOM scheme (`hv_vtom_clear_present` as the prepare hook,
 * `hv_vtom_set_host_visibility` as the finish hook; arch/x86/hyperv/ivm.c, v6.18).
 */
export const HYPERV_VTOM_CONVERSION: ConversionProtocol = Object.freeze({
  name: 'Hyper-V host visibility',
  mechanism: `${call}, a rep hypercall; visibility ${HOST_VISIBILITY.readWrite} (read-write) to share, ${HOST_VISIBILITY.notVisible} (not visible) to make private`,
  batchLimit: HV_MAX_MODIFY_GPA_REP_COUNT,
  batchUnit: 'pages',
  pageSizes: Object.freeze([4096]),
  retry: null,
  toShared: Object.freeze([
    prepare,
    { kind: 'page-table-change', detail: 'set the boundary bit in the page-table entries' },
    {
      kind: 'notify-host',
      detail: `finish: ${call} with visibility ${HOST_VISIBILITY.readWrite}, at most ${HV_MAX_MODIFY_GPA_REP_COUNT} pages per call`,
    },
    present,
  ]),
  toPrivate: Object.freeze([
    prepare,
    { kind: 'page-table-change', detail: 'clear the boundary bit in the page-table entries' },
    {
      kind: 'notify-host',
      detail: `finish: ${call} with visibility ${HOST_VISIBILITY.notVisible}, at most ${HV_MAX_MODIFY_GPA_REP_COUNT} pages per call`,
    },
    present,
  ]),
});

const noFlush = Object.freeze({ cache: false, tlb: false });

/**
 * What Hyper-V changes on the composed type when it uses the vTOM scheme (VBS, or any type with
 * a paravisor): the private MMIO pages, the visibility hypercall, and the flush rules of
 * `hv_vtom_cache_flush_required` and `hv_vtom_tlb_flush_required` (arch/x86/hyperv/ivm.c, v6.18).
 */
export const HYPERV_VTOM_QUIRKS: QuirksPatch = Object.freeze({
  privateMmio: HYPERV_PRIVATE_MMIO,
  flush: Object.freeze({ toShared: noFlush, toPrivate: noFlush }),
  conversion: HYPERV_VTOM_CONVERSION,
  notes: Object.freeze([
    'Hyper-V: no cache flush around a conversion (hv_vtom_cache_flush_required is false).',
    'Hyper-V: no TLB flush is requested, because the prepare step marks the pages not present and flushes the TLB itself; kernels from v6.4 to about v6.8 still said one was required.',
  ]),
});
