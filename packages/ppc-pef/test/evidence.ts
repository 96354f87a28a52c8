import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Evidence, EvidenceBuilder, parseCpuinfo, parseKernelLog } from '@coco/core';
import { ppcPefBackend } from '../src/index.js';

export const SVM = '/sys/devices/system/cpu/svm';

// A QEMU pseries guest on POWER9 (arch/powerpc/kernel/setup-common.c show_cpuinfo and
// show_cpuinfo_summary; platforms/pseries/setup.c pSeries_show_cpuinfo).
export const PSERIES_CPUINFO: readonly (readonly [string, string])[] = [
  ['cpu', 'POWER9 (architected), altivec supported'],
  ['timebase', '512000000'],
  ['platform', 'pSeries'],
  ['machine', 'CHRP IBM pSeries (emulated by qemu)'],
  ['MMU', 'Radix'],
];

// A bare-metal POWER9 host (platforms/powernv/setup.c: .name = "PowerNV").
export const POWERNV_CPUINFO: readonly (readonly [string, string])[] = [
  ['cpu', 'POWER9, altivec supported'],
  ['timebase', '512000000'],
  ['platform', 'PowerNV'],
  ['MMU', 'Radix'],
];

// An x86-64 guest's cpuinfo head (vendor_id and flags, arch/x86/kernel/cpu/proc.c).
export const X86_CPUINFO: readonly (readonly [string, string])[] = [
  ['vendor_id', 'GenuineIntel'],
  ['flags', 'fpu vme de pse tsc msr pae mce cx8 apic sep hypervisor'],
];

// An s390x machine's cpuinfo (arch/s390/kernel/processor.c show_cpu_summary).
export const S390_CPUINFO: readonly (readonly [string, string])[] = [
  ['vendor_id', 'IBM/S390'],
  ['features', 'esan3 zarch stfle msa ldisp eimm dfp edat etf3eh highgprs te vx'],
];

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
 * Reads a probe-root tree as the live probe reads a machine: the whole /proc/cpuinfo, the files
 * the plugin declares (their text when it reads contents), and the saved `dmesg` when there is one.
 */
export function readRoot(root: string): Evidence {
  const b = new EvidenceBuilder();
  const cpuinfo = join(root, 'proc/cpuinfo');
  if (existsSync(cpuinfo)) b.merge(parseCpuinfo(readFileSync(cpuinfo, 'utf8'), { source: cpuinfo }));
  for (const probe of ppcPefBackend.probes.files) {
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
