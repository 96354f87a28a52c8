import { describe, expect, it } from 'vitest';
import { detectPpcPef } from '../src/index.js';
import {
  evidence,
  POWERNV_CPUINFO,
  PSERIES_CPUINFO,
  recorder,
  S390_CPUINFO,
  SVM,
  X86_CPUINFO,
} from './evidence.js';

// Facts: /sys/devices/system/cpu/svm prints "%u\n" of is_secure_guest() (Linux
// arch/powerpc/kernel/sysfs.c show_svm, v6.18; ABI: "If 1, ... it is a Secure Virtual Machine"),
// created by every CONFIG_PPC_SVM kernel; a kernel without CONFIG_PPC_SVM has an empty
// setup_secure_guest() in prom_init, so it never enters secure mode.
describe('detectPpcPef', () => {
  it('claims a guest whose svm reads 1, with steps naming cpuinfo and the file', () => {
    const r = recorder();
    const result = detectPpcPef(evidence({ cpuinfo: PSERIES_CPUINFO, files: { [SVM]: '1\n' } }), r.context);
    expect(result).toMatchObject({ type: { id: 'ppc-pef', maskState: 'none' } });
    expect(r.steps.map((s) => s.fact)).toEqual(['cpuinfo platform', `file ${SVM}`]);
  });

  it('claims from the file alone: only powerpc kernels write it', () => {
    expect(detectPpcPef(evidence({ files: { [SVM]: '1\n' } }), recorder().context)).toMatchObject({
      type: { id: 'ppc-pef' },
    });
  });

  it('reports a conflict when cpuinfo shows another architecture', () => {
    const r = recorder();
    detectPpcPef(evidence({ cpuinfo: X86_CPUINFO, files: { [SVM]: '1\n' } }), r.context);
    expect(r.conflicts).toEqual(['the architecture']);
  });

  it('proves absent when svm reads 0', () => {
    expect(
      detectPpcPef(evidence({ cpuinfo: PSERIES_CPUINFO, files: { [SVM]: '0\n' } }), recorder().context),
    ).toEqual({
      verdict: 'absent',
      because: `${SVM} reads 0`,
    });
  });

  it('proves absent when svm is missing on ppc64: the kernel has no secure-VM support', () => {
    expect(
      detectPpcPef(evidence({ cpuinfo: PSERIES_CPUINFO, files: { [SVM]: false } }), recorder().context),
    ).toMatchObject({
      verdict: 'absent',
    });
  });

  it('proves absent on a PowerNV (bare-metal) host whose svm was not read', () => {
    expect(detectPpcPef(evidence({ cpuinfo: POWERNV_CPUINFO }), recorder().context)).toMatchObject({
      verdict: 'absent',
      because: expect.stringContaining('PowerNV'),
    });
  });

  it('cannot tell on a pSeries machine whose svm was not read', () => {
    expect(detectPpcPef(evidence({ cpuinfo: PSERIES_CPUINFO }), recorder().context)).toMatchObject({
      verdict: 'unknown',
      fix: expect.stringContaining(SVM),
    });
    expect(
      detectPpcPef(evidence({ cpuinfo: PSERIES_CPUINFO, unavailable: [SVM] }), recorder().context),
    ).toMatchObject({
      verdict: 'unknown',
      because: expect.stringContaining('permission denied'),
      fix: 'run as root',
    });
    expect(
      detectPpcPef(evidence({ cpuinfo: PSERIES_CPUINFO, files: { [SVM]: true } }), recorder().context),
    ).toMatchObject({
      verdict: 'unknown',
    });
  });

  it('cannot tell on content the kernel never writes', () => {
    expect(detectPpcPef(evidence({ files: { [SVM]: 'on\n' } }), recorder().context)).toMatchObject({
      verdict: 'unknown',
    });
  });

  it('ignores the firmware-console line, which never reaches the kernel log', () => {
    // prom_init's prom_printf("Switching to secure mode.\n") writes through Open Firmware (call_prom "write").
    expect(
      detectPpcPef(
        evidence({ cpuinfo: PSERIES_CPUINFO, log: 'Switching to secure mode.' }),
        recorder().context,
      ),
    ).toMatchObject({ verdict: 'unknown' });
  });

  it('says nothing for another architecture or no evidence of one', () => {
    const r = recorder();
    expect(detectPpcPef(evidence({ cpuinfo: X86_CPUINFO, files: { [SVM]: false } }), r.context)).toBeNull();
    expect(detectPpcPef(evidence({ cpuinfo: S390_CPUINFO }), r.context)).toBeNull();
    expect(detectPpcPef(evidence({ files: { [SVM]: false } }), r.context)).toBeNull();
    expect(detectPpcPef(evidence({}), r.context)).toBeNull();
  });
});
