import { createRegistry } from '@coco/core';
import { describe, expect, it } from 'vitest';
import readme from '../README.md?raw';
import { createTdxType, tdxBackend } from '../src/index.js';

// The README's example, step by step, with the outputs its comments promise.
describe('README example', () => {
  it('installs both packages', () => {
    expect(readme).toContain('npm i @coco/core @coco/tdx');
  });

  it('prints what its comments say', () => {
    const registry = createRegistry().use(tdxBackend);
    const evidence = registry.parseSnapshot({
      format: 'coco-snapshot/2',
      facts: {
        'x86.cpuid': {
          '0x0/0x0': { eax: '0x23', ebx: '0x756e6547', ecx: '0x6c65746e', edx: '0x49656e69' },
          '0x21/0x0': { eax: '0x0', ebx: '0x65746e49', ecx: '0x20202020', edx: '0x5844546c' },
        },
        'tdx.gpaw': { '': 52 },
      },
      kernelLog: ['[    0.000000] tdx: Guest detected'],
    });
    // The same machine as a coco-snapshot/1 document reads the same.
    const v1 = registry.parseSnapshot({
      format: 'coco-snapshot/1',
      cpuid: [
        { leaf: '0x0', subleaf: '0x0', eax: '0x23', ebx: '0x756e6547', ecx: '0x6c65746e', edx: '0x49656e69' },
        { leaf: '0x21', subleaf: '0x0', eax: '0x0', ebx: '0x65746e49', ecx: '0x20202020', edx: '0x5844546c' },
      ],
      tdx: { gpaw: 52 },
      kernelLog: ['[    0.000000] tdx: Guest detected'],
    });
    expect(registry.detect(v1).toJSON()).toEqual(registry.detect(evidence).toJSON());
    const detection = registry.detect(evidence);
    expect(detection.type?.describe()).toBe('Intel TDX, shared bit 51, encrypted when clear');
    expect(detection.trail.filter((s) => s.by === 'tdx').map((s) => s.source)).toEqual([
      'cpuid',
      'kernel-log',
      'tdx',
    ]);
    const marking = detection.type?.marking;
    const shared = marking?.decrypt(0x8000000123456063n) ?? 0n;
    expect(shared.toString(16)).toBe('8008000123456063');
    expect(marking?.encrypt(shared).toString(16)).toBe('8000000123456063');
    expect(createTdxType({ maskBit: 47 }).describe()).toBe('Intel TDX, shared bit 47, encrypted when clear');
    for (const out of [
      'Intel TDX, shared bit 51, encrypted when clear',
      '8008000123456063',
      '8000000123456063',
      'Intel TDX, shared bit 47, encrypted when clear',
    ]) {
      expect(readme).toContain(`// ${out}`);
    }
  });
});
