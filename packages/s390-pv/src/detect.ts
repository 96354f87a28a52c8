import {
  absent,
  type BackendResult,
  cannotTell,
  type DetectContext,
  type Evidence,
  kernelAtLeast,
  readBootLog,
} from '@coco/core';
import {
  PROT_VIRT_GUEST,
  PROT_VIRT_GUEST_SINCE,
  S390_VENDOR,
  s390Cpuinfo,
  s390Machine,
  UV_DEVICE,
  UV_DIR,
} from './machine.js';
import { createS390PvType } from './type.js';

const FILE_FACT = `file ${PROT_VIRT_GUEST}`;
const READ_IT = `read ${PROT_VIRT_GUEST} (world-readable, 0444) on the machine, or take a coco snapshot there`;
const SINCE = `${PROT_VIRT_GUEST_SINCE.major}.${PROT_VIRT_GUEST_SINCE.minor}`;

/**
 * Detects an s390x Protected Virtualization (Secure Execution) guest.
 *
 * - `/sys/firmware/uv/prot_virt_guest` reading `1`: a PV guest (the kernel writes its
 *   `prot_virt_guest`, set at boot when the ultravisor offers the share and unshare calls).
 * - Reading `0`: proven not a PV guest.
 * - The file missing on an s390x machine: the kernel creates it (with `/sys/firmware/uv`) whenever
 *   facility 158, the ultravisor, is installed, but only since Linux 5.13. With a boot log whose
 *   banner names 5.13 or later, that proves no ultravisor, so not a PV guest; with an older or
 *   unknown kernel, or with `/sys/firmware/uv` there (an ultravisor and a kernel older than 5.13),
 *   it cannot tell.
 * - The file not read on an s390x machine: cannot tell. `/dev/uv` shows an ultravisor, but it is
 *   there on a PV host too, so it never decides.
 * - Not an s390x machine (or nothing shows which): `null`.
 */
export function detectS390Pv(evidence: Evidence, context: DetectContext): BackendResult {
  const machine = s390Machine(evidence);
  const file = evidence.file(PROT_VIRT_GUEST);
  const vendor = evidence.cpuinfo.get('vendor_id');
  if (machine === 's390x' && vendor?.value === S390_VENDOR) {
    context.step('cpuinfo', `vendor_id ${S390_VENDOR}: an s390x machine`, 'cpuinfo vendor_id');
  }
  const uv = evidence.file(UV_DEVICE);
  if (uv?.value === true) {
    context.step(
      'files',
      `${UV_DEVICE} exists: the ultravisor is installed (a PV host shows it too)`,
      `file ${UV_DEVICE}`,
    );
  }

  if (file?.value === true && file.content !== undefined) {
    const first = file.content.trim();
    if (first === '1') {
      context.step('files', `${PROT_VIRT_GUEST} reads 1: a Protected Virtualization guest`, FILE_FACT);
      if (s390Cpuinfo(evidence) === 'other') {
        context.conflict('the architecture', [
          { says: `${PROT_VIRT_GUEST} (only s390 kernels write it) reads 1`, source: file.source },
          {
            says: `cpuinfo shows another architecture${vendor ? ` (vendor_id ${vendor.value})` : ''}`,
            source: vendor?.source ?? 'cpuinfo',
          },
        ]);
      }
      return { type: createS390PvType() };
    }
    if (first === '0') {
      context.step('files', `${PROT_VIRT_GUEST} reads 0: not a Protected Virtualization guest`, FILE_FACT);
      return absent(`${PROT_VIRT_GUEST} reads 0`);
    }
    context.step('files', `${PROT_VIRT_GUEST} reads ${JSON.stringify(file.content)}, not 0 or 1`, FILE_FACT);
    return cannotTell(
      `${PROT_VIRT_GUEST} reads ${JSON.stringify(file.content.slice(0, 40))}, which the kernel never writes`,
      READ_IT,
    );
  }

  if (machine !== 's390x') return null;

  if (file?.value === true) {
    context.step('files', `${PROT_VIRT_GUEST} exists, its content was not read`, FILE_FACT);
    return cannotTell(`${PROT_VIRT_GUEST} exists (an ultravisor is installed) but was not read`, READ_IT);
  }

  // The file lives in /sys/firmware/uv: a directory read as missing means the file is missing too.
  const dir = evidence.file(UV_DIR);
  if (file?.value === false || (file === undefined && dir?.value === false)) {
    if (file?.value === false) context.step('files', `${PROT_VIRT_GUEST} is missing`, FILE_FACT);
    else context.step('files', `${UV_DIR} is missing, and ${PROT_VIRT_GUEST} with it`, `file ${UV_DIR}`);
    if (dir?.value === true) {
      return cannotTell(
        `${UV_DIR} exists (an ultravisor is installed) without prot_virt_guest: a kernel older than ${SINCE}`,
        `boot a kernel ${SINCE} or later and read ${PROT_VIRT_GUEST}`,
      );
    }
    const log = readBootLog(evidence.kernelLog);
    if (
      log.banner &&
      kernelAtLeast(log.kernelVersion, PROT_VIRT_GUEST_SINCE.major, PROT_VIRT_GUEST_SINCE.minor)
    ) {
      context.step(
        'kernel-log',
        `kernel ${log.kernelVersion?.major}.${log.kernelVersion?.minor}: it creates ${PROT_VIRT_GUEST} whenever the ultravisor (facility 158) is installed`,
        `dmesg line ${log.banner.line}`,
      );
      return absent(
        `${PROT_VIRT_GUEST} is missing under a ${SINCE}+ kernel: no ultravisor, so not a Protected Virtualization guest`,
      );
    }
    return cannotTell(
      `${PROT_VIRT_GUEST} is missing, and the kernel's version is ${log.kernelVersion ? `${log.kernelVersion.major}.${log.kernelVersion.minor}, older than ${SINCE}` : 'not known'}: kernels before ${SINCE} do not create it`,
      `give the boot log with its "Linux version" banner, or read ${PROT_VIRT_GUEST} on a kernel ${SINCE} or later`,
    );
  }

  const note = evidence.unavailable.find((n) => n.source === PROT_VIRT_GUEST);
  return cannotTell(
    note
      ? `${PROT_VIRT_GUEST} could not be read: ${note.reason}`
      : `an s390x machine, but ${PROT_VIRT_GUEST} is not in the evidence`,
    note?.fix ?? READ_IT,
  );
}
