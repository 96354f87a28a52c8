// Evidence is built as views of the builder's own collections (no copy per build); a builder that
// goes on adding afterwards copies them first, so evidence already built never changes.
import { EvidenceBuilder } from '@coco/core';
import { describe, expect, it } from 'vitest';

const line = (text: string, n: number) => ({ text, raw: text, line: n, source: 'log' });

describe('EvidenceBuilder after build()', () => {
  it('leaves evidence already built unchanged when it goes on adding', () => {
    const builder = new EvidenceBuilder()
      .addLogLines([line('first', 1)])
      .addCpuinfo([['flags', 'sev']], 'cpuinfo')
      .setFile('/dev/sev-guest', true, 'probe')
      .addStoredFact('acme.config', 'a', 1, 'snapshot')
      .addUnavailable({ source: 'msr', reason: 'not root', fix: 'run as root' })
      .warn('one');
    const before = builder.build();
    builder
      .addLogLines([line('second', 2)])
      .addCpuinfo([['flags', 'sev sev_es']], 'cpuinfo')
      .addFlags(['tdx_guest'], 'cpuinfo')
      .setFile('/dev/tdx_guest', true, 'probe')
      .addStoredFact('acme.config', 'b', 2, 'snapshot')
      .addStoredFact('acme.other', '', 3, 'snapshot')
      .addStoredFact('acme.config', 'a', 9, 'later')
      .addUnavailable({ source: 'cpuid', reason: 'no module', fix: 'modprobe cpuid' })
      .addLegacy('cpuid', [], 'snapshot')
      .warn('two');
    expect(before.kernelLog.map((l) => l.text)).toEqual(['first']);
    expect(before.hasFlag('sev_es')).toBe(false);
    expect(before.hasFlag('tdx_guest')).toBe(false);
    expect(before.file('/dev/tdx_guest')).toBeUndefined();
    expect([...(before.storedFacts.get('acme.config')?.keys() ?? [])]).toEqual(['a']);
    expect(before.storedFacts.has('acme.other')).toBe(false);
    expect(before.kinds.has('acme.other')).toBe(false);
    expect(before.conflicts).toEqual([]);
    expect(before.unavailable.map((n) => n.source)).toEqual(['msr']);
    expect(before.legacy.size).toBe(0);
    expect(before.warnings).toEqual(['one']);

    const after = builder.build();
    expect(after.kernelLog.map((l) => l.text)).toEqual(['first', 'second']);
    expect(after.hasFlag('tdx_guest')).toBe(true);
    expect(after.file('/dev/tdx_guest')?.value).toBe(true);
    expect([...(after.storedFacts.get('acme.config')?.keys() ?? [])]).toEqual(['a', 'b']);
    expect(after.conflicts.map((c) => c.fact)).toEqual(['acme.config a']);
    expect(after.unavailable.map((n) => n.source)).toEqual(['msr', 'cpuid']);
    expect(after.warnings).toEqual(['one', 'two']);
  });

  it('keeps built lists frozen and merges evidence it built itself', () => {
    const builder = new EvidenceBuilder().addLogLines([line('first', 1)]);
    const built = builder.build();
    expect(Object.isFrozen(built.kernelLog)).toBe(true);
    expect(() => (built.kernelLog as unknown as unknown[]).push(line('x', 9))).toThrow();
    builder.merge(built);
    expect(built.kernelLog).toHaveLength(1);
    expect(builder.build().kernelLog.map((l) => l.text)).toEqual(['first', 'first']);
  });
});
