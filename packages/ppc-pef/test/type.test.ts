import { deriveType, isCocoError } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { createPpcPefType, ppcPefBackend } from '../src/index.js';

// Facts (Linux v6.18): cc_platform_has() answers CC_ATTR_MEM_ENCRYPT only
// (arch/powerpc/platforms/pseries/cc_platform.c); force_dma_unencrypted() returns
// is_secure_guest() (arch/powerpc/include/asm/mem_encrypt.h); set_memory_decrypted/encrypted issue
// one ultracall UV_SHARE_PAGE 0xF130 / UV_UNSHARE_PAGE 0xF134 with (pfn, npages) and ignore its
// result (arch/powerpc/platforms/pseries/svm.c, asm/ultravisor.h, asm/ultravisor-api.h); systemd
// has no powerpc detection (src/basic/confidential-virt.c prints none); Confidential Containers
// has no PEF attester (guest-components attester list: tdx, sgx, az-tdx-vtpm, az-snp-vtpm, snp,
// csv, cca, se, tpm).
describe('createPpcPefType', () => {
  const type = createPpcPefType();

  it('has mem-encrypt only and no page-table bit', () => {
    expect(type.attributes.ids).toEqual(['mem-encrypt']);
    expect(type.attributes.has('guest-mem-encrypt')).toBe(false);
    expect(type.maskState).toBe('none');
    expect(type.marking).toBeNull();
    expect(type.encryptedWhen).toBeNull();
  });

  it('shares a whole range by one ultracall, without flushes, ignoring the result', () => {
    const c = type.quirks.conversion;
    expect(c?.batchLimit).toBeNull();
    expect(c?.pageSizes).toEqual([4096, 65536]);
    expect(c?.toShared.map((s) => s.kind)).toEqual(['firmware-call']);
    expect(c?.toPrivate.map((s) => s.kind)).toEqual(['firmware-call']);
    expect(c?.toShared[0]?.detail).toContain('0xF130');
    expect(c?.toPrivate[0]?.detail).toContain('0xF134');
    expect(type.quirks.flush).toEqual({
      toShared: { cache: false, tlb: false },
      toPrivate: { cache: false, tlb: false },
    });
    expect(type.quirks.extra['ppc-pef:ucall-result']).toBe('ignored');
    expect(type.quirks.forceDmaUnencrypted).toBe(true);
  });

  it('prints none for systemd, says why in describe(), and has no TEE name', () => {
    expect(type.cvm).toBe('none');
    expect(type.tee).toBeNull();
    expect(type.describe()).toBe(
      'IBM POWER secure VM (Protected Execution Facility), no page-table bit (pages are shared by ultracalls UV_SHARE_PAGE (0xF130) and UV_UNSHARE_PAGE (0xF134), one per range of pages); systemd-detect-virt --cvm prints none: systemd has no confidential-VM detection on powerpc',
    );
    expect(Object.isFrozen(type)).toBe(true);
  });

  it('stays a type core can derive from', () => {
    expect(deriveType(type, { title: 'x' }).attributes.ids).toEqual(['mem-encrypt']);
  });

  it('refuses any parameter, naming it', () => {
    let threw: unknown;
    try {
      createPpcPefType({ maskBit: 51 } as never);
    } catch (error) {
      threw = error;
    }
    expect(isCocoError(threw) && threw.code).toBe('PARAMETER_INVALID');
    expect(String((threw as Error).message)).toContain('maskBit');
  });

  it('declares ppc64 probes and says why systemd prints none in its variant', () => {
    expect(ppcPefBackend.probes).toEqual({
      architectures: ['ppc64'],
      files: [{ path: '/sys/devices/system/cpu/svm', read: 'content' }],
      cpuinfo: ['cpu', 'timebase', 'platform', 'machine', 'MMU'],
    });
    expect(ppcPefBackend.logPatterns).toEqual([]);
    expect(ppcPefBackend.variants[0]).toMatchObject({ attributes: ['mem-encrypt'], cvm: 'none' });
    expect(ppcPefBackend.variants[0]?.title).toContain('no confidential-VM detection on powerpc');
  });
});
