import { parseKernelLog } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { findRsiLines } from '../src/index.js';
import { CONFIG_WARNING_LINE, LPA2_REALM_GREP, REALM_BOOT_LOG, REFUSED_LINE } from './evidence.js';

describe('findRsiLines', () => {
  it('finds the version line of a real realm boot, with its line number and version', () => {
    const lines = findRsiLines(parseKernelLog(REALM_BOOT_LOG, { source: 'dmesg' }));
    expect(lines.using).toHaveLength(1);
    expect(lines.using[0]).toMatchObject({
      major: 1,
      minor: 0,
      fact: 'dmesg line 7',
      where: 'line 7 of dmesg',
    });
    expect(lines.refused).toEqual([]);
  });

  it('reads the refusal as rsi.c formats it: the version asked for and the range supported', () => {
    const lines = findRsiLines(parseKernelLog(REFUSED_LINE));
    expect(lines.refused[0]).toMatchObject({ requested: '1.0', supported: '2.0-2.0' });
    expect(lines.using).toEqual([]);
  });

  it('reads the realm-config warning, in both __warn() forms, and not other rsi.c warnings', () => {
    expect(findRsiLines(parseKernelLog(CONFIG_WARNING_LINE)).configWarning).toHaveLength(1);
    const bare = '[    0.000000] WARNING: CPU: 0 PID: 0 at arm64_rsi_init+0x98/0x1d0';
    expect(findRsiLines(parseKernelLog(bare)).configWarning).toHaveLength(1);
    // arm64_rsi_is_protected()'s WARN_ONs fire at runtime in a working realm (realm_ioremap_hook), not at
    // boot: not a failed configuration. Line and offsets illustrative, format of __warn() (kernel/panic.c).
    const runtime =
      '[   12.000000] WARNING: CPU: 0 PID: 1 at arch/arm64/kernel/rsi.c:112 arm64_rsi_is_protected+0x7c/0xb0';
    expect(findRsiLines(parseKernelLog(runtime)).configWarning).toEqual([]);
  });

  it('ignores the CPU-feature lines around it and other RME-like text', () => {
    const lines = findRsiLines(
      parseKernelLog(`${LPA2_REALM_GREP}\n[    0.716726] kvm [1]: RMI ABI version 1.0`),
    );
    expect(lines.using).toHaveLength(1);
    expect(lines.deviceFailed).toEqual([]);
    expect(findRsiLines(parseKernelLog('RME: Using RSI version 1.0 (patched)')).using).toEqual([]);
  });
});
