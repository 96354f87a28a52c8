import { flushRule, privateMmioAt } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { createTdxType, TDX_QUIRKS } from '../src/index.js';
import { MAP_GPA_MAX_TRIES, TDVMCALL_MAP_GPA, TDX_ACCEPT_SIZES } from '../src/quirks.js';

// Facts sheet §4, checked in arch/x86/coco/tdx/tdx.c, tdx-shared.c and arch/x86/mm/pat/set_memory.c.
describe('TDX quirks', () => {
  const q = TDX_QUIRKS;

  it('flushes the cache in both directions and the TLB only private->shared', () => {
    expect(flushRule(q, 'to-shared')).toEqual({ cache: true, tlb: true });
    expect(flushRule(q, 'to-private')).toEqual({ cache: true, tlb: false });
  });

  it('has no private MMIO and unrolls string I/O', () => {
    expect(q.privateMmio).toEqual([]);
    expect(privateMmioAt(q, 0xfec00000n)).toBeUndefined();
    expect(q.unrollStringIo).toBe(true);
  });

  it('keeps the protocol numbers as the kernel has them', () => {
    expect(TDVMCALL_MAP_GPA).toBe(65537);
    expect(MAP_GPA_MAX_TRIES).toBe(3);
    expect(TDX_ACCEPT_SIZES).toEqual([1073741824, 2097152, 4096]);
    expect(q.conversion?.mechanism).toContain(`0x${TDVMCALL_MAP_GPA.toString(16)}`);
  });

  it('names MapGPA (TDVMCALL 0x10001) with its retry rule', () => {
    const c = q.conversion;
    expect(c?.mechanism).toContain('0x10001');
    expect(c?.retry).toMatch(/RETRY/);
    expect(c?.retry).toMatch(/3 tries without progress/);
    expect(c?.pageSizes).toEqual([1 << 30, 2 << 20, 4096]);
  });

  it('private->shared: flush, then the page-table change, then MapGPA (finish)', () => {
    const kinds = q.conversion?.toShared.map((s) => s.kind);
    expect(kinds).toEqual(['flush-tlb', 'flush-cache', 'page-table-change', 'flush-tlb', 'notify-host']);
    expect(q.conversion?.toShared[4]?.detail).toMatch(/^finish: MapGPA.*shared bit set/);
  });

  it('shared->private: MapGPA and accept (prepare) before the page-table change', () => {
    const steps = q.conversion?.toPrivate ?? [];
    expect(steps.map((s) => s.kind)).toEqual(['notify-host', 'accept', 'page-table-change', 'flush-tlb']);
    expect(steps[0]?.detail).toMatch(/^prepare: MapGPA.*shared bit clear/);
    expect(steps[1]?.detail).toMatch(/TDG\.MEM\.PAGE\.ACCEPT.*1G, else 2M, else 4K/);
  });

  it('has exactly one page-table change per direction', () => {
    for (const dir of ['toShared', 'toPrivate'] as const) {
      expect(q.conversion?.[dir].filter((s) => s.kind === 'page-table-change')).toHaveLength(1);
    }
  });

  it('notes the #VE and fatal cases', () => {
    const notes = q.notes.join('\n');
    expect(notes).toMatch(/MMIO is emulated via #VE on shared mappings; none is private/);
    expect(notes).toMatch(/EPT violation on a private GPA is fatal/);
    expect(notes).toMatch(/private mapping of a shared page is fatal; the reverse is a recoverable #VE/);
  });

  it('is frozen and is what every type carries', () => {
    expect(Object.isFrozen(q)).toBe(true);
    expect(Object.isFrozen(q.conversion?.toShared[0])).toBe(true);
    expect(createTdxType({ gpaw: 52 }).quirks).toEqual(q);
  });
});
