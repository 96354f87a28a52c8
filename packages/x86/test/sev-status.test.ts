import { isCocoError } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { decodeSevStatus, formatSevStatus, SEV_STATUS_BITS, variantOfStatus } from '../src/index.js';

describe('decodeSevStatus', () => {
  it('decodes the Azure SNP guest status 0x103df to its ten named bits (0,1,2,3,4,6,7,8,9,16)', () => {
    const d = decodeSevStatus(0x103dfn);
    expect(d.bits.map((b) => b.bit)).toEqual([0, 1, 2, 3, 4, 6, 7, 8, 9, 16]);
    expect(d.names).toEqual([
      'SEV',
      'SEV-ES',
      'SEV-SNP',
      'vTom',
      'ReflectVC',
      'AI',
      'DebugSwap',
      'NoHostIBS',
      'BTBIsol',
      'VMSARegProt',
    ]);
    expect(d.unknownBits).toEqual([]);
  });

  it('reports reserved bits by number: 0xa007 has bits 13 and 15 besides SEV, SEV-ES, SEV-SNP', () => {
    const d = decodeSevStatus(0xa007n);
    expect(d.names).toEqual(['SEV', 'SEV-ES', 'SEV-SNP']);
    expect(d.unknownBits).toEqual([13, 15]);
  });

  it('reports bit 63 and bits 19..22 as unknown', () => {
    expect(decodeSevStatus((1n << 63n) | (0xfn << 19n) | 1n).unknownBits).toEqual([19, 20, 21, 22, 63]);
  });

  it('names SecureTSC (11), VMGExitParam (12), IBSVirt (14), SMTProt (17), SecureAVIC (18), IBPBOnEntry (23)', () => {
    const value = (1n << 11n) | (1n << 12n) | (1n << 14n) | (1n << 17n) | (1n << 18n) | (1n << 23n) | 7n;
    expect(decodeSevStatus(value).names).toEqual([
      'SEV',
      'SEV-ES',
      'SEV-SNP',
      'SecureTSC',
      'VMGExitParam',
      'IBSVirt',
      'SMTProt',
      'SecureAVIC',
      'IBPBOnEntry',
    ]);
  });

  it('names RI (5), VmplSSS (10)', () => {
    expect(decodeSevStatus((1n << 5n) | (1n << 10n)).names).toEqual(['RI', 'VmplSSS']);
  });

  it('decodes 0 to nothing', () => {
    const d = decodeSevStatus(0n);
    expect(d.names).toEqual([]);
    expect(d.unknownBits).toEqual([]);
  });

  it('refuses values outside 64 bits with a coco RangeError', () => {
    for (const bad of [-1n, 1n << 64n, 7 as unknown as bigint]) {
      let thrown: unknown;
      try {
        decodeSevStatus(bad);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(RangeError);
      expect(isCocoError(thrown)).toBe(true);
    }
  });

  it('formats a value the way a person reads it', () => {
    expect(formatSevStatus(0x8007n)).toBe('0x8007 (SEV SEV-ES SEV-SNP bit 15)');
    expect(formatSevStatus(0n)).toBe('0x0');
  });

  it('keeps the older spaced spellings as aliases only', () => {
    const tsc = SEV_STATUS_BITS.find((b) => b.bit === 11);
    expect(tsc?.name).toBe('SecureTSC');
    expect(tsc?.aliases).toEqual(['Secure TSC']);
  });
});

describe('variantOfStatus', () => {
  it('follows bit 2, then bit 1, then bit 0', () => {
    expect(variantOfStatus(0x7n)).toBe('sev-snp');
    expect(variantOfStatus(0x3n)).toBe('sev-es');
    expect(variantOfStatus(0x1n)).toBe('sev');
    expect(variantOfStatus(0n)).toBeNull();
  });
});
