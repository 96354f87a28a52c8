import { absent, type BackendResult, cannotTell, type DetectContext, type Evidence } from '@coco/core';
import { POWERNV, ppcCpuinfo, ppcMachine, SVM_FILE } from './machine.js';
import { createPpcPefType } from './type.js';

const FILE_FACT = `file ${SVM_FILE}`;
const READ_IT = `read ${SVM_FILE} (world-readable, 0444) on the machine, or take a coco snapshot there`;

/**
 * Detects a POWER secure VM (Protected Execution Facility, "SVM").
 *
 * - `/sys/devices/system/cpu/svm` reading `1`: a secure VM (the MSR's S bit).
 * - Reading `0`: proven not a secure VM.
 * - The file missing on a ppc64 machine: proven not a secure VM. Every kernel built with
 *   CONFIG_PPC_SVM creates it, and a kernel built without it cannot enter secure mode (its
 *   prom_init has no `UV_ESM` call); the file came with the secure-VM support itself (Linux 5.4).
 * - `platform : PowerNV` (bare metal, OPAL) with the file not read: a host, not a guest.
 * - The file not read on another ppc64 machine: cannot tell.
 * - Not a ppc64 machine (or nothing shows which): `null`.
 *
 * prom_init's "Switching to secure mode." is printed on the firmware console (`prom_printf` writes
 * through Open Firmware's `write`), never into the kernel log, so no log line is read.
 */
export function detectPpcPef(evidence: Evidence, context: DetectContext): BackendResult {
  const machine = ppcMachine(evidence);
  const platform = evidence.cpuinfo.get('platform');
  if (machine === 'ppc64' && platform) {
    context.step('cpuinfo', `platform ${platform.value}: a ppc64 machine`, 'cpuinfo platform');
  }
  const file = evidence.file(SVM_FILE);
  if (file?.value === true && file.content !== undefined) {
    const value = file.content.trim();
    if (value === '1') {
      context.step('files', `${SVM_FILE} reads 1: a secure VM (MSR[S] set)`, FILE_FACT);
      if (ppcCpuinfo(evidence) === 'other') {
        context.conflict('the architecture', [
          { says: `${SVM_FILE} (only powerpc kernels write it) reads 1`, source: file.source },
          { says: 'cpuinfo shows another architecture', source: 'cpuinfo' },
        ]);
      }
      return { type: createPpcPefType() };
    }
    if (value === '0') {
      context.step('files', `${SVM_FILE} reads 0: not a secure VM`, FILE_FACT);
      return absent(`${SVM_FILE} reads 0`);
    }
    context.step('files', `${SVM_FILE} reads ${JSON.stringify(file.content)}, not 0 or 1`, FILE_FACT);
    return cannotTell(
      `${SVM_FILE} reads ${JSON.stringify(file.content.slice(0, 40))}, which the kernel never writes`,
      READ_IT,
    );
  }
  if (machine !== 'ppc64') return null;
  if (file?.value === true) {
    context.step('files', `${SVM_FILE} exists, its content was not read`, FILE_FACT);
    return cannotTell(`${SVM_FILE} exists (a kernel with secure-VM support) but was not read`, READ_IT);
  }
  if (file?.value === false) {
    context.step(
      'files',
      `${SVM_FILE} is missing: the kernel has no secure-VM support (CONFIG_PPC_SVM), so it cannot have entered secure mode`,
      FILE_FACT,
    );
    return absent(`${SVM_FILE} is missing: a kernel without secure-VM support`);
  }
  if (platform?.value === POWERNV) {
    return absent(`platform ${POWERNV}: the kernel runs on bare metal (OPAL), not as a guest`);
  }
  const note = evidence.unavailable.find((n) => n.source === SVM_FILE);
  return cannotTell(
    note
      ? `${SVM_FILE} could not be read: ${note.reason}`
      : `a ppc64 machine, but ${SVM_FILE} is not in the evidence`,
    note?.fix ?? READ_IT,
  );
}
