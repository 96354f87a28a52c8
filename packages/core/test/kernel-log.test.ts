import {
  normaliseKernelLog,
  normaliseKernelLogLine,
  parseKernelLog,
  parseKernelLogEvidence,
} from '@coco/core';
import { describe, expect, it } from 'vitest';

const MESSAGE = 'Hyper-V: Isolation Config: Group A 0x1, Group B 0xba2';

describe('kernel log normalisation', () => {
  it.each([
    ['plain', MESSAGE],
    ['dmesg timestamp', `[    0.000000] ${MESSAGE}`],
    ['dmesg timestamp and printk caller id', `[    0.000000][    T0] ${MESSAGE}`],
    ['caller id after a space', `[    1.234567] [    C1] ${MESSAGE}`],
    ['syslog prefix', `Feb 14 16:16:55 host kernel: ${MESSAGE}`],
    ['syslog prefix and timestamp', `Feb  4 16:16:55 azure-vm kernel: [    0.000000] ${MESSAGE}`],
    ['journal short-precise', `Feb 14 16:16:55.123456 host kernel: ${MESSAGE}`],
    ['journal short-iso', `2024-02-14T16:16:55+0000 host kernel: ${MESSAGE}`],
    ['journal short-iso-precise', `2024-02-14T16:16:55.123456+00:00 host kernel: ${MESSAGE}`],
    ['dmesg -T', `[Wed Feb 14 16:16:55 2024] ${MESSAGE}`],
    ['dmesg -r priority', `<6>[    0.000000] ${MESSAGE}`],
    ['/dev/kmsg record', `6,123,0,-;${MESSAGE}`],
    ['/dev/kmsg record with caller', `6,123,0,-,caller=T0;${MESSAGE}`],
    ['quoting indentation', `        [    0.000000] ${MESSAGE}`],
    ['tab indentation and CR', `\t${MESSAGE}\r`],
  ])('strips a %s', (_name, line) => {
    expect(normaliseKernelLogLine(line)).toBe(MESSAGE);
  });

  it('splits a snapshot line with a million and more CRs (no spread of the parts)', () => {
    const raw = `[    0.000000] x${'\r'.repeat(1_500_000)}[    0.100000] ${MESSAGE}`;
    expect(normaliseKernelLog([raw]).map((l) => l.text)).toEqual(['x', MESSAGE]);
    expect(normaliseKernelLogLine(raw)).toBe(`x\n${MESSAGE}`);
  });

  it('keeps messages that merely start with brackets', () => {
    expect(normaliseKernelLogLine('[drm] Initialized')).toBe('[drm] Initialized');
    expect(normaliseKernelLogLine('[    0.5] [Firmware Bug]: TSC')).toBe('[Firmware Bug]: TSC');
  });

  it('numbers lines from 1, drops blank ones and keeps the raw text', () => {
    const lines = parseKernelLog(`[    0.0] a\n\n[    0.1] SEV: Status: vTom\n`, { source: 'dmesg.txt' });
    expect(lines).toEqual([
      { text: 'a', raw: '[    0.0] a', line: 1, source: 'dmesg.txt' },
      { text: 'SEV: Status: vTom', raw: '[    0.1] SEV: Status: vTom', line: 3, source: 'dmesg.txt' },
    ]);
    expect(parseKernelLogEvidence('x').kinds.has('kernel-log')).toBe(true);
  });

  it('refuses binary input with the line of the first NUL byte', () => {
    expect(() => parseKernelLog('ok\nbad\0', { source: 'x.bin' })).toThrow(/x\.bin \(line 2\): .*NUL byte/);
  });
});
