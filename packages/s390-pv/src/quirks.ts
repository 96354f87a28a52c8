import { defineQuirks, type Quirks } from '@coco/core';

/** The ultravisor call that makes one 4 KiB page shared (arch/s390/include/asm/uv.h, v6.18). */
export const UVC_CMD_SET_SHARED_ACCESS = 0x1000;
/** The ultravisor call that makes one 4 KiB page private again (arch/s390/include/asm/uv.h, v6.18). */
export const UVC_CMD_REMOVE_SHARED_ACCESS = 0x1001;
/** The page an ultravisor share call covers: one 4 KiB frame, its real address page aligned. */
export const S390_PAGE_SIZE = 4096;

const hex = (n: number) => `0x${n.toString(16)}`;

/**
 * The quirks of an s390x Protected Virtualization guest, as data. Sources are mainline v6.18.
 *
 * - No page-table bit: `set_memory_decrypted()` loops over the pages and issues one ultravisor call
 *   `UVC_CMD_SET_SHARED_ACCESS` (0x1000) per 4 KiB page with its real address; `set_memory_encrypted()`
 *   issues `UVC_CMD_REMOVE_SHARED_ACCESS` (0x1001) the same way (arch/s390/mm/init.c,
 *   arch/s390/include/asm/uv.h `share`, `uv_set_shared`, `uv_remove_shared`).
 * - No cache or TLB flush around either call: the page-table entries do not change.
 * - A failing call is never retried: the kernel logs "Share UVC failed" / "Unshare UVC failed" with
 *   the return codes and panics; a non-page-aligned address is a BUG().
 * - `force_dma_unencrypted()` answers `is_prot_virt_guest()` (arch/s390/mm/init.c), although
 *   `cc_platform_has()` answers nothing: s390 does not select ARCH_HAS_CC_PLATFORM.
 * - `pv_init()` makes virtio require restricted memory access and forces swiotlb bounce buffers,
 *   shared with the hypervisor (arch/s390/mm/init.c).
 */
export const S390_PV_QUIRKS: Quirks = defineQuirks({
  privateMmio: [],
  flush: {
    toShared: { cache: false, tlb: false },
    toPrivate: { cache: false, tlb: false },
  },
  conversion: {
    name: 's390 ultravisor share/unshare',
    mechanism: `ultravisor call UVC_CMD_SET_SHARED_ACCESS (${hex(UVC_CMD_SET_SHARED_ACCESS)}) to share, UVC_CMD_REMOVE_SHARED_ACCESS (${hex(UVC_CMD_REMOVE_SHARED_ACCESS)}) to unshare`,
    batchLimit: 1,
    batchUnit: 'pages',
    pageSizes: [S390_PAGE_SIZE],
    retry: null,
    toShared: [
      {
        kind: 'firmware-call',
        detail: `one ultravisor call UVC_CMD_SET_SHARED_ACCESS (${hex(UVC_CMD_SET_SHARED_ACCESS)}) per 4 KiB page, with its real address; a failure panics`,
      },
    ],
    toPrivate: [
      {
        kind: 'firmware-call',
        detail: `one ultravisor call UVC_CMD_REMOVE_SHARED_ACCESS (${hex(UVC_CMD_REMOVE_SHARED_ACCESS)}) per 4 KiB page, with its real address; a failure panics`,
      },
    ],
  },
  unrollStringIo: false,
  forceDmaUnencrypted: true,
  notes: [
    'cc_platform_has() answers false for every attribute (s390 does not select ARCH_HAS_CC_PLATFORM); force_dma_unencrypted() is the kernel predicate that answers true.',
    'virtio devices must use restricted memory access (VIRTIO_F_ACCESS_PLATFORM), and all DMA is bounced through a swiotlb buffer shared with the hypervisor (forced swiotlb).',
    'A failed share or unshare call is not retried: the kernel logs "Share UVC failed" or "Unshare UVC failed" and panics.',
  ],
  extra: {
    's390-pv:uvc-failure': 'panic',
    's390-pv:uvc-per-page': true,
  },
});
