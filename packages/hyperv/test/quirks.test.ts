import { flushRule, privateMmioAt } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { cpuidEvidence, HIGH_ISOLATED, registryWith } from './fixtures.js';

function typeOf(groupA: number, groupB: number) {
  const type = registryWith().detect(cpuidEvidence({ high: HIGH_ISOLATED, groupA, groupB })).type;
  if (!type) throw new Error('no type detected');
  return type;
}

describe.each([
  ['SNP with a paravisor (amd-vtom)', 0x1, 0xba2],
  ['TDX with a paravisor (tdx)', 0x1, 0xbe3],
  ['VBS (amd-vtom)', 0x0, 0xba1],
])('Hyper-V quirks layered on %s', (_name, a, b) => {
  const quirks = typeOf(a, b).quirks;

  it('maps the IO-APIC page 0xFEC00000 and the vTPM page 0xFED40000 private, 4 KiB each', () => {
    expect(privateMmioAt(quirks, 0xfec00000n)?.name).toBe('IO-APIC');
    expect(privateMmioAt(quirks, 0xfec00fffn)?.name).toBe('IO-APIC');
    expect(privateMmioAt(quirks, 0xfec01000n)).toBeUndefined();
    expect(privateMmioAt(quirks, 0xfed40000n)?.name).toBe('vTPM');
    expect(privateMmioAt(quirks, 0xfed40fffn)?.name).toBe('vTPM');
    expect(privateMmioAt(quirks, 0xfed41000n)).toBeUndefined();
    expect(privateMmioAt(quirks, 0xfebff000n)).toBeUndefined();
  });

  it('needs no cache flush and, in the newest kernel, no TLB flush in either direction', () => {
    expect(flushRule(quirks, 'to-shared')).toEqual({ cache: false, tlb: false });
    expect(flushRule(quirks, 'to-private')).toEqual({ cache: false, tlb: false });
    expect(quirks.notes.some((n) => n.includes('v6.4') && n.includes('v6.8'))).toBe(true);
  });

  it('converts through HVCALL_MODIFY_SPARSE_GPA_PAGE_HOST_VISIBILITY (0x00db), at most 510 pages a call', () => {
    const c = quirks.conversion;
    expect(c?.batchLimit).toBe(510);
    expect(c?.batchUnit).toBe('pages');
    expect(c?.mechanism).toContain('0x00db');
    expect(c?.retry).toBeNull();
  });

  it.each(['toShared', 'toPrivate'] as const)(
    '%s: mark not present, change the tables, notify, mark present',
    (dir) => {
      const steps = quirks.conversion?.[dir] ?? [];
      expect(steps.map((s) => s.kind)).toEqual([
        'mark-not-present',
        'page-table-change',
        'notify-host',
        'hyperv:mark-present',
      ]);
      expect(steps.filter((s) => s.kind === 'page-table-change')).toHaveLength(1);
      const visibility = dir === 'toShared' ? 'visibility 3' : 'visibility 0';
      expect(steps[2]?.detail).toContain(visibility);
    },
  );
});

describe("quirks of fully enlightened guests stay the backend's", () => {
  it('TDX without a paravisor keeps MapGPA and has no private MMIO', () => {
    const quirks = typeOf(0x0, 0x3).quirks;
    expect(quirks.privateMmio).toEqual([]);
    expect(quirks.conversion?.mechanism).not.toContain('0x00db');
    expect(quirks.unrollStringIo).toBe(true);
  });
});

describe('the backend types are not edited', () => {
  it('a later plain TDX detection still has the TDX quirks', () => {
    typeOf(0x1, 0xbe3);
    const registry = registryWith();
    const tdx = registry.backend('tdx')?.createType({ gpaw: 52 });
    expect(tdx?.quirks.privateMmio).toEqual([]);
    expect(tdx?.quirks.conversion?.mechanism).not.toContain('0x00db');
    expect(flushRule(tdx!.quirks, 'to-shared')).toEqual({ cache: true, tlb: true });
  });
});
