import { type BackendConformanceSpec, backendConformance } from '@coco/core/testing';
import { describe, it } from 'vitest';
import { s390PvBackend } from '../src/index.js';
import { BANNER_6_8, evidence, PVG, S390_CPUINFO, X86_CPUINFO } from './evidence.js';

// From the facts (Linux v6.18 arch/s390, systemd confidential-virt.c): no attributes, no bit,
// pages shared by ultravisor calls, systemd prints protvirt.
const spec: BackendConformanceSpec = {
  plugin: s390PvBackend,
  types: [
    {
      name: 'a PV guest',
      params: {},
      variant: null,
      maskState: 'none',
      maskBit: null,
      encryptedWhen: null,
      attributes: [],
      cvm: 'protvirt',
      conversion: 'call',
    },
  ],
  invalidParams: [
    { name: 'a mask bit (a PV guest has none)', params: { maskBit: 51 }, mentions: 'maskBit' },
    { name: 'a variant', params: { variant: 'se' }, mentions: 'variant' },
  ],
  positive: [
    {
      name: 'prot_virt_guest 1 on s390x',
      evidence: evidence({ cpuinfo: S390_CPUINFO, files: { [PVG]: '1\n', '/dev/uv': true } }),
      variant: null,
      maskBit: null,
      maskState: 'none',
    },
  ],
  negative: [
    {
      name: 'prot_virt_guest 0 (a PV host)',
      evidence: evidence({ cpuinfo: S390_CPUINFO, files: { [PVG]: '0\n' } }),
    },
    {
      name: 'no ultravisor under Linux 6.8',
      evidence: evidence({ cpuinfo: S390_CPUINFO, files: { [PVG]: false }, log: BANNER_6_8 }),
    },
    { name: 'an x86 guest', evidence: evidence({ cpuinfo: X86_CPUINFO }) },
  ],
};

describe('conformance', () => {
  for (const c of backendConformance(spec)) it(c.name, c.run);
});
