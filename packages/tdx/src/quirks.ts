import { defineQuirks, type Quirks } from '@coco/core';

/** TDG.VP.VMCALL<MapGPA>: the hypercall that asks the VMM to map a GPA range shared or private. */
export const TDVMCALL_MAP_GPA = 0x10001; // arch/x86/include/asm/shared/tdx.h, v6.18

/** MapGPA tries without forward progress before the guest gives up. */
export const MAP_GPA_MAX_TRIES = 3; // arch/x86/coco/tdx/tdx.c tdx_map_gpa(), v6.18

/** TDG.MEM.PAGE.ACCEPT (TDCALL leaf 6): the page sizes tried in order, largest first, in bytes. */
export const TDX_ACCEPT_SIZES: readonly number[] = Object.freeze([0x4000_0000, 0x20_0000, 0x1000]); // arch/x86/coco/tdx/tdx-shared.c, v6.18

const MAP_GPA = 'MapGPA (TDVMCALL 0x10001)';
const AFTER_FLUSH =
  'TLB flush after the change, which the generic code (set_memory.c __set_memory_enc_pgtable) does for every conversion';

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
    mechanism: `TDG.VP.VMCALL<MapGPA> (TDVMCALL 0x10001) over the GPA range; to private also TDG.MEM.PAGE.ACCEPT (TDCALL 6)`,
    batchLimit: null,
    batchUnit: 'pages',
    pageSizes: TDX_ACCEPT_SIZES,
    retry: `MapGPA may return RETRY with the GPA to resume from (R11, which must lie inside the range); the guest resumes there and fails after ${MAP_GPA_MAX_TRIES} tries without progress`,
    toShared: [
      { kind: 'flush-tlb', detail: 'TLB flush before the change: TDX requires it private->shared' },
      { kind: 'flush-cache', detail: 'cache flush with it: TDX always requires one' },
      {
        kind: 'page-table-change',
        detail: 'set the shared bit; a shared mapping of a still-private page gives a recoverable #VE',
      },
      { kind: 'flush-tlb', detail: AFTER_FLUSH },
      {
        kind: 'notify-host',
        detail: `finish: ${MAP_GPA} over the range with the shared bit set`,
      },
    ],
    toPrivate: [
      {
        kind: 'notify-host',
        detail: `prepare: ${MAP_GPA} over the range with the shared bit clear`,
      },
      {
        kind: 'accept',
        detail:
          'prepare: TDG.MEM.PAGE.ACCEPT each chunk, trying 1G, then 2M, then 4K as alignment and length allow',
      },
      {
        kind: 'page-table-change',
        detail:
          'clear the shared bit; the page is private already, so no private mapping of a shared page exists',
      },
      { kind: 'flush-tlb', detail: AFTER_FLUSH },
    ],
  },
  unrollStringIo: true,
  notes: [
    'String I/O (INS/OUTS) is not emulated in the #VE handler: it must be unrolled into IN/OUT.',
    'MMIO is emulated through #VE on shared mappings; TDX has no private MMIO.',
    'An EPT violation on a private GPA is fatal (the kernel panics).',
    'A private mapping of a shared page is fatal; a shared mapping of a private page is a recoverable #VE.',
    'Before the change the generic code flushes only when the TLB rule asks, so shared->private flushes no cache although the cache rule is true.',
    'The shared bit is a flag, not part of the physical address: the kernel masks it and the bits above out of physical_mask.',
  ],
});
