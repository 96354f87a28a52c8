import { parseKernelLog } from '@coco/core';
import { describe, expect, it } from 'vitest';
import readme from '../README.md?raw';
import {
  decodeSevStatus,
  findSevStatusLines,
  parseMemEncryptLine,
  snpUnsupportedBits,
} from '../src/index.js';

// The README's example, with the outputs its comments promise.
describe('README example', () => {
  it('prints what its comments say', () => {
    const names = decodeSevStatus(0x103dfn).names.join(' ');
    expect(names).toBe('SEV SEV-ES SEV-SNP vTom ReflectVC AI DebugSwap NoHostIBS BTBIsol VMSARegProt');
    expect(parseMemEncryptLine('AMD Memory Encryption Features active: SEV SEV-ES')?.amdMode).toBe('sev-es');
    const split = parseKernelLog('[    0.1] SEV: Status: SEV SEV-ES\n[    0.1] SEV-SNP DebugSwap');
    expect(findSevStatusLines(split)[0]?.value.status.toString(16)).toBe('87');
    expect(snpUnsupportedBits(0x10007n)).toEqual([16]);
    for (const out of [names, 'sev-es', '87', '[ 16 ]']) expect(readme).toContain(`// ${out}`);
  });
});
