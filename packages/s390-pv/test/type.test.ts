import { isCocoError } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { createS390PvType, s390PvBackend } from '../src/index.js';

// Facts (Linux v6.18): s390 does not select ARCH_HAS_CC_PLATFORM, so cc_platform_has() answers
// false for every attribute (arch/s390/Kconfig, include/linux/cc_platform.h);
// force_dma_unencrypted() returns is_prot_virt_guest() (arch/s390/mm/init.c); set_memory_decrypted
// and set_memory_encrypted issue UVC_CMD_SET_SHARED_ACCESS 0x1000 / UVC_CMD_REMOVE_SHARED_ACCESS
// 0x1001 once per 4 KiB page, with no page-table change, and panic on failure
// (arch/s390/include/asm/uv.h share()). systemd prints "protvirt"; Confidential Containers
// calls the TEE "se" (guest-components attester/src/se).
describe('createS390PvType', () => {
  const type = createS390PvType();

  it('has no attributes and no page-table bit', () => {
    expect(type.attributes.ids).toEqual([]);
    expect(type.maskState).toBe('none');
    expect(type.marking).toBeNull();
    expect(type.encryptedWhen).toBeNull();
    expect(type.maskUnknownReason).toBeNull();
  });

  it('shares pages by one ultravisor call per 4 KiB page, without flushes', () => {
    const c = type.quirks.conversion;
    expect(c?.batchLimit).toBe(1);
    expect(c?.pageSizes).toEqual([4096]);
    expect(c?.retry).toBeNull();
    expect(c?.toShared.map((s) => s.kind)).toEqual(['firmware-call']);
    expect(c?.toPrivate.map((s) => s.kind)).toEqual(['firmware-call']);
    expect(c?.toShared[0]?.detail).toContain('0x1000');
    expect(c?.toPrivate[0]?.detail).toContain('0x1001');
    expect(
      [...(c?.toShared ?? []), ...(c?.toPrivate ?? [])].some((s) => s.kind === 'page-table-change'),
    ).toBe(false);
    expect(type.quirks.flush).toEqual({
      toShared: { cache: false, tlb: false },
      toPrivate: { cache: false, tlb: false },
    });
    expect(type.quirks.extra['s390-pv:uvc-failure']).toBe('panic');
  });

  it('forces DMA unencrypted, with the virtio and swiotlb notes', () => {
    expect(type.quirks.forceDmaUnencrypted).toBe(true);
    expect(type.quirks.notes.join(' ')).toMatch(/restricted memory access/);
    expect(type.quirks.notes.join(' ')).toMatch(/swiotlb/);
  });

  it('names systemd protvirt and the TEE se, and describes the call', () => {
    expect(type.cvm).toBe('protvirt');
    expect(type.tee).toBe('se');
    expect(type.describe()).toBe(
      'IBM Secure Execution (s390x Protected Virtualization), no page-table bit (pages are shared by ultravisor calls UVC_CMD_SET_SHARED_ACCESS (0x1000) and UVC_CMD_REMOVE_SHARED_ACCESS (0x1001), one per 4 KiB page)',
    );
  });

  it('refuses any parameter, naming it', () => {
    for (const params of [{ maskBit: 51 }, { variant: 'x' }]) {
      let threw: unknown;
      try {
        createS390PvType(params as never);
      } catch (error) {
        threw = error;
      }
      expect(isCocoError(threw) && threw.code).toBe('PARAMETER_INVALID');
      expect(String((threw as Error).message)).toContain(Object.keys(params)[0]);
    }
  });

  it('declares its probes for s390x only, reading prot_virt_guest whole', () => {
    expect(s390PvBackend.probes.architectures).toEqual(['s390x']);
    expect(s390PvBackend.probes.files).toContainEqual({
      path: '/sys/firmware/uv/prot_virt_guest',
      read: 'content',
    });
    expect(s390PvBackend.probes.cpuinfo).toEqual(['vendor_id', 'features']);
    expect(s390PvBackend.variants).toEqual([
      {
        variant: null,
        title: 'IBM Secure Execution (s390x Protected Virtualization)',
        attributes: [],
        cvm: 'protvirt',
      },
    ]);
  });
});
