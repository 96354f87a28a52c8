import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Evidence, EvidenceBuilder, parseCpuinfo, parseKernelLog } from '@coco/core';
import { s390PvBackend } from '../src/index.js';

export const PVG = '/sys/firmware/uv/prot_virt_guest';

// arch/s390/kernel/processor.c show_cpu_summary (v6.18): "vendor_id       : IBM/S390" and
// "features\t: " followed by the hwcap words; the words here are a z15's (machine 8561).
export const S390_CPUINFO: readonly (readonly [string, string])[] = [
  ['vendor_id', 'IBM/S390'],
  [
    'features',
    'esan3 zarch stfle msa ldisp eimm dfp edat etf3eh highgprs te vx vxd vxe gs vxe2 vxp sort dflt',
  ],
];

// A ppc64 pSeries guest's cpuinfo (arch/powerpc/kernel/setup-common.c, platforms/pseries/setup.c).
export const PPC64_CPUINFO: readonly (readonly [string, string])[] = [
  ['processor', '0'],
  ['cpu', 'POWER9 (architected), altivec supported'],
  ['platform', 'pSeries'],
];

// An x86-64 guest's cpuinfo head (vendor_id and flags, arch/x86/kernel/cpu/proc.c).
export const X86_CPUINFO: readonly (readonly [string, string])[] = [
  ['vendor_id', 'GenuineIntel'],
  ['flags', 'fpu vme de pse tsc msr pae mce cx8 apic sep hypervisor'],
];

// init/main.c prints the banner first at every boot; this is Ubuntu 24.04's s390x kernel's.
export const BANNER_6_8 =
  '[    0.000000] Linux version 6.8.0-49-generic (buildd@bos01-s390x-010) (s390x-linux-gnu-gcc-13 (Ubuntu 13.2.0-23ubuntu4) 13.2.0, GNU ld (GNU Binutils for Ubuntu) 2.42) #49-Ubuntu SMP Mon Nov  4 02:04:19 UTC 2024 (Ubuntu 6.8.0-49.49-generic 6.8.12)';
// RHEL 8's kernel 4.18 (before prot_virt_guest, which Linux 5.13 added).
export const BANNER_4_18 =
  '[    0.000000] Linux version 4.18.0-553.el8_10.s390x (mockbuild@s390-070.build.eng.bos.redhat.com) (gcc version 8.5.0 20210514 (Red Hat 8.5.0-22) (GCC)) #1 SMP Fri May 10 15:19:13 EDT 2024';

/** Evidence built from parts, each with its source. */
export function evidence(parts: {
  cpuinfo?: readonly (readonly [string, string])[];
  files?: Record<string, boolean | string>;
  log?: string;
  unavailable?: string[];
}): Evidence {
  const b = new EvidenceBuilder();
  if (parts.cpuinfo) b.addCpuinfo(parts.cpuinfo, 'cpuinfo test');
  for (const [path, v] of Object.entries(parts.files ?? {})) {
    if (typeof v === 'string') b.setFile(path, true, 'files test', v);
    else b.setFile(path, v, 'files test');
  }
  if (parts.log !== undefined) b.addLogLines(parseKernelLog(parts.log, { source: 'dmesg test' }));
  for (const source of parts.unavailable ?? []) {
    b.addUnavailable({ source, kind: 'files', reason: 'permission denied', fix: 'run as root' });
  }
  return b.build();
}

/**
 * Reads a probe-root tree as the live probe reads a machine: the files the plugin declares (their
 * text when it reads contents), the cpuinfo fields it declares, and the saved `dmesg`.
 *
 * Only the declared cpuinfo lines are parsed, as `coco snapshot` keeps them: core's parseCpuinfo
 * refuses a whole s390x /proc/cpuinfo (its "# processors" field; see cpuinfo.test.ts).
 */
export function readRoot(root: string): Evidence {
  const b = new EvidenceBuilder();
  const fields = s390PvBackend.probes.cpuinfo;
  const cpuinfo = join(root, 'proc/cpuinfo');
  if (existsSync(cpuinfo)) {
    const kept = readFileSync(cpuinfo, 'utf8')
      .split('\n')
      .filter((line) => fields.includes(line.split(':')[0]?.trim() ?? ''));
    b.merge(parseCpuinfo(kept.join('\n'), { source: cpuinfo }));
  }
  for (const probe of s390PvBackend.probes.files) {
    const path = join(root, probe.path);
    const exists = existsSync(path);
    if (probe.read === 'content' && exists) b.setFile(probe.path, true, path, readFileSync(path, 'utf8'));
    else b.setFile(probe.path, exists, path);
  }
  const dmesg = join(root, 'dmesg');
  if (existsSync(dmesg)) b.addLogLines(parseKernelLog(readFileSync(dmesg, 'utf8'), { source: dmesg }));
  return b.build();
}

/** A detection context that records the trail. */
export function recorder() {
  const steps: { source: string; says: string; fact: string | undefined }[] = [];
  const conflicts: string[] = [];
  return {
    steps,
    conflicts,
    context: {
      step: (source: string, says: string, fact?: string) => void steps.push({ source, says, fact }),
      warn: () => undefined,
      conflict: (what: string) => void conflicts.push(what),
    },
  };
}
