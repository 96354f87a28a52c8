// Test helpers shared by the backends that read a machine from files and cpuinfo fields rather than
// from CPUID and MSRs (@coco/s390-pv, @coco/ppc-pef; arm-cca uses the recorder): evidence built from
// parts, a detection context that records what a backend says, and the cpuinfo of each architecture
// the backends must tell apart. Only tests import this file; it uses no Node module (probe-root.ts
// reads trees from disk), so packages whose tests have no Node types can import it.
//
// Core is imported by path, as tools' own tests do (the repository root has no @coco links): it
// resolves to the same module as a package's `@coco/core` (the `@coco/source` condition and, under
// Stryker, vitest.stryker.config.ts both lead to packages/core/src/index.ts).
import {
  type DetectContext,
  type Evidence,
  EvidenceBuilder,
  parseKernelLog,
} from '../../packages/core/src/index.js';

/** cpuinfo as `[field, value]` pairs, in the kernel's order. */
export type CpuinfoPairs = readonly (readonly [string, string])[];

/**
 * An s390x machine's cpuinfo: arch/s390/kernel/processor.c show_cpu_summary (v6.18) prints
 * "vendor_id       : IBM/S390" and "features\t: " followed by the hwcap words; the words here are a
 * z15's (machine 8561).
 */
export const S390_CPUINFO: CpuinfoPairs = [
  ['vendor_id', 'IBM/S390'],
  [
    'features',
    'esan3 zarch stfle msa ldisp eimm dfp edat etf3eh highgprs te vx vxd vxe gs vxe2 vxp sort dflt',
  ],
];

/**
 * A QEMU pseries guest on POWER9 (arch/powerpc/kernel/setup-common.c show_cpuinfo and
 * show_cpuinfo_summary; platforms/pseries/setup.c pSeries_show_cpuinfo).
 */
export const PSERIES_CPUINFO: CpuinfoPairs = [
  ['cpu', 'POWER9 (architected), altivec supported'],
  ['timebase', '512000000'],
  ['platform', 'pSeries'],
  ['machine', 'CHRP IBM pSeries (emulated by qemu)'],
  ['MMU', 'Radix'],
];

/** An x86-64 guest's cpuinfo head (vendor_id and flags, arch/x86/kernel/cpu/proc.c). */
export const X86_CPUINFO: CpuinfoPairs = [
  ['vendor_id', 'GenuineIntel'],
  ['flags', 'fpu vme de pse tsc msr pae mce cx8 apic sep hypervisor'],
];

/** The parts of a machine's evidence: cpuinfo, files (`true`/`false` exists, a string its text), a log. */
export interface EvidenceParts {
  readonly cpuinfo?: CpuinfoPairs;
  readonly files?: Readonly<Record<string, boolean | string>>;
  readonly log?: string;
  /** Paths that could not be read ("permission denied", fix "run as root"). */
  readonly unavailable?: readonly string[];
}

/** Evidence built from parts, each with its source (`cpuinfo test`, `files test`, `dmesg test`). */
export function evidence(parts: EvidenceParts): Evidence {
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

/** One side of a reported conflict. */
export interface Side {
  readonly says: string;
  readonly source: string;
}

/**
 * A detection context that records everything a backend says: steps (with `source: says` lines for
 * comparing a whole trail), warnings, and conflicts with their sides.
 */
export function recorder() {
  const steps: { source: string; says: string; fact: string | undefined }[] = [];
  const warnings: string[] = [];
  const conflicts: string[] = [];
  const sides: (readonly Side[])[] = [];
  const context: DetectContext = {
    step: (source, says, fact) => void steps.push({ source, says, fact }),
    warn: (message) => void warnings.push(message),
    conflict: (what, s) => {
      conflicts.push(what);
      sides.push(s.map(({ says, source }) => ({ says, source })));
    },
  };
  return {
    steps,
    warnings,
    conflicts,
    sides,
    context,
    /** The trail as `source: says` lines. */
    trail: () => steps.map((s) => `${s.source}: ${s.says}`),
  };
}
