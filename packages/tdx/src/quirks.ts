import { defineQuirks, type Quirks } from '@coco/core';

/** TDG.VP.VMCALL<MapGPA>: the hypercall that asks the VMM to map a GPA range shared or private. */
export const TDVMCALL_MAP_GPA = 0x10001; // arch/x86/include/asm/shared/tdx.h, v6.18

/** MapGPA tries without forward progress before the guest gives up. */
export const MAP_GPA_MAX_TRIES = 3; // arch/x86/coco/tdx/tdx.c tdx_map_gpa(), v6.18

/** TDG.MEM.PAGE.ACCEPT (TDCALL leaf 6): the page sizes tried in order, largest first, in bytes. */
export const TDX_ACCEPT_SIZES: readonly number[] = [1 << 30, 1 << 21, 1 << 12]; // arch/x86/coco/tdx/tdx-shared.c, v6.18

const MAP_GPA = 'MapGPA, shared bit ';
const TLB_AFTER = { kind: 'flush-tlb', detail: 'generic, after every change' };

/**
 * The quirks of a TDX guest, as the newest mainline kernel handles them: arch/x86/coco/tdx/tdx.c
 * (prepare/finish hooks, flush rules, MapGPA), tdx-shared.c (accept) and the generic order of
 * arch/x86/mm/pat/set_memory.c: flush (when the TLB rule asks), prepare, page-table change,
 * TLB flush, finish.
 */
export const TDX_QUIRKS: Quirks = defineQuirks({
  privateMmio: [],
  flush: {
    // tdx_cache_flush_required() is always true; tdx_tlb_flush_required(private) is !private.
    toShared: { cache: true, tlb: true },
    toPrivate: { cache: true, tlb: false },
  },
  conversion: {
    name: 'TDX MapGPA',
    mechanism: 'MapGPA (TDVMCALL 0x10001); to private also TDG.MEM.PAGE.ACCEPT',
    batchLimit: null,
    batchUnit: 'pages',
    pageSizes: TDX_ACCEPT_SIZES,
    retry: `RETRY resumes at a GPA in the range; fails after ${MAP_GPA_MAX_TRIES} tries without progress`,
    toShared: [
      { kind: 'flush-tlb', detail: 'before the change' },
      { kind: 'flush-cache', detail: 'before the change' },
      { kind: 'page-table-change', detail: 'set the shared bit' },
      TLB_AFTER,
      { kind: 'notify-host', detail: `finish: ${MAP_GPA}set` },
    ],
    toPrivate: [
      { kind: 'notify-host', detail: `prepare: ${MAP_GPA}clear` },
      { kind: 'accept', detail: 'prepare: TDG.MEM.PAGE.ACCEPT, 1G, else 2M, else 4K' },
      { kind: 'page-table-change', detail: 'clear the shared bit' },
      TLB_AFTER,
    ],
  },
  unrollStringIo: true,
  // force_dma_unencrypted() is true whenever GUEST_MEM_ENCRYPT is (arch/x86/mm/mem_encrypt.c, v6.18).
  forceDmaUnencrypted: true,
  notes: [
    'MMIO is emulated via #VE on shared mappings; none is private.',
    'An EPT violation on a private GPA is fatal.',
    'A private mapping of a shared page is fatal; the reverse is a recoverable #VE.',
    'The generic code flushes before a change only if the TLB rule asks: not to private.',
  ],
});
