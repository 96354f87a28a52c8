import { parseKernelLog } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { findTdxLogLines, matchTdxLogLine, TDX_MEM_ENCRYPT_WORDING } from '../src/index.js';

const texts = (log: string) => findTdxLogLines(parseKernelLog(log)).map((m) => m.line.text);

describe('TDX kernel-log wording', () => {
  it('knows the mainline lines (tdx.c pr_fmt "tdx: ", mem_encrypt.c)', () => {
    expect(matchTdxLogLine('tdx: Guest detected')?.origin).toMatch(/tdx\.c/);
    expect(matchTdxLogLine('Memory Encryption Features active: Intel TDX')?.origin).toMatch(/mem_encrypt\.c/);
  });

  it("knows the pre-mainline spellings of Intel's guest kernels", () => {
    for (const line of ['tdx: Guest initialized', 'x86/tdx: Guest initialized', 'TDX guest is initialized']) {
      expect(matchTdxLogLine(line)?.origin, line).toMatch(/before v5\.19/);
    }
  });

  it('rejects other vendors, host-side and partial lines', () => {
    for (const line of [
      'Memory Encryption Features active: AMD SEV SEV-ES SEV-SNP',
      'AMD Memory Encryption Features active: SME',
      'virt/tdx: module initialized',
      'kvm_intel: TDX is supported',
      'tdx: Guest detected by a test harness',
      'TDX: Guest detected',
      'Memory Encryption Features active: Intel TDX extra',
      '',
    ]) {
      expect(matchTdxLogLine(line), line).toBeUndefined();
    }
  });

  it('finds the lines behind timestamps, caller ids, journal prefixes and quoting', () => {
    const log = [
      '[    0.000000] Linux version 6.8.0-1014-azure',
      '[    0.000000] tdx: Guest detected',
      '[    0.000000] [    T0] tdx: Guest detected',
      'Feb 14 16:16:55 td-host kernel: Memory Encryption Features active: Intel TDX',
      '2024-02-14T16:16:55.123456+00:00 td-host kernel: [    0.412345] x86/tdx: Guest initialized',
      '    [    0.000000] TDX guest is initialized',
      '<6>[    0.500000] random: crng init done',
    ].join('\n');
    expect(texts(log)).toEqual([
      'tdx: Guest detected',
      'tdx: Guest detected',
      'Memory Encryption Features active: Intel TDX',
      'x86/tdx: Guest initialized',
      'TDX guest is initialized',
    ]);
  });

  it('joins a "Memory Encryption Features active:" line whose continuation came on the next line', () => {
    const matches = findTdxLogLines(
      parseKernelLog('[    0.41] Memory Encryption Features active:\n[    0.41] Intel TDX\n[    0.42] next'),
    );
    expect(matches).toHaveLength(1);
    expect(matches[0]?.line.line).toBe(1);
    expect(matches[0]?.wording).toBe(TDX_MEM_ENCRYPT_WORDING);
  });

  it('does not join the AMD continuation', () => {
    expect(texts('Memory Encryption Features active:\nAMD SEV')).toEqual([]);
  });

  it('ignores overlong and non-string lines', () => {
    expect(matchTdxLogLine(`tdx: Guest detected${' '.repeat(300)}x`)).toBeUndefined();
    expect(matchTdxLogLine(42 as unknown as string)).toBeUndefined();
  });
});
