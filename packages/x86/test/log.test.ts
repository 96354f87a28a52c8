import { parseKernelLog } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { parseMemEncryptLine, parseSevStatusLine } from '../src/index.js';

describe('parseMemEncryptLine', () => {
  it('reads the v5.19+ wording for each variant', () => {
    expect(parseMemEncryptLine('Memory Encryption Features active: AMD SME')?.amdMode).toBe('sme');
    expect(parseMemEncryptLine('Memory Encryption Features active: AMD SEV')?.amdMode).toBe('sev');
    expect(parseMemEncryptLine('Memory Encryption Features active: AMD SEV SEV-ES')?.amdMode).toBe('sev-es');
    const snp = parseMemEncryptLine('Memory Encryption Features active: AMD SEV SEV-ES SEV-SNP');
    expect(snp?.amdMode).toBe('sev-snp');
    expect(snp?.features).toEqual(['SEV', 'SEV-ES', 'SEV-SNP']);
  });

  it('reads the v5.10-v5.18 wording "AMD Memory Encryption Features active:"', () => {
    expect(parseMemEncryptLine('AMD Memory Encryption Features active: SEV SEV-ES')?.amdMode).toBe('sev-es');
    expect(parseMemEncryptLine('AMD Memory Encryption Features active: SME')?.amdMode).toBe('sme');
  });

  it('reads the v4.14-v5.9 wording', () => {
    expect(parseMemEncryptLine('AMD Secure Encrypted Virtualization (SEV) active')?.amdMode).toBe('sev');
    expect(parseMemEncryptLine('AMD Secure Memory Encryption (SME) active')?.amdMode).toBe('sme');
  });

  it('reads the Intel wording as no AMD mode, and ignores unrelated lines', () => {
    const intel = parseMemEncryptLine('Memory Encryption Features active: Intel TDX');
    expect(intel).toMatchObject({ vendor: 'Intel', features: ['TDX'], amdMode: null });
    expect(parseMemEncryptLine('Memory Encryption Features active: Intel SEV')).toBeNull();
    expect(parseMemEncryptLine('tdx: Guest detected')).toBeNull();
    expect(parseMemEncryptLine('Memory Encryption Features active: AMD SEV FOO')).toBeNull();
  });

  it('reads the line after core strips timestamps, caller ids and journal prefixes', () => {
    const lines = parseKernelLog(
      [
        '[    0.512346] Memory Encryption Features active: AMD SEV SEV-ES SEV-SNP',
        'Feb 14 16:16:55 cvm kernel: Memory Encryption Features active: AMD SEV',
        '[    1.000000] [    T0] AMD Memory Encryption Features active: SEV SEV-ES',
        '2024-02-14T16:16:55.123456+00:00 cvm kernel: Memory Encryption Features active: AMD SME',
      ].join('\n'),
    );
    expect(lines.map((l) => parseMemEncryptLine(l.text)?.amdMode)).toEqual([
      'sev-snp',
      'sev',
      'sev-es',
      'sme',
    ]);
  });
});

describe('parseSevStatusLine', () => {
  it('reads the v6.9+ line with its trailing space', () => {
    const s = parseSevStatusLine('SEV: Status: SEV SEV-ES SEV-SNP DebugSwap ');
    expect(s?.status).toBe(0x87n); // bits 0, 1, 2, 7
    expect(s?.names).toEqual(['SEV', 'SEV-ES', 'SEV-SNP', 'DebugSwap']);
    expect(s?.unknown).toEqual([]);
  });

  it('reads the Azure vTOM line as 0x103df', () => {
    const s = parseSevStatusLine(
      'SEV: Status: SEV SEV-ES SEV-SNP vTom ReflectVC AI DebugSwap NoHostIBS BTBIsol VMSARegProt ',
    );
    expect(s?.status).toBe(0x103dfn);
  });

  it('reads the spaced spellings of the first 2024 posting', () => {
    // Bits 0, 1, 2, 4, 8, 9, 11 = 0x7 + 0x10 + 0x100 + 0x200 + 0x800 = 0xb17.
    const s = parseSevStatusLine(
      'SEV: Status: SEV SEV-ES SEV-SNP Reflect VC No HostIBS BTB Isol Secure TSC ',
    );
    expect(s?.status).toBe(0xb17n);
    expect(s?.unknown).toEqual([]);
    // Bits 12, 14, 16, 17 in the old spelling = 0x1000 + 0x4000 + 0x10000 + 0x20000 = 0x35000, plus 0x7.
    const t = parseSevStatusLine(
      'SEV: Status: SEV SEV-ES SEV-SNP VMGExit param IBS Virt VMSA reg prot SMT prot',
    );
    expect(t?.status).toBe(0x35007n);
  });

  it('keeps words it does not know', () => {
    const s = parseSevStatusLine('SEV: Status: SEV SEV-ES SEV-SNP FutureThing');
    expect(s?.status).toBe(0x7n);
    expect(s?.unknown).toEqual(['FutureThing']);
  });

  it('reads the line with a printk caller id and a journal prefix', () => {
    const [a, b] = parseKernelLog(
      '[    0.523456] [    T0] SEV: Status: SEV SEV-ES SEV-SNP SecureTSC \nMar  3 09:12:01 vm kernel: SEV: Status: SEV ',
    );
    expect(parseSevStatusLine(a?.text ?? '')?.status).toBe(0x807n);
    expect(parseSevStatusLine(b?.text ?? '')?.status).toBe(0x1n);
  });

  it('ignores other SEV lines', () => {
    expect(parseSevStatusLine('SEV: Using SNP CPUID table, 29 entries present.')).toBeNull();
    expect(parseSevStatusLine('SEV: SNP running at VMPL0.')).toBeNull();
  });
});
