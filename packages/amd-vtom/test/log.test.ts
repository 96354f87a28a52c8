import { describe, expect, it } from 'vitest';
import { isAmdMemEncryptLine, parseSevStatusLine, SEV_STATUS_NAMES, sevStatusNames } from '../src/index.js';

describe('parseSevStatusLine', () => {
  it('reads the current single-word names into bits', () => {
    // Bits 0-4, 6-9, 16: the Azure SNP status 0x103df.
    const parsed = parseSevStatusLine(
      'SEV: Status: SEV SEV-ES SEV-SNP vTom ReflectVC AI DebugSwap NoHostIBS BTBIsol VMSARegProt ',
    );
    expect(parsed).toEqual({ bits: 0x103dfn, vtom: true, unknown: [] });
  });

  it('reads the older multi-word names to the same bits', () => {
    const parsed = parseSevStatusLine(
      'SEV: Status: SEV SEV-ES SEV-SNP vTom Reflect VC AI DebugSwap No HostIBS BTB Isol VMSA reg prot',
    );
    expect(parsed).toEqual({ bits: 0x103dfn, vtom: true, unknown: [] });
  });

  it('reads the mainline Hyper-V line and a status without vTOM', () => {
    expect(parseSevStatusLine('SEV: Status: vTom ')).toEqual({ bits: 0x8n, vtom: true, unknown: [] });
    expect(parseSevStatusLine('SEV: Status: SEV SEV-ES SEV-SNP DebugSwap')?.vtom).toBe(false);
    expect(parseSevStatusLine('SEV: Status: SEV SEV-ES SEV-SNP SecureTSC SecureAVIC')?.bits).toBe(0x40807n);
  });

  it('keeps words it does not know, and ignores other lines', () => {
    expect(parseSevStatusLine('SEV: Status: SEV-SNP Frobnicate')).toEqual({
      bits: 0x4n,
      vtom: false,
      unknown: ['Frobnicate'],
    });
    expect(parseSevStatusLine('SEV: SNP running at VMPL0.')).toBeNull();
    expect(parseSevStatusLine('Memory Encryption Features active: AMD SEV')).toBeNull();
  });

  it('reads a long line of unknown words word by word', () => {
    const parsed = parseSevStatusLine(`SEV: Status: ${'VMSA reg '.repeat(400)}`);
    expect(parsed?.unknown).toHaveLength(800);
  });
});

describe('status names', () => {
  it('matches the kernel table for the bits the facts sheet names', () => {
    expect(SEV_STATUS_NAMES[3]).toBe('vTom');
    expect(SEV_STATUS_NAMES[13]).toBeUndefined();
    expect(sevStatusNames(0x103dfn)).toEqual([
      'SEV',
      'SEV-ES',
      'SEV-SNP',
      'vTom',
      'ReflectVC',
      'AI',
      'DebugSwap',
      'NoHostIBS',
      'BTBIsol',
      'VMSARegProt',
    ]);
  });

  it('recognises the memory-encryption line it must not decide on', () => {
    expect(isAmdMemEncryptLine('Memory Encryption Features active: AMD SEV')).toBe(true);
    expect(isAmdMemEncryptLine('Memory Encryption Features active: Intel TDX')).toBe(false);
  });
});
