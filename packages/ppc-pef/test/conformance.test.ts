import { type BackendConformanceSpec, backendConformance } from '@coco/core/testing';
import { describe, it } from 'vitest';
import { ppcPefBackend } from '../src/index.js';
import { evidence, POWERNV_CPUINFO, PSERIES_CPUINFO, SVM, X86_CPUINFO } from './evidence.js';

// From the facts (Linux v6.18 arch/powerpc, systemd confidential-virt.c): mem-encrypt only, no
// bit, pages shared by ultracalls, systemd prints none.
const spec: BackendConformanceSpec = {
  plugin: ppcPefBackend,
  types: [
    {
      name: 'a secure VM',
      params: {},
      variant: null,
      maskState: 'none',
      maskBit: null,
      encryptedWhen: null,
      attributes: ['mem-encrypt'],
      cvm: 'none',
      conversion: 'call',
    },
  ],
  invalidParams: [
    { name: 'a mask bit (a secure VM has none)', params: { maskBit: 51 }, mentions: 'maskBit' },
    { name: 'a variant', params: { variant: 'pef' }, mentions: 'variant' },
  ],
  positive: [
    {
      name: 'svm 1 on a pSeries guest',
      evidence: evidence({ cpuinfo: PSERIES_CPUINFO, files: { [SVM]: '1\n' } }),
      variant: null,
      maskBit: null,
      maskState: 'none',
    },
  ],
  negative: [
    { name: 'svm 0', evidence: evidence({ cpuinfo: PSERIES_CPUINFO, files: { [SVM]: '0\n' } }) },
    {
      name: 'svm missing (no CONFIG_PPC_SVM)',
      evidence: evidence({ cpuinfo: PSERIES_CPUINFO, files: { [SVM]: false } }),
    },
    { name: 'a PowerNV host', evidence: evidence({ cpuinfo: POWERNV_CPUINFO }) },
    { name: 'an x86 guest', evidence: evidence({ cpuinfo: X86_CPUINFO }) },
  ],
};

describe('conformance', () => {
  for (const c of backendConformance(spec)) it(c.name, c.run);
});
