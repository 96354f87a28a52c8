import { describe, expect, it } from 'vitest';
import { isAmdMemEncryptLine, parseSevStatusLine } from '../src/log.js';

describe('parseSevStatusLine', () => {
  it('finds vTom among the current single-word names', () => {
    const parsed = parseSevStatusLine(
      'SEV: Status: SEV SEV-ES SEV-SNP vTom ReflectVC AI DebugSwap NoHostIBS BTBIsol VMSARegProt ',
    );
    expect(parsed?.vtom).toBe(true);
    expect(parsed?.words).toHaveLength(10);
  });

  it('finds vTom among the older multi-word names', () => {
    const parsed = parseSevStatusLine(
      'SEV: Status: SEV SEV-ES SEV-SNP vTom Reflect VC AI DebugSwap No HostIBS BTB Isol VMSA reg prot',
    );
    expect(parsed?.vtom).toBe(true);
    expect(parsed?.words.slice(0, 5)).toEqual(['SEV', 'SEV-ES', 'SEV-SNP', 'vTom', 'Reflect']);
  });

  it('reads the mainline Hyper-V line and statuses without vTOM', () => {
    expect(parseSevStatusLine('SEV: Status: vTom ')).toEqual({ words: ['vTom'], vtom: true });
    expect(parseSevStatusLine('SEV: Status: SEV SEV-ES SEV-SNP DebugSwap')?.vtom).toBe(false);
    expect(parseSevStatusLine('SEV: Status: ')).toEqual({ words: [], vtom: false });
    // vTom must be a whole word.
    expect(parseSevStatusLine('SEV: Status: SEV-SNP vTomX')?.vtom).toBe(false);
  });

  it('ignores other lines', () => {
    expect(parseSevStatusLine('SEV: SNP running at VMPL0.')).toBeNull();
    expect(parseSevStatusLine('Memory Encryption Features active: AMD SEV')).toBeNull();
    expect(parseSevStatusLine('x SEV: Status: vTom')).toBeNull();
  });
});

describe('the memory-encryption line', () => {
  it('is recognised so that it can be recorded and never decide', () => {
    expect(isAmdMemEncryptLine('Memory Encryption Features active: AMD SEV')).toBe(true);
    expect(isAmdMemEncryptLine('Memory Encryption Features active: Intel TDX')).toBe(false);
  });
});
