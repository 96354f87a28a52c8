import { describe, expect, it } from 'vitest';
import { ARM_CCA_QUIRKS, SMC_RSI_IPA_STATE_SET } from '../src/index.js';

// __set_memory_enc_dec() in arch/arm64/mm/pageattr.c (v6.18.2): __change_memory_common sets or clears
// PROT_NS_SHARED and clears PTE_VALID in one update and flushes the TLB (flush_tlb_kernel_range);
// then rsi_set_memory_range_shared/_protected (RIPAS EMPTY / RAM, RSI_CHANGE_DESTROYED); then
// PTE_VALID again, which needs no TLBI. force_dma_unencrypted() is is_realm_world()
// (arch/arm64/include/asm/mem_encrypt.h).
describe('ARM_CCA_QUIRKS', () => {
  const conversion = ARM_CCA_QUIRKS.conversion;

  it('names RSI_IPA_STATE_SET, SMC_RSI_FID(0x197) = 0xC4000197', () => {
    // ARM_SMCCC_CALL_VAL(FAST_CALL, SMC_64, OWNER_STANDARD, 0x197): bit 31, bit 30, owner 4 << 24.
    expect(SMC_RSI_IPA_STATE_SET).toBe((0x80000000 | 0x40000000 | (4 << 24) | 0x197) >>> 0);
    expect(conversion?.mechanism).toContain('0xc4000197');
    expect(conversion?.batchLimit).toBeNull();
    expect(conversion?.pageSizes).toEqual([4096]);
    expect(conversion?.retry).toContain('top');
  });

  it('to shared: break, set the bit, flush, RIPAS EMPTY, make valid', () => {
    expect(conversion?.toShared.map((s) => s.kind)).toEqual([
      'mark-not-present',
      'page-table-change',
      'flush-tlb',
      'firmware-call',
      'mark-present',
    ]);
    expect(conversion?.toShared[3]?.detail).toContain('RSI_RIPAS_EMPTY');
    expect(conversion?.toShared[3]?.detail).toContain('RSI_CHANGE_DESTROYED');
  });

  it('to private: the same with the bit cleared and RIPAS RAM', () => {
    expect(conversion?.toPrivate.map((s) => s.kind)).toEqual([
      'mark-not-present',
      'page-table-change',
      'flush-tlb',
      'firmware-call',
      'mark-present',
    ]);
    expect(conversion?.toPrivate[3]?.detail).toContain('RSI_RIPAS_RAM');
  });

  it('flushes the TLB, never the caches, and bounces every DMA buffer', () => {
    expect(ARM_CCA_QUIRKS.flush).toEqual({
      toShared: { cache: false, tlb: true },
      toPrivate: { cache: false, tlb: true },
    });
    expect(ARM_CCA_QUIRKS.forceDmaUnencrypted).toBe(true);
    expect(ARM_CCA_QUIRKS.unrollStringIo).toBe(false);
    expect(ARM_CCA_QUIRKS.privateMmio).toEqual([]);
    expect(ARM_CCA_QUIRKS.extra['arm-cca:rsi-granule-bytes']).toBe(4096);
  });
});
