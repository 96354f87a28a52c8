import { describe, expect, it } from 'vitest';
import { detectS390Pv } from '../src/index.js';
import {
  BANNER_4_18,
  BANNER_6_8,
  evidence,
  PSERIES_CPUINFO,
  PVG,
  recorder,
  S390_CPUINFO,
  X86_CPUINFO,
} from './evidence.js';

// Facts: /sys/firmware/uv/prot_virt_guest prints "%d\n" of prot_virt_guest (Linux
// arch/s390/kernel/uv.c uv_is_prot_virt_guest, v6.18), so a PV guest reads "1\n" and any other
// s390 machine with the ultravisor "0\n". The directory exists only with facility 158
// (uv_sysfs_init), and the file only since Linux 5.13 (commit 37564ed834ac, tag s390-5.13-1).
describe('detectS390Pv', () => {
  it('claims a guest whose prot_virt_guest reads 1, with a step naming the file', () => {
    const r = recorder();
    const result = detectS390Pv(evidence({ cpuinfo: S390_CPUINFO, files: { [PVG]: '1\n' } }), r.context);
    expect(result).toMatchObject({ type: { id: 's390-pv', maskState: 'none' } });
    expect(r.steps.map((s) => s.fact)).toEqual(['cpuinfo vendor_id', `file ${PVG}`]);
  });

  it('claims from the file alone: only s390 kernels write it', () => {
    const r = recorder();
    expect(detectS390Pv(evidence({ files: { [PVG]: '1\n' } }), r.context)).toMatchObject({
      type: { id: 's390-pv' },
    });
  });

  it('reports a conflict when cpuinfo shows another architecture', () => {
    const r = recorder();
    detectS390Pv(evidence({ cpuinfo: X86_CPUINFO, files: { [PVG]: '1\n' } }), r.context);
    detectS390Pv(evidence({ cpuinfo: PSERIES_CPUINFO, files: { [PVG]: '1\n' } }), r.context);
    expect(r.conflicts).toEqual(['the architecture', 'the architecture']);
  });

  it('proves absent when prot_virt_guest reads 0 (a KVM host with prot_virt=1 reads 0 too)', () => {
    const r = recorder();
    const result = detectS390Pv(
      evidence({ cpuinfo: S390_CPUINFO, files: { [PVG]: '0\n', '/dev/uv': true } }),
      r.context,
    );
    expect(result).toEqual({ verdict: 'absent', because: `${PVG} reads 0` });
    expect(r.steps.map((s) => s.fact)).toContain('file /dev/uv');
  });

  it('cannot tell from /dev/uv alone: a PV host has it too', () => {
    const result = detectS390Pv(
      evidence({ cpuinfo: S390_CPUINFO, files: { '/dev/uv': true } }),
      recorder().context,
    );
    expect(result).toMatchObject({ verdict: 'unknown' });
  });

  it('cannot tell on s390x when the file was not read', () => {
    expect(detectS390Pv(evidence({ cpuinfo: S390_CPUINFO }), recorder().context)).toMatchObject({
      verdict: 'unknown',
      fix: expect.stringContaining(PVG),
    });
  });

  it('passes on the reason the file could not be read', () => {
    expect(
      detectS390Pv(evidence({ cpuinfo: S390_CPUINFO, unavailable: [PVG] }), recorder().context),
    ).toMatchObject({
      verdict: 'unknown',
      because: expect.stringContaining('permission denied'),
      fix: 'run as root',
    });
  });

  it('cannot tell when the file exists but its content was not read', () => {
    expect(detectS390Pv(evidence({ files: { [PVG]: true } }), recorder().context)).toMatchObject({
      verdict: 'unknown',
    });
  });

  it('cannot tell on content the kernel never writes', () => {
    expect(detectS390Pv(evidence({ files: { [PVG]: 'yes\n' } }), recorder().context)).toMatchObject({
      verdict: 'unknown',
    });
  });

  it('proves absent when the file is missing under a 5.13+ kernel (no ultravisor)', () => {
    const r = recorder();
    const result = detectS390Pv(
      evidence({ cpuinfo: S390_CPUINFO, files: { [PVG]: false }, log: BANNER_6_8 }),
      r.context,
    );
    expect(result).toMatchObject({ verdict: 'absent' });
    expect(r.steps.map((s) => s.fact)).toEqual(['cpuinfo vendor_id', `file ${PVG}`, 'dmesg line 1']);
  });

  it('cannot tell when the file is missing under a kernel older than 5.13', () => {
    expect(
      detectS390Pv(
        evidence({ cpuinfo: S390_CPUINFO, files: { [PVG]: false }, log: BANNER_4_18 }),
        recorder().context,
      ),
    ).toMatchObject({ verdict: 'unknown', because: expect.stringContaining('4.18') });
  });

  it('reads /sys/firmware/uv missing as prot_virt_guest missing', () => {
    const r = recorder();
    expect(
      detectS390Pv(
        evidence({ cpuinfo: S390_CPUINFO, files: { '/sys/firmware/uv': false }, log: BANNER_6_8 }),
        r.context,
      ),
    ).toMatchObject({ verdict: 'absent' });
    expect(r.steps.map((s) => s.fact)).toContain('file /sys/firmware/uv');
    expect(
      detectS390Pv(
        evidence({ cpuinfo: S390_CPUINFO, files: { '/sys/firmware/uv': false } }),
        recorder().context,
      ),
    ).toMatchObject({ verdict: 'unknown' });
  });

  it('draws the kernel-version line at 5.13, the release that added prot_virt_guest', () => {
    // Representative banners of 5.12 and 5.13 kernels (init/main.c: "Linux version %s (%s) ...").
    const banner = (v: string) => `[    0.000000] Linux version ${v} (buildd@bos02-s390x-012) (gcc) #1 SMP`;
    const at = (v: string) =>
      detectS390Pv(
        evidence({ cpuinfo: S390_CPUINFO, files: { [PVG]: false }, log: banner(v) }),
        recorder().context,
      );
    expect(at('5.12.19-051219-generic')).toMatchObject({ verdict: 'unknown' });
    expect(at('5.13.0-52-generic')).toMatchObject({ verdict: 'absent' });
  });

  it('cannot tell when the file is missing and the kernel version is unknown', () => {
    expect(
      detectS390Pv(evidence({ cpuinfo: S390_CPUINFO, files: { [PVG]: false } }), recorder().context),
    ).toMatchObject({ verdict: 'unknown' });
  });

  it('cannot tell when /sys/firmware/uv exists without prot_virt_guest (a pre-5.13 kernel)', () => {
    expect(
      detectS390Pv(
        evidence({
          cpuinfo: S390_CPUINFO,
          files: { [PVG]: false, '/sys/firmware/uv': true },
          log: BANNER_6_8,
        }),
        recorder().context,
      ),
    ).toMatchObject({ verdict: 'unknown' });
  });

  it('says nothing for another architecture or no evidence of one', () => {
    const r = recorder();
    expect(detectS390Pv(evidence({ cpuinfo: X86_CPUINFO, files: { [PVG]: false } }), r.context)).toBeNull();
    expect(detectS390Pv(evidence({ cpuinfo: PSERIES_CPUINFO }), r.context)).toBeNull();
    expect(detectS390Pv(evidence({ files: { [PVG]: false }, log: BANNER_6_8 }), r.context)).toBeNull();
    expect(detectS390Pv(evidence({}), r.context)).toBeNull();
  });
});
