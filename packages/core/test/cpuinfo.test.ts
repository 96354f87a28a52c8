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

  it('reads an arm64 cpuinfo: its Features are the flags, its fields are kept', () => {
    // arch/arm64/kernel/cpuinfo.c c_show(): "Features\t:" then the hwcap names; "CPU architecture: 8".
    const e = parseCpuinfo(
      'processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd evtstrm\nCPU architecture: 8\n',
    );
    expect(e.hasFlag('asimd')).toBe(true);
    expect(e.cpuinfo.get('CPU architecture')?.value).toBe('8');
  });

  it('refuses text with no field at all, and a malformed feature word', () => {
    const codes: string[] = [];
    for (const text of ['no colon anywhere\n', 'flags : fpu B@D\n']) {
      try {
        parseCpuinfo(text);
      } catch (error) {
        if (isCocoError(error)) codes.push(`${error.code} ${error.message.includes('B@D') ? 'B@D' : ''}`);
      }
    }
    expect(codes).toEqual(['CPUINFO_INVALID ', 'CPUINFO_INVALID B@D']);
  });
});
