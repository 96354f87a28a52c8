// Tests written from Stryker's surviving mutants (docs/mutation.md): every wording of the kernel's
// memory-encryption summary, and how lines split by pr_cont are joined.
import type { LogLine } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { findMemEncryptLines, parseMemEncryptLine, whereOf } from '../src/index.js';

function lines(...texts: string[]): LogLine[] {
  return texts.map((text, i) => ({ text, raw: text, line: i + 1, source: 'dmesg' }));
}

describe('parseMemEncryptLine, v5.19 and later', () => {
  it('reads Intel TDX, and nothing else after Intel', () => {
    expect(parseMemEncryptLine('Memory Encryption Features active: Intel TDX')).toEqual({
      vendor: 'Intel',
      features: ['TDX'],
      amdMode: null,
      ambiguous: false,
      wording: 'v5.19 and later',
    });
    expect(parseMemEncryptLine('Memory Encryption Features active: Intel TDX SEV')).toBeNull();
    expect(parseMemEncryptLine('Memory Encryption Features active: Intel SEV')).toBeNull();
    expect(parseMemEncryptLine('Memory Encryption Features active: Intel')).toBeNull();
  });

  it('reads Unknown (v6.9) only with no features', () => {
    expect(parseMemEncryptLine('Memory Encryption Features active: Unknown')).toEqual({
      vendor: 'Unknown',
      features: [],
      amdMode: null,
      ambiguous: false,
      wording: 'v6.9 and later',
    });
    expect(parseMemEncryptLine('Memory Encryption Features active: Unknown SEV')).toBeNull();
    expect(parseMemEncryptLine('Memory Encryption Features active: SEV')).toBeNull();
  });

  it('reads AMD with its highest mode, refusing other words and vendors', () => {
    expect(parseMemEncryptLine('Memory Encryption Features active: AMD SEV SEV-ES SEV-SNP')).toEqual({
      vendor: 'AMD',
      features: ['SEV', 'SEV-ES', 'SEV-SNP'],
      amdMode: 'sev-snp',
      ambiguous: false,
      wording: 'v5.19 and later',
    });
    expect(parseMemEncryptLine('Memory Encryption Features active: AMD SEV TDX')).toBeNull();
    expect(parseMemEncryptLine('Memory Encryption Features active: Hygon SEV')).toBeNull();
  });

  it('takes zero to two spaces after the colon, and nothing after the last word', () => {
    expect(parseMemEncryptLine('Memory Encryption Features active:AMD SEV')?.amdMode).toBe('sev');
    expect(parseMemEncryptLine('Memory Encryption Features active:  AMD SEV')?.amdMode).toBe('sev');
    expect(parseMemEncryptLine('Memory Encryption Features active: AMD SEV (x)')).toBeNull();
  });
});

describe('parseMemEncryptLine, older kernels', () => {
  it('reads the v5.10 to v5.18 wording, with up to three spaces between words', () => {
    expect(parseMemEncryptLine('AMD Memory Encryption Features active: SEV SEV-ES')).toEqual({
      vendor: 'AMD',
      features: ['SEV', 'SEV-ES'],
      amdMode: 'sev-es',
      ambiguous: false,
      wording: 'v5.10 to v5.18',
    });
    expect(parseMemEncryptLine('AMD Memory Encryption Features active:   SEV')?.features).toEqual(['SEV']);
    expect(parseMemEncryptLine('AMD Memory Encryption Features active: SEV TDX')).toBeNull();
    expect(parseMemEncryptLine('AMD Memory Encryption Features active: SEV (x)')).toBeNull();
    expect(parseMemEncryptLine('X AMD Memory Encryption Features active: SEV')).toBeNull();
  });

  it('reads the v4.14 to v5.9 wording: SEV ambiguous (any SEV level printed it), SME not', () => {
    expect(parseMemEncryptLine('AMD Secure Encrypted Virtualization (SEV) active')).toEqual({
      vendor: 'AMD',
      features: ['SEV'],
      amdMode: 'sev',
      ambiguous: true,
      wording: 'v4.14 to v5.9',
    });
    expect(parseMemEncryptLine('AMD Secure Memory Encryption (SME) active')).toMatchObject({
      features: ['SME'],
      amdMode: 'sme',
      ambiguous: false,
    });
    expect(parseMemEncryptLine('AMD Secure Encrypted Virtualization (SEV) active now')).toBeNull();
    expect(parseMemEncryptLine('x AMD Secure Encrypted Virtualization (SEV) active')).toBeNull();
  });
});

describe('findMemEncryptLines', () => {
  it('finds the current wording on one line', () => {
    const found = findMemEncryptLines(lines('Memory Encryption Features active: AMD SEV'));
    expect(found.map((f) => [f.where, f.value.amdMode])).toEqual([['dmesg line 1', 'sev']]);
  });

  it('joins up to three continuation lines of known words', () => {
    const found = findMemEncryptLines(
      lines('Memory Encryption Features active:', 'AMD', 'SEV', 'SEV-ES', 'SEV-SNP'),
    );
    expect(found).toHaveLength(1);
    expect(found[0]?.text).toBe('Memory Encryption Features active: AMD SEV SEV-ES');
    expect(found[0]?.where).toBe('dmesg lines 1-4');
  });

  it('knows every word a continuation may hold', () => {
    const intel = findMemEncryptLines(lines('Memory Encryption Features active:', 'Intel TDX'));
    expect(intel.map((f) => f.value.vendor)).toEqual(['Intel']);
    const unknown = findMemEncryptLines(lines('Memory Encryption Features active:', 'Unknown'));
    expect(unknown.map((f) => f.value.vendor)).toEqual(['Unknown']);
    const amd = findMemEncryptLines(
      lines('Memory Encryption Features active:', 'AMD', 'SME', 'SEV-ES SEV-SNP'),
    );
    expect(amd.map((f) => f.value.features)).toEqual([['SME', 'SEV-ES', 'SEV-SNP']]);
    const sev = findMemEncryptLines(lines('Memory Encryption Features active: AMD', 'SEV'));
    expect(sev.map((f) => f.value.features)).toEqual([['SEV']]);
  });

  it('stops at a line whose words the kernel does not print there, or that would not parse', () => {
    const found = findMemEncryptLines(
      lines(
        'Memory Encryption Features active: Intel TDX',
        'SEV',
        'Memory Encryption Features active: AMD SEV',
      ),
    );
    expect(found.map((f) => [f.where, f.value.vendor])).toEqual([
      ['dmesg line 1', 'Intel'],
      ['dmesg line 3', 'AMD'],
    ]);
  });

  it('finds nothing in a header that does not parse', () => {
    expect(findMemEncryptLines(lines('Memory Encryption Features active: AMD TDX'))).toEqual([]);
  });

  it('names one line or a range of lines', () => {
    const [a, b] = lines('x', 'y') as [LogLine, LogLine];
    expect(whereOf(a)).toBe('dmesg line 1');
    expect(whereOf(a, a)).toBe('dmesg line 1');
    expect(whereOf(a, b)).toBe('dmesg lines 1-2');
  });
});
