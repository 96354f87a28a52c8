import { describe, expect, it } from 'vitest';
import { readS390Machine, systemdCvmS390 } from '../src/index.js';
import { evidence, PVG, S390_CPUINFO, X86_CPUINFO } from './evidence.js';

// systemd src/basic/confidential-virt.c (s390x): read /sys/firmware/uv/prot_virt_guest; a read
// error prints none; a first byte '1' prints protvirt; anything else none.
describe('systemd-detect-virt --cvm on s390x', () => {
  it('prints protvirt when the file starts with 1', () => {
    expect(systemdCvmS390(evidence({ cpuinfo: S390_CPUINFO, files: { [PVG]: '1\n' } }))?.label).toBe(
      'protvirt',
    );
  });

  it('prints none for 0 and for a missing file', () => {
    expect(systemdCvmS390(evidence({ cpuinfo: S390_CPUINFO, files: { [PVG]: '0\n' } }))?.label).toBe('none');
    expect(systemdCvmS390(evidence({ cpuinfo: S390_CPUINFO, files: { [PVG]: false } }))?.label).toBe('none');
    expect(
      systemdCvmS390(evidence({ cpuinfo: S390_CPUINFO, files: { '/sys/firmware/uv': false } }))?.label,
    ).toBe('none');
  });

  it('cannot run without the file content', () => {
    expect(systemdCvmS390(evidence({ cpuinfo: S390_CPUINFO }))).toMatchObject({
      label: null,
      missing: expect.stringContaining(PVG),
    });
    expect(systemdCvmS390(evidence({ cpuinfo: S390_CPUINFO, files: { [PVG]: true } }))?.label).toBeNull();
  });

  it('is not the procedure of another architecture', () => {
    expect(systemdCvmS390(evidence({ cpuinfo: X86_CPUINFO }))).toBeNull();
    expect(systemdCvmS390(evidence({}))).toBeNull();
  });
});

describe('the s390x machine reader', () => {
  it('names /dev/uv as the attestation interface when it exists', () => {
    expect(readS390Machine(evidence({ cpuinfo: S390_CPUINFO, files: { '/dev/uv': true } }))).toEqual({
      attestation: ['/dev/uv'],
    });
    expect(readS390Machine(evidence({ cpuinfo: S390_CPUINFO, files: { '/dev/uv': false } }))).toEqual({
      attestation: [],
    });
  });

  it('reads nothing of another architecture', () => {
    expect(readS390Machine(evidence({ cpuinfo: X86_CPUINFO }))).toBeNull();
  });
});
