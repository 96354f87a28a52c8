import { defineQuirks, type Quirks } from '@coco/core';

/** `SMC_RSI_IPA_STATE_SET`: `SMC_RSI_FID(0x197)`, a fast SMC64 standard-service call (arch/arm64/include/asm/rsi_smc.h). */
export const SMC_RSI_IPA_STATE_SET = 0xc4000197;

/** `RSI_GRANULE_SIZE` (arch/arm64/include/asm/rsi_cmds.h): RIPAS changes in 4 KiB granules. */
export const RSI_GRANULE_SIZE = 4096;

/**
 * The quirks of an Arm CCA realm guest, as mainline v6.18.2 (and v6.19) converts memory:
 * `__set_memory_enc_dec()` in arch/arm64/mm/pageattr.c with `rsi_set_memory_range()` in
 * arch/arm64/include/asm/rsi.h.
 *
 * - Conversion: one page-table update clears `PTE_VALID` (break-before-make) and sets or clears the
 *   shared bit (`PROT_NS_SHARED`), then `flush_tlb_kernel_range`; then `RSI_IPA_STATE_SET` over the
 *   range, repeated from the `top` the RMM returns until it reaches the end (no fixed batch; the host
 *   must answer `RSI_ACCEPT`), to RIPAS EMPTY for shared and RAM for private, both with
 *   `RSI_CHANGE_DESTROYED`; then `PTE_VALID` again, with no TLB flush (an invalid entry is never cached).
 * - No cache flush in either direction: the kernel issues none around a conversion.
 * - `force_dma_unencrypted()` is `is_realm_world()` (arch/arm64/include/asm/mem_encrypt.h): every DMA
 *   buffer is shared (bounced through swiotlb).
 * - No fixed private MMIO: `realm_ioremap_hook` asks the RMM each mapping's RIPAS (`RSI_IPA_STATE_GET`)
 *   and maps it private unless some granule is EMPTY.
 */
export const ARM_CCA_QUIRKS: Quirks = defineQuirks({
  privateMmio: [],
  flush: {
    toShared: { cache: false, tlb: true },
    toPrivate: { cache: false, tlb: true },
  },
  conversion: {
    name: 'RSI IPA state change',
    mechanism: `SMC RSI_IPA_STATE_SET (0x${SMC_RSI_IPA_STATE_SET.toString(16)}): X1 start, X2 end, X3 RIPAS, X4 flags; returns X0 status, X1 top, X2 host response`,
    batchLimit: null,
    batchUnit: 'bytes (any range of whole 4 KiB granules; the RMM may change only a prefix)',
    pageSizes: [RSI_GRANULE_SIZE],
    retry:
      'the RMM may change only [start, top): the kernel calls again from top until top reaches the end; a host response other than RSI_ACCEPT (-EPERM), an error status, or a top outside [start, end] (-EINVAL) fails the conversion and the pages are leaked ("Failed to decrypt memory, %d pages will be leaked")',
    toShared: [
      {
        kind: 'mark-not-present',
        detail:
          'break-before-make: clear PTE_VALID on the linear map, in the same update as the shared bit (__change_memory_common), so no stale TLB entry or RIPAS_EMPTY access raises a Synchronous External Abort',
      },
      {
        kind: 'page-table-change',
        detail: 'set the shared bit PROT_NS_SHARED, BIT(ipa_bits - 1) of the IPA',
      },
      { kind: 'flush-tlb', detail: 'flush_tlb_kernel_range over the range' },
      {
        kind: 'firmware-call',
        detail:
          'RSI_IPA_STATE_SET(start, end, RSI_RIPAS_EMPTY, RSI_CHANGE_DESTROYED), repeated from the returned top until the whole range is EMPTY (rsi_set_memory_range_shared)',
      },
      {
        kind: 'mark-present',
        detail: 'set PTE_VALID again; no TLB flush (an invalid entry is never cached)',
      },
    ],
    toPrivate: [
      {
        kind: 'mark-not-present',
        detail: 'break-before-make: clear PTE_VALID on the linear map, in the same update as the shared bit',
      },
      { kind: 'page-table-change', detail: 'clear the shared bit PROT_NS_SHARED' },
      { kind: 'flush-tlb', detail: 'flush_tlb_kernel_range over the range' },
      {
        kind: 'firmware-call',
        detail:
          'RSI_IPA_STATE_SET(start, end, RSI_RIPAS_RAM, RSI_CHANGE_DESTROYED), repeated from the returned top until the whole range is RAM (rsi_set_memory_range_protected)',
      },
      { kind: 'mark-present', detail: 'set PTE_VALID again; no TLB flush' },
    ],
  },
  unrollStringIo: false,
  forceDmaUnencrypted: true,
  notes: [
    'Only linear-map addresses convert (set_memory_decrypted of another address fails with -EINVAL); a non-page-aligned one is refused with a warning and nothing happens.',
    'MMIO is mapped private or shared by its RIPAS, asked of the RMM at each ioremap (RSI_IPA_STATE_GET): emulated devices are shared, assigned ones private.',
    'Kernels before "arm64: realm: Fix PTE_NS_SHARED for 52bit PA support" (upstream 8c6e9b60f5c7, queued for 6.19 stable in March 2026; v6.18.2 and v6.19 lack it) set BIT(ipa_bits - 1) of the entry itself, which is wrong where a 52-bit format stores that address bit elsewhere.',
    'Boot memory is made RIPAS RAM with RSI_NO_CHANGE_DESTROYED, so pages the host destroyed are never silently accepted (the kernel panics instead).',
  ],
  extra: {
    'arm-cca:rsi-granule-bytes': RSI_GRANULE_SIZE,
    'arm-cca:ripas-shared': 'EMPTY',
    'arm-cca:ripas-private': 'RAM',
  },
});
