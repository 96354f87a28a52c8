import { isCocoError } from '@coco/core';
import { describe, expect, it } from 'vitest';
import {
  ARM_CCA_PARAMS,
  armCcaBackend,
  createArmCcaType,
  DEFAULT_MASK_UNKNOWN_REASON,
} from '../src/index.js';

// Expectations from the facts, not the code:
// - the shared bit is BIT(ipa_bits - 1), set = shared (pgprot_decrypted sets PROT_NS_SHARED):
//   arch/arm64/kernel/rsi.c and arch/arm64/include/asm/pgtable.h, v6.18.2;
// - cc_platform_has answers only CC_ATTR_MEM_ENCRYPT (rsi.c);
// - 52-bit formats: 4K/16K with LPA2 keep OA[51:50] at descriptor bits 9:8 (PTE_ADDR_HIGH 0x3 << 8,
//   PTE_ADDR_HIGH_SHIFT 42); 64K with LPA keeps OA[51:48] at bits 15:12 (PTE_ADDR_HIGH 0xf << 12,
//   shift 36): arch/arm64/include/asm/pgtable-hwdef.h, v6.18.2; QEMU target/arm/ptw.c reads them there.

// A 4K linear-map page descriptor: valid page (bits 1:0), AttrIdx 1 (0x4), SH inner (0x300), AF
// (0x400), nG (0x800), DBM (bit 51, PTE_WRITE), PXN and UXN (bits 53, 54); output address 0x81234000.
const PTE_4K = 0x0068000081234f07n;
// The same with LPA2: bits 9:8 are OA[51:50] (0 here), so SH is not in the descriptor.
const PTE_4K_LPA2 = 0x0068000081234c07n;
// A 64K descriptor for 0x81230000: bits 15:12 are OA[51:48] (0 here).
const PTE_64K = 0x0068000081230f07n;

describe('createArmCcaType', () => {
  it('has exactly the attributes cc_platform_has answers in a realm: mem-encrypt only', () => {
    const type = createArmCcaType({ ipaBits: 48 });
    expect([...type.attributes.ids]).toEqual(['mem-encrypt']);
    expect(type.attributes.has('guest-mem-encrypt')).toBe(false);
    expect(type.cvm).toBe('cca');
    expect(type.tee).toBe('cca');
    expect(type.guest).toBe(true);
  });

  it('puts the shared bit at the top IPA bit, encrypted when clear', () => {
    const type = createArmCcaType({ ipaBits: 48 });
    expect(type.maskState).toBe('known');
    expect(type.encryptedWhen).toBe('clear');
    expect(type.marking?.maskBit).toBe(47);
    expect(type.marking?.addressMask).toBe(0x0000800000000000n);
    expect(type.marking?.decrypt(PTE_4K)).toBe(0x0068800081234f07n);
    expect(type.marking?.encrypt(0x0068800081234f07n)).toBe(PTE_4K);
    expect(type.marking?.isEncrypted(PTE_4K)).toBe(true);
    expect(type.describe()).toBe('Arm CCA realm, shared bit 47, encrypted when clear');
  });

  it('an IPA width of 40 bits gives bit 39', () => {
    const type = createArmCcaType({ ipaBits: 40 });
    expect(type.marking?.maskBit).toBe(39);
    expect(type.marking?.decrypt(PTE_4K)).toBe(0x0068008081234f07n);
  });

  it('without ipaBits the bit is unknown with a reason, never none', () => {
    const type = createArmCcaType({});
    expect(type.maskState).toBe('unknown');
    expect(type.marking).toBeNull();
    expect(type.maskUnknownReason).toBe(DEFAULT_MASK_UNKNOWN_REASON);
    expect(type.encryptedWhen).toBe('clear');
    expect(type.describe()).toContain('shared bit unknown');
    expect(createArmCcaType().maskState).toBe('unknown');
    const own = createArmCcaType({ maskUnknownReason: 'the VMM did not say' });
    expect(own.maskUnknownReason).toBe('the VMM did not say');
  });

  it('lists every arm64 format that can hold a bit up to 47 in place, the default first', () => {
    const type = createArmCcaType({ ipaBits: 48, granule: 16384 });
    expect(type.marking?.format.id).toBe('arm64-16k');
    expect(type.marking?.formats.map((f) => [f.id, f.entryBit])).toEqual([
      ['arm64-16k', 47],
      ['arm64-4k', 47],
      ['arm64-64k', 47],
      ['arm64-4k-lpa2', 47],
      ['arm64-16k-lpa2', 47],
      ['arm64-64k-lpa', 47],
    ]);
  });

  it('LPA2, 4K granule, 52-bit IPA: address bit 51 lives at descriptor bit 9', () => {
    const type = createArmCcaType({ ipaBits: 52 });
    const m = type.marking;
    expect(m?.maskBit).toBe(51);
    expect(m?.format.id).toBe('arm64-4k-lpa2');
    expect(m?.entryBit).toBe(9);
    expect(m?.addressMask).toBe(1n << 51n);
    expect(m?.decrypt(PTE_4K_LPA2)).toBe(0x0068000081234e07n);
    expect(m?.isEncrypted(0x0068000081234e07n)).toBe(false);
    // The 48-bit formats cannot hold bit 51.
    expect(m?.formats.map((f) => [f.id, f.entryBit])).toEqual([
      ['arm64-4k-lpa2', 9],
      ['arm64-16k-lpa2', 9],
      ['arm64-64k-lpa', 15],
    ]);
  });

  it('LPA2, 16K granule, 51-bit IPA: address bit 50 lives at descriptor bit 8', () => {
    const m = createArmCcaType({ ipaBits: 51, granule: 16384, pa52: true }).marking;
    expect(m?.format.id).toBe('arm64-16k-lpa2');
    expect(m?.entryBit).toBe(8);
    expect(m?.decrypt(PTE_4K_LPA2)).toBe(0x0068000081234d07n);
  });

  it('LPA2 keeps address bits 49 and 48 in place', () => {
    expect(createArmCcaType({ ipaBits: 50 }).marking?.entryBit).toBe(49);
    expect(createArmCcaType({ ipaBits: 49 }).marking?.decrypt(PTE_4K_LPA2)).toBe(0x0069000081234c07n);
  });

  it('64K granule with 52-bit PA (LPA): address bits 51..48 live at descriptor bits 15..12', () => {
    const m52 = createArmCcaType({ ipaBits: 52, granule: 65536 }).marking;
    expect(m52?.format.id).toBe('arm64-64k-lpa');
    expect(m52?.entryBit).toBe(15);
    expect(m52?.decrypt(PTE_64K)).toBe(0x0068000081238f07n);
    const m49 = createArmCcaType({ ipaBits: 49, granule: 65536 }).marking;
    expect(m49?.entryBit).toBe(12);
    expect(m49?.decrypt(PTE_64K)).toBe(0x0068000081231f07n);
    expect(m49?.forFormat('arm64-4k-lpa2').entryBit).toBe(48);
  });

  it('pa52 with an IPA of at most 48 bits keeps the bit in place', () => {
    const m = createArmCcaType({ ipaBits: 48, granule: 65536, pa52: true }).marking;
    expect(m?.format.id).toBe('arm64-64k-lpa');
    expect(m?.entryBit).toBe(47);
  });

  it('names the format and the entry bit in its details', () => {
    const type = createArmCcaType({ ipaBits: 52 });
    expect(type.details).toEqual([
      { name: 'IPA width', value: '52 bits' },
      { name: 'entry format', value: 'arm64, 4 KiB granule, LPA2' },
      { name: 'shared bit', value: 'IPA bit 51, at descriptor bit 9 in this format' },
    ]);
  });

  it('converts with one page-table change per direction and forces DMA unencrypted', () => {
    const q = createArmCcaType({ ipaBits: 48 }).quirks;
    expect(q.forceDmaUnencrypted).toBe(true);
    expect(q.conversion?.toShared.filter((s) => s.kind === 'page-table-change')).toHaveLength(1);
    expect(q.conversion?.toPrivate.filter((s) => s.kind === 'page-table-change')).toHaveLength(1);
  });

  const refuse = (params: unknown, code: string, mentions: string) => {
    let threw: unknown;
    try {
      createArmCcaType(params as never);
    } catch (error) {
      threw = error;
    }
    expect(isCocoError(threw) && threw.code).toBe(code);
    expect(String((threw as Error).message)).toContain(mentions);
  };

  it('refuses parameters out of range, of the wrong kind, or unknown, naming them', () => {
    refuse({ ipaBits: 31 }, 'PARAMETER_INVALID', 'ipaBits');
    refuse({ ipaBits: 53 }, 'PARAMETER_INVALID', 'ipaBits');
    refuse({ ipaBits: 48.5 }, 'PARAMETER_INVALID', 'ipaBits');
    refuse({ ipaBits: '48' }, 'PARAMETER_INVALID', 'ipaBits');
    refuse({ granule: 8192 }, 'PARAMETER_INVALID', 'granule');
    refuse({ pa52: 1 }, 'PARAMETER_INVALID', 'pa52');
    refuse({ maskBit: 47 }, 'PARAMETER_INVALID', 'maskBit');
    refuse([], 'PARAMETER_INVALID', 'not a parameter object');
  });

  it('refuses an IPA wider than 48 bits without 52-bit descriptors', () => {
    refuse({ ipaBits: 52, pa52: false }, 'PARAMETER_INVALID', 'ipaBits 52');
    refuse({ ipaBits: 49, granule: 65536, pa52: false }, 'PARAMETER_INVALID', 'pa52');
  });

  it('refuses a reason together with ipaBits, or an empty one', () => {
    refuse({ ipaBits: 48, maskUnknownReason: 'x' }, 'PARAMETER_INVALID', 'maskUnknownReason');
    refuse({ maskUnknownReason: '  ' }, 'PARAMETER_INVALID', 'maskUnknownReason');
  });

  it('never reads a parameter polluted onto Object.prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.ipaBits = 52;
    try {
      expect(createArmCcaType({}).maskState).toBe('unknown');
    } finally {
      delete proto.ipaBits;
    }
  });

  it('the plugin builds the same type and declares the schema', () => {
    expect(armCcaBackend.params).toBe(ARM_CCA_PARAMS);
    expect(armCcaBackend.createType({ ipaBits: 48 }).describe()).toBe(
      'Arm CCA realm, shared bit 47, encrypted when clear',
    );
  });
});
