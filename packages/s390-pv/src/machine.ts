import type { CvmProcedure, CvmReading, Evidence, MachineFacts, MachineReader } from '@coco/core';

/**
 * `/sys/firmware/uv/prot_virt_guest`: `"%d\n"` of the kernel's `prot_virt_guest`, 1 in a Protected
 * Virtualization guest (Linux arch/s390/kernel/uv.c `uv_is_prot_virt_guest`, v6.18). It is created
 * with the whole `/sys/firmware/uv` directory, and only when facility 158 (the ultravisor call) is
 * installed (`uv_sysfs_init`). First in Linux 5.13: commit 37564ed834ac "s390/uv: add prot virt
 * guest/host indication files", merged with tag s390-5.13-1 on 2021-04-28 (kernel.org post-receive
 * mail Message-ID 161957137903.16322.3933985086132566614@gitolite.kernel.org). Older distribution
 * kernels may carry it as a backport (Ubuntu 20.04's 5.4 tree, initdc/focal, has it;
 * node-feature-discovery says "kernels >=5.12 + backports"): then it is read like any other.
 */
export const PROT_VIRT_GUEST = '/sys/firmware/uv/prot_virt_guest';

/** The ultravisor directory: present only when facility 158 is installed (`uv_sysfs_init`). */
export const UV_DIR = '/sys/firmware/uv';

/**
 * The ultravisor device (drivers/s390/char/uvdevice.c, `UVIO_DEVICE_NAME "uv"`, Linux 5.19): the
 * attestation and secrets interface. It is there whenever the ultravisor is, on a host as in a
 * guest, so it never proves a guest by itself; it is a module, so its absence proves nothing.
 */
export const UV_DEVICE = '/dev/uv';

/** The first kernel that writes `prot_virt_guest` (see {@link PROT_VIRT_GUEST}). */
export const PROT_VIRT_GUEST_SINCE = Object.freeze({ major: 5, minor: 13 });

/** `vendor_id` of s390 `/proc/cpuinfo` (arch/s390/kernel/processor.c `show_cpu_summary`). */
export const S390_VENDOR = 'IBM/S390';

/** The `/proc/cpuinfo` fields this package reads: s390 prints both in its summary. */
export const S390_CPUINFO_FIELDS: readonly string[] = Object.freeze(['vendor_id', 'features']);

/** What the evidence says about the machine's architecture. */
export type S390Machine = 's390x' | 'other' | 'unknown';

/**
 * What `/proc/cpuinfo` alone says: `s390x` for `vendor_id : IBM/S390` or the `zarch` feature word
 * (only s390 prints either), `other` for any other cpuinfo (another `vendor_id`, feature words
 * without `zarch`, powerpc's fields), `unknown` without cpuinfo.
 */
export function s390Cpuinfo(evidence: Evidence): S390Machine {
  const vendor = evidence.cpuinfo.get('vendor_id')?.value;
  if (vendor === S390_VENDOR || evidence.hasFlag('zarch')) return 's390x';
  if (evidence.cpuinfo.size > 0 || evidence.cpuinfoFlags.size > 0) return 'other';
  return 'unknown';
}

/**
 * Whether the evidence is of an s390x machine: its cpuinfo ({@link s390Cpuinfo}), else an
 * ultravisor path that only s390 kernels create, shown present.
 */
export function s390Machine(evidence: Evidence): S390Machine {
  const cpuinfo = s390Cpuinfo(evidence);
  if (cpuinfo !== 'unknown') return cpuinfo;
  for (const path of [PROT_VIRT_GUEST, UV_DIR, UV_DEVICE]) {
    if (evidence.file(path)?.value === true) return 's390x';
  }
  return 'unknown';
}

/**
 * `systemd-detect-virt --cvm` on s390x, as systemd's src/basic/confidential-virt.c decides it
 * (written from that source, not copied): read `/sys/firmware/uv/prot_virt_guest`; a read error
 * (the file missing) prints `none`; a first byte `1` prints `protvirt`; anything else `none`.
 * `null` when the evidence is not of an s390x machine; label `null` when the file's content is not
 * in the evidence.
 */
export function systemdCvmS390(evidence: Evidence): CvmReading | null {
  if (s390Machine(evidence) !== 's390x') return null;
  const file = evidence.file(PROT_VIRT_GUEST);
  if (file?.value === false || (file === undefined && evidence.file(UV_DIR)?.value === false)) {
    return {
      label: 'none',
      steps: [`s390x: ${PROT_VIRT_GUEST} cannot be read (it is missing): none`],
    };
  }
  if (file?.content === undefined) {
    return {
      label: null,
      steps: [`s390x: systemd reads ${PROT_VIRT_GUEST}`],
      missing: `the content of ${PROT_VIRT_GUEST} is not in the evidence`,
    };
  }
  const first = file.content.charAt(0);
  const label = first === '1' ? 'protvirt' : 'none';
  return {
    label,
    steps: [`s390x: ${PROT_VIRT_GUEST} starts with ${JSON.stringify(first)}: ${label}`],
  };
}

/** systemd's s390x procedure as the plugin's `cvm` field. */
export const S390_CVM_PROCEDURE: CvmProcedure = Object.freeze({
  id: 'systemd-s390x',
  read: systemdCvmS390,
});

/**
 * The machine facts of an s390x machine: `/dev/uv` as its attestation interface when the evidence
 * shows it. The hypervisor is not named: systemd names s390 hypervisors (`zvm`, `kvm`) from
 * `/proc/sysinfo`, which coco does not read. `null` when the evidence is not of an s390x machine.
 */
export function readS390Machine(evidence: Evidence): MachineFacts | null {
  if (s390Machine(evidence) !== 's390x') return null;
  return { attestation: evidence.file(UV_DEVICE)?.value === true ? [UV_DEVICE] : [] };
}

/** The machine reader of s390x, as the plugin's `machine` field. */
export const S390_MACHINE_READER: MachineReader = Object.freeze({
  id: 's390x-machine',
  read: readS390Machine,
});
