import { defineQuirks, type Quirks } from '@coco/core';

/** The ultracall that shares a range of pages with the hypervisor (arch/powerpc/include/asm/ultravisor-api.h, v6.18). */
export const UV_SHARE_PAGE = 0xf130;
/** The ultracall that makes a shared range private again (ultravisor-api.h, v6.18). */
export const UV_UNSHARE_PAGE = 0xf134;
/** The ultracall that unshares every page, on kexec and crash (ultravisor-api.h, v6.18). */
export const UV_UNSHARE_ALL_PAGES = 0xf140;
/**
 * The kernel's page sizes a range is counted in: PAGE_SIZE, 4 KiB or 64 KiB on a Book3S-64
 * kernel (arch/powerpc/Kconfig PPC_4K_PAGES, PPC_64K_PAGES).
 */
export const PPC_PAGE_SIZES: readonly number[] = Object.freeze([4096, 65536]);

const hex = (n: number) => `0x${n.toString(16).toUpperCase()}`;

/**
 * The quirks of a POWER secure VM (PEF), as data. Sources are mainline v6.18.
 *
 * - No page-table bit: `set_memory_decrypted(addr, n)` issues one ultracall `UV_SHARE_PAGE`
 *   (0xF130) with the first page frame number and the number of pages: one call for the whole
 *   range; `set_memory_encrypted` issues `UV_UNSHARE_PAGE` (0xF134) the same way
 *   (arch/powerpc/platforms/pseries/svm.c, arch/powerpc/include/asm/ultravisor.h).
 * - No cache or TLB flush: the page-table entries do not change.
 * - The ultracall's result is ignored (both functions return 0); an address that is not page
 *   aligned returns -EINVAL before any call.
 * - `force_dma_unencrypted()` answers `is_secure_guest()` (arch/powerpc/include/asm/mem_encrypt.h);
 *   `init_svm()` forces swiotlb (SWIOTLB_ANY | SWIOTLB_FORCE) and shares its buffer.
 */
export const PPC_PEF_QUIRKS: Quirks = defineQuirks({
  privateMmio: [],
  flush: {
    toShared: { cache: false, tlb: false },
    toPrivate: { cache: false, tlb: false },
  },
  conversion: {
    name: 'POWER ultravisor share/unshare',
    mechanism: `ultracall UV_SHARE_PAGE (${hex(UV_SHARE_PAGE)}) to share, UV_UNSHARE_PAGE (${hex(UV_UNSHARE_PAGE)}) to unshare, each with (first pfn, number of pages)`,
    batchLimit: null,
    batchUnit: 'pages',
    pageSizes: PPC_PAGE_SIZES,
    retry: null,
    toShared: [
      {
        kind: 'firmware-call',
        detail: `one ultracall UV_SHARE_PAGE (${hex(UV_SHARE_PAGE)}) for the whole range, with its first page frame number and page count; the result is ignored`,
      },
    ],
    toPrivate: [
      {
        kind: 'firmware-call',
        detail: `one ultracall UV_UNSHARE_PAGE (${hex(UV_UNSHARE_PAGE)}) for the whole range, with its first page frame number and page count; the result is ignored`,
      },
    ],
  },
  unrollStringIo: false,
  forceDmaUnencrypted: true,
  notes: [
    'cc_platform_has() answers only CC_ATTR_MEM_ENCRYPT (GUEST_MEM_ENCRYPT is false), since Linux 5.16 (arch/powerpc/platforms/pseries/cc_platform.c).',
    'All DMA is bounced through a swiotlb buffer shared with the hypervisor (init_svm: SWIOTLB_ANY | SWIOTLB_FORCE); the dispatch-trace-log pages are shared one page at a time.',
    'The result of the share and unshare ultracalls is ignored: a failure is not seen by the caller.',
    'systemd-detect-virt --cvm has no detection on powerpc and prints none, a secure VM included.',
  ],
  extra: {
    'ppc-pef:ucall-result': 'ignored',
    'ppc-pef:unshare-all': `UV_UNSHARE_ALL_PAGES (${hex(UV_UNSHARE_ALL_PAGES)})`,
  },
});
