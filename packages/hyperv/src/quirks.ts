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
    reason: 'emulated by the paravisor',
  }),
  Object.freeze({
    name: 'vTPM',
    start: 0xfed4_0000n,
    size: 0x1000n,
    reason: 'emulated by the paravisor',
  }),
]);

const call = 'HVCALL_MODIFY_SPARSE_GPA_PAGE_HOST_VISIBILITY (0x00db)';

function steps(change: string, visibility: number): ConversionProtocol['toShared'] {
  return Object.freeze([
    {
      kind: 'mark-not-present',
      detail: 'prepare: set_memory_np marks the pages not present and flushes the TLB',
    },
    { kind: 'page-table-change', detail: `${change} the boundary bit` },
    {
      kind: 'notify-host',
      detail: `finish: ${call}, visibility ${visibility}, <= ${HV_MAX_MODIFY_GPA_REP_COUNT} pages a call`,
    },
    { kind: 'hyperv:mark-present', detail: 'finish: set_memory_p marks the pages present again' },
  ]);
}

/**
 * Hyper-V's conversion under the vTOM scheme (`hv_vtom_clear_present` as the prepare hook,
 * `hv_vtom_set_host_visibility` as the finish hook; arch/x86/hyperv/ivm.c, v6.18). Pages are kept
 * not present during the change so a stray `load_unaligned_zeropad()` read page-faults instead of
 * raising #VC/#VE in the paravisor, where the kernel could not fix it up.
 */
export const HYPERV_VTOM_CONVERSION: ConversionProtocol = Object.freeze({
  name: 'Hyper-V host visibility',
  mechanism: `${call} rep hypercall; visibility ${HOST_VISIBILITY.readWrite} shares, ${HOST_VISIBILITY.notVisible} makes private`,
  batchLimit: HV_MAX_MODIFY_GPA_REP_COUNT,
  batchUnit: 'pages',
  pageSizes: Object.freeze([4096]),
  retry: null,
  toShared: steps('set', HOST_VISIBILITY.readWrite),
  toPrivate: steps('clear', HOST_VISIBILITY.notVisible),
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
    'Hyper-V: no TLB flush requested, as the prepare step flushes it (v6.4 to about v6.8 required one).',
  ]),
});
