import { isCocoError, parseCpuinfo } from '@coco/core';
import { describe, expect, it } from 'vitest';

// Shape of /proc/cpuinfo on an SNP guest (flags trimmed to the relevant ones).
const CPUINFO = `processor\t: 0
vendor_id\t: AuthenticAMD
flags\t\t: fpu vme de pse tsc msr pae hypervisor sev sev_es sev_snp
bugs\t\t: sysret_ss_attrs

processor\t: 1
flags\t\t: fpu other_cpu_only
`;

describe('/proc/cpuinfo', () => {
  it('reads the flags of the first processor', () => {
    const e = parseCpuinfo(CPUINFO, { source: 'cpuinfo.txt' });
    expect(e.hasFlag('sev_snp')).toBe(true);
    expect(e.hasFlag('hypervisor')).toBe(true);
    expect(e.hasFlag('other_cpu_only')).toBe(false);
    expect(e.cpuinfoFlags.get('sev')).toBe('cpuinfo cpuinfo.txt');
  });

  it('refuses text without a flags line, and a malformed flag with its line', () => {
    const codes: string[] = [];
    for (const text of ['processor : 0\nFeatures : fp asimd\n', 'flags : fpu B@D\n']) {
      try {
        parseCpuinfo(text);
      } catch (error) {
        if (isCocoError(error)) codes.push(`${error.code} ${error.location ?? ''}`);
      }
    }
    expect(codes).toEqual(['CPUINFO_INVALID ', 'CPUINFO_INVALID line 1']);
  });
});
