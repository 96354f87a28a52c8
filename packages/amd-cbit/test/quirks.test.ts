import { describe, expect, it } from 'vitest';
import { amdCbitQuirks, createAmdCbitType } from '../src/index.js';

const kinds = (steps: readonly { kind: string }[]) => steps.map((s) => s.kind);

describe('amd-cbit quirks (facts §5)', () => {
  it('SNP: PSC of at most 253 entries, 4K and 2M, MSR request 0x014 for one page', () => {
    const q = createAmdCbitType({ variant: 'sev-snp', maskBit: 51 }).quirks;
    expect(q.conversion?.batchLimit).toBe(253);
    expect(q.conversion?.batchUnit).toBe('entries');
    expect(q.conversion?.pageSizes).toEqual([4096, 2097152]);
    expect(q.conversion?.mechanism).toContain('0x014');
    expect(q.conversion?.mechanism).toContain('0x80000010');
    expect(q.notes.join(' ')).toContain('64');
    expect(q.unrollStringIo).toBe(false);
    expect(q.privateMmio).toEqual([]);
  });

  it('SNP going shared: PVALIDATE rescinded, then the page state change, then the page tables', () => {
    const q = amdCbitQuirks({ variant: 'sev-snp', smeCoherent: false });
    expect(kinds(q.conversion?.toShared ?? [])).toEqual([
      'flush-cache',
      'rescind-validation',
      'notify-host',
      'page-table-change',
      'flush-tlb',
      'notify-host',
    ]);
    expect(q.conversion?.toShared[2]?.detail).toContain('shared');
  });

  it('SNP going private: the page tables, then the page state change, then PVALIDATE', () => {
    const q = amdCbitQuirks({ variant: 'sev-snp', smeCoherent: false });
    expect(kinds(q.conversion?.toPrivate ?? [])).toEqual([
      'flush-cache',
      'page-table-change',
      'flush-tlb',
      'notify-host',
      'validate',
      'notify-host',
    ]);
    expect(q.conversion?.toPrivate[3]?.detail).toContain('private');
  });

  it('TLB flush always; cache flush unless SME_COHERENT', () => {
    for (const variant of ['sme', 'sev', 'sev-es', 'sev-snp'] as const) {
      const coherent = amdCbitQuirks({ variant, smeCoherent: true });
      const notCoherent = amdCbitQuirks({ variant, smeCoherent: false });
      const unknown = amdCbitQuirks({ variant });
      expect(coherent.flush).toEqual({
        toShared: { cache: false, tlb: true },
        toPrivate: { cache: false, tlb: true },
      });
      expect(notCoherent.flush).toEqual({
        toShared: { cache: true, tlb: true },
        toPrivate: { cache: true, tlb: true },
      });
      expect(unknown.flush.toShared.cache).toBe(true);
      if (coherent.conversion) expect(kinds(coherent.conversion.toShared)).not.toContain('flush-cache');
    }
  });

  it('plain SEV and SEV-ES: a KVM MAP_GPA_RANGE notification after the page-table change', () => {
    for (const variant of ['sev', 'sev-es'] as const) {
      const q = amdCbitQuirks({ variant, smeCoherent: true });
      expect(q.conversion?.mechanism).toContain('MAP_GPA_RANGE');
      expect(q.conversion?.batchLimit).toBeNull();
      expect(kinds(q.conversion?.toShared ?? [])).toEqual(['page-table-change', 'flush-tlb', 'notify-host']);
      expect(kinds(q.conversion?.toPrivate ?? [])).toEqual(['page-table-change', 'flush-tlb', 'notify-host']);
      expect(
        q.conversion?.toShared.some((s) => s.kind === 'validate' || s.kind === 'rescind-validation'),
      ).toBe(false);
    }
  });

  it('string I/O is unrolled for plain SEV only', () => {
    expect(amdCbitQuirks({ variant: 'sev' }).unrollStringIo).toBe(true);
    expect(amdCbitQuirks({ variant: 'sev-es' }).unrollStringIo).toBe(false);
    expect(amdCbitQuirks({ variant: 'sev-snp' }).unrollStringIo).toBe(false);
    expect(amdCbitQuirks({ variant: 'sme' }).unrollStringIo).toBe(false);
  });

  it('an SME host has no conversion protocol', () => {
    expect(amdCbitQuirks({ variant: 'sme' }).conversion).toBeNull();
  });

  it('quirks are frozen', () => {
    const q = amdCbitQuirks({ variant: 'sev-snp' });
    expect(Object.isFrozen(q)).toBe(true);
    expect(Object.isFrozen(q.conversion?.toShared)).toBe(true);
  });
});
