// Tests written from Stryker's surviving mutants (docs/mutation.md): what each conversion step and
// protocol says (facts §5, arch/x86/mm/mem_encrypt_amd.c, arch/x86/coco/sev/core.c, KVM's
// Documentation/virt/kvm/x86/hypercalls.rst), and which notes each variant carries.
import { describe, expect, it } from 'vitest';
import { amdCbitQuirks } from '../src/index.js';

const detail = (steps: readonly { kind: string; detail: string }[] | undefined, kind: string) =>
  (steps ?? []).filter((s) => s.kind === kind).map((s) => s.detail);

describe('amd-cbit quirks: the words of each step', () => {
  it('going shared clears the C-bit and going private sets it (encrypted when set)', () => {
    for (const variant of ['sev', 'sev-es', 'sev-snp'] as const) {
      const q = amdCbitQuirks({ variant, smeCoherent: true });
      expect(detail(q.conversion?.toShared, 'page-table-change')).toEqual(['clear the C-bit']);
      expect(detail(q.conversion?.toPrivate, 'page-table-change')).toEqual(['set the C-bit']);
    }
  });

  it('names the cache flush (clflush, spared by SME_COHERENT) and the TLB flush (always)', () => {
    const q = amdCbitQuirks({ variant: 'sev', smeCoherent: false });
    const [cache] = detail(q.conversion?.toShared, 'flush-cache');
    expect(cache).toContain('clflush');
    expect(cache).toContain('SME_COHERENT');
    expect(detail(q.conversion?.toPrivate, 'flush-tlb')[0]).toContain('always');
  });

  it("notifies KVM with MAP_GPA_RANGE, which the guest does only with KVM's migration-control feature", () => {
    for (const variant of ['sev', 'sev-snp'] as const) {
      const q = amdCbitQuirks({ variant, smeCoherent: true });
      const kvm = detail(q.conversion?.toShared, 'notify-host').at(-1);
      expect(kvm).toContain('KVM_HC_MAP_GPA_RANGE');
      expect(kvm).toContain('KVM_FEATURE_MIGRATION_CONTROL');
    }
  });

  it('SEV and SEV-ES: the KVM protocol counts pages of 4K, 2M or 1G and is never retried', () => {
    const c = amdCbitQuirks({ variant: 'sev-es', smeCoherent: true }).conversion;
    expect(c?.name).toBe('KVM MAP_GPA_RANGE');
    expect(c?.mechanism).toContain('hypercall 12');
    expect(c?.batchUnit).toBe('pages');
    expect(c?.pageSizes).toEqual([4096, 2 ** 21, 2 ** 30]);
    expect(c?.retry).toBeNull();
  });

  it('SNP: PVALIDATE is rescinded BEFORE the page state change and done AFTER it', () => {
    const c = amdCbitQuirks({ variant: 'sev-snp', smeCoherent: true }).conversion;
    expect(c?.name).toBe('SNP page state change');
    expect(detail(c?.toShared, 'rescind-validation')[0]).toMatch(
      /^PVALIDATE .*BEFORE the page state change$/,
    );
    expect(detail(c?.toPrivate, 'validate')[0]).toMatch(/^PVALIDATE .*AFTER the page state change$/);
    expect(c?.retry).toContain('cur_entry');
    expect(c?.retry).toContain('end_entry');
  });
});

describe('amd-cbit quirks: notes', () => {
  it('a coherent SEV-ES guest needs no note', () => {
    expect(amdCbitQuirks({ variant: 'sev-es', smeCoherent: true }).notes).toEqual([]);
    expect(amdCbitQuirks({ variant: 'sev-es', smeCoherent: false }).notes).toEqual([]);
  });

  it('an unknown SME_COHERENT is said, since the cache is then flushed', () => {
    const notes = amdCbitQuirks({ variant: 'sev-es' }).notes;
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('SME_COHERENT');
    expect(notes[0]).toContain('flushed');
  });

  it('plain SEV says INS/OUTS are unrolled, SNP the kernel batch of 64, an SME host that it needs no protocol', () => {
    const sev = amdCbitQuirks({ variant: 'sev', smeCoherent: true }).notes;
    expect(sev).toHaveLength(1);
    expect(sev[0]).toContain('INS/OUTS');
    const snp = amdCbitQuirks({ variant: 'sev-snp', smeCoherent: true }).notes;
    expect(snp).toHaveLength(1);
    expect(snp[0]).toContain('64 entries');
    const sme = amdCbitQuirks({ variant: 'sme', smeCoherent: true }).notes;
    expect(sme).toHaveLength(2);
    expect(sme[0]).toContain('no protocol');
    // force_dma_unencrypted() on an SME host depends on each device's DMA mask (arch/x86/mm/mem_encrypt.c).
    expect(sme[1]).toContain('cannot address the C-bit');
  });
});
