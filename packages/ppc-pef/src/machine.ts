import type { CvmProcedure, CvmReading, Evidence, MachineFacts, MachineReader } from '@coco/core';

/**
 * `/sys/devices/system/cpu/svm`: `"%u\n"` of `is_secure_guest()` (the MSR's S bit), 1 in a secure
 * VM (Linux arch/powerpc/kernel/sysfs.c `show_svm`, v6.18; Documentation/ABI/testing/
 * sysfs-devices-system-cpu, "Date: August 2019"). `topology_init` creates it in every kernel built
 * with CONFIG_PPC_SVM, and only a kernel built with it can switch to secure mode: prom_init's
 * `setup_secure_guest` (the `UV_ESM` ultracall) is empty without it. The file came in the same
 * series as the secure-VM support itself ("[RFC PATCH v4 11/16] powerpc/pseries/svm: Export guest
 * SVM status to user space via sysfs", Message-ID 20190820021326.6884-12-bauerman@linux.ibm.com), and
 * both were merged for Linux 5.4 in the same pull ("[GIT PULL] Please pull powerpc/linux.git
 * powerpc-5.4-1 tag", Message-ID 87blvft845.fsf@mpe.ellerman.id.au, with "powerpc/prom_init: Add
 * the ESM call to prom_init").
 */
export const SVM_FILE = '/sys/devices/system/cpu/svm';

/** The `platform` cpuinfo field of a pSeries (PAPR) guest (platforms/pseries/setup.c `.name`). */
export const PSERIES = 'pSeries';
/** The `platform` of a bare-metal OPAL machine (platforms/powernv/setup.c `.name`): a host, never a guest. */
export const POWERNV = 'PowerNV';

/**
 * The `/proc/cpuinfo` fields this package reads: `cpu` per processor, and the machine-wide
 * `timebase`, `platform`, `machine` and `MMU` (arch/powerpc/kernel/setup-common.c
 * `show_cpuinfo_summary`, platforms/pseries/setup.c `pSeries_show_cpuinfo`).
 */
export const PPC_CPUINFO_FIELDS: readonly string[] = Object.freeze([
  'cpu',
  'timebase',
  'platform',
  'machine',
  'MMU',
]);

/** What the evidence says about the machine's architecture. */
export type PpcMachine = 'ppc64' | 'other' | 'unknown';

/**
 * What `/proc/cpuinfo` alone says: `ppc64` when it has powerpc's `platform` field with `timebase`
 * or `cpu` beside it, `other` for any other cpuinfo (a `vendor_id`, feature words), `unknown`
 * without cpuinfo.
 */
export function ppcCpuinfo(evidence: Evidence): PpcMachine {
  const has = (name: string) => evidence.cpuinfo.has(name);
  if (has('platform') && (has('timebase') || has('cpu'))) return 'ppc64';
  if (evidence.cpuinfo.size > 0 || evidence.cpuinfoFlags.size > 0) return 'other';
  return 'unknown';
}

/** Whether the evidence is of a ppc64 machine: its cpuinfo, else the svm file shown present. */
export function ppcMachine(evidence: Evidence): PpcMachine {
  const cpuinfo = ppcCpuinfo(evidence);
  if (cpuinfo !== 'unknown') return cpuinfo;
  return evidence.file(SVM_FILE)?.value === true ? 'ppc64' : 'unknown';
}

/**
 * `systemd-detect-virt --cvm` on powerpc: systemd has no detection there (src/basic/confidential-
 * virt.c falls into its last `#else`, logs "No confidential virtualization detection on this
 * architecture" and returns none), so it prints `none`, a secure VM included. `null` when the
 * evidence is not of a ppc64 machine.
 */
export function systemdCvmPpc64(evidence: Evidence): CvmReading | null {
  if (ppcMachine(evidence) !== 'ppc64') return null;
  return {
    label: 'none',
    steps: ['powerpc: systemd has no confidential virtualization detection on this architecture: none'],
  };
}

/** systemd's powerpc procedure as the plugin's `cvm` field. */
export const PPC64_CVM_PROCEDURE: CvmProcedure = Object.freeze({
  id: 'systemd-ppc64',
  read: systemdCvmPpc64,
});

/**
 * The machine facts of a ppc64 machine: no attestation interface (mainline has no coco driver for
 * PEF: nothing under drivers/virt/coco, no /dev node, no configfs-tsm provider, v6.18). `null` when
 * the evidence is not of a ppc64 machine.
 */
export function readPpc64Machine(evidence: Evidence): MachineFacts | null {
  if (ppcMachine(evidence) !== 'ppc64') return null;
  return { attestation: [] };
}

/** The machine reader of ppc64, as the plugin's `machine` field. */
export const PPC64_MACHINE_READER: MachineReader = Object.freeze({
  id: 'ppc64-machine',
  read: readPpc64Machine,
});
