import { defineQuirks, type Quirks } from '@coco/core';

/**
 * The quirks of vTOM itself; a composing hypervisor adds its own on top (@coco/hyperv: the private
 * IO-APIC and vTPM pages, its visibility hypercall, and its not-present prepare step). Sources are
 * mainline v6.18.
 *
 * - No private MMIO: only Hyper-V's paravisor makes MMIO private (`hv_is_private_mmio`,
 *   arch/x86/hyperv/ivm.c).
 * - No cache flush in either direction: the kernel never asks for one around a vTOM conversion
 *   (`hv_vtom_cache_flush_required` returns false, arch/x86/hyperv/ivm.c).
 * - TLB flush before the page-table change in both directions: the generic path
 *   (`__set_memory_enc_pgtable`, arch/x86/mm/pat/set_memory.c) needs it unless the conversion protocol
 *   unmaps the pages first. The kernel's vTOM hook said "required" until Hyper-V's prepare step began
 *   marking the pages not present and flushing by itself; that step is Hyper-V's, so @coco/hyperv
 *   turns this flush off, not this backend.
 * - No conversion protocol: the hardware scheme gives the guest none. The C-bit hooks of
 *   arch/x86/mm/mem_encrypt_amd.c never run (`sme_early_init` returns at once because `sme_me_mask` is
 *   zero under vTOM), so there is no guest PVALIDATE or GHCB page-state change; the hypervisor that
 *   set vTOM up supplies the protocol.
 * - No string-I/O unrolling: `cc_platform_has(CC_ATTR_GUEST_UNROLL_STRING_IO)` is false under vTOM
 *   (arch/x86/coco/core.c).
 */
export const AMD_VTOM_QUIRKS: Quirks = defineQuirks({
  privateMmio: [],
  flush: {
    toShared: { cache: false, tlb: true },
    toPrivate: { cache: false, tlb: true },
  },
  conversion: null,
  unrollStringIo: false,
  // force_dma_unencrypted() is true whenever GUEST_MEM_ENCRYPT is (arch/x86/mm/mem_encrypt.c, v6.18).
  forceDmaUnencrypted: true,
  notes: [
    'vTOM gives the guest no conversion protocol (no PVALIDATE, no GHCB page-state change): the hypervisor supplies it.',
    'No cache flush; a TLB flush before the page-table change unless the protocol unmaps the pages first.',
  ],
});
