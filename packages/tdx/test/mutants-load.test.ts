// Module-level tables, read through a dynamic import inside the test: a mutant that makes a module
// throw while it loads then fails this test (a static import would fail the file before any test
// ran, which the mutation runner does not count as a kill). See docs/mutation.md.
import { describe, expect, it } from 'vitest';

describe('tdx module tables', () => {
  it('has the quirks of a TDX guest, step by step', async () => {
    const { TDX_QUIRKS } = await import('../src/index.js');
    expect(TDX_QUIRKS.conversion).toMatchObject({
      name: 'TDX MapGPA',
      batchUnit: 'pages',
      toShared: [
        { kind: 'flush-tlb', detail: 'before the change' },
        { kind: 'flush-cache', detail: 'before the change' },
        { kind: 'page-table-change', detail: 'set the shared bit' },
        { kind: 'flush-tlb', detail: 'generic, after every change' },
        { kind: 'notify-host', detail: 'finish: MapGPA, shared bit set' },
      ],
      toPrivate: [
        { kind: 'notify-host', detail: 'prepare: MapGPA, shared bit clear' },
        { kind: 'accept', detail: 'prepare: TDG.MEM.PAGE.ACCEPT, 1G, else 2M, else 4K' },
        { kind: 'page-table-change', detail: 'clear the shared bit' },
        { kind: 'flush-tlb', detail: 'generic, after every change' },
      ],
    });
    expect(TDX_QUIRKS.notes).toEqual([
      'MMIO is emulated via #VE on shared mappings; none is private.',
      'An EPT violation on a private GPA is fatal.',
      'A private mapping of a shared page is fatal; the reverse is a recoverable #VE.',
      'The generic code flushes before a change only if the TLB rule asks: not to private.',
    ]);
  });

  it('matches each TDX boot-line wording whole, and no longer or prefixed line', async () => {
    const { matchTdxLogLine } = await import('../src/index.js');
    expect(matchTdxLogLine('tdx: Guest detected')?.origin).toBe('tdx.c, v5.19+');
    expect(matchTdxLogLine('x86/tdx: Guest initialized')?.origin).toBe('Intel TDX kernels before v5.19');
    expect(matchTdxLogLine('TDX guest is initialized')?.origin).toBe('Intel TDX kernels before v5.19');
    for (const text of [
      'not tdx: Guest detected',
      'tdx: Guest detected twice',
      'TDX guest is initialized now',
      'old x86/tdx: Guest initialized',
    ]) {
      expect(matchTdxLogLine(text)).toBeUndefined();
    }
  });

  it("keeps a memory-encryption pattern for Intel TDX's summary, anchored at both ends", async () => {
    const { TDX_MEM_ENCRYPT_WORDING } = await import('../src/index.js');
    const { pattern } = TDX_MEM_ENCRYPT_WORDING;
    expect(pattern.test('Memory Encryption Features active: Intel TDX')).toBe(true);
    expect(pattern.test('Memory Encryption Features active:Intel TDX  ')).toBe(true);
    expect(pattern.test('Memory Encryption Features active:  Intel TDX')).toBe(true);
    expect(pattern.test('Memory Encryption Features active: Intel TDX x')).toBe(false);
    expect(pattern.test('x Memory Encryption Features active: Intel TDX')).toBe(false);
  });
});
