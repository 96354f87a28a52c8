import type { CvmProcedure, CvmReading, Evidence, MachineFacts, MachineReader } from '@coco/core';
import { ARM_CCA_DEV, ARM_CCA_MODULE, CCA_TSM_PROVIDER, readArch, tsmProviders } from './arm64.js';

/**
 * `systemd-detect-virt --cvm` on aarch64 (systemd src/basic/confidential-virt.c, PR #35984): `cca`
 * when `access("/sys/devices/platform/arm-cca-dev", F_OK)` succeeds, `none` otherwise. Nothing else is
 * read, so a realm on a kernel before v6.14 (no such device) prints `none`. The procedure applies to
 * arm64 evidence only: `null` when the evidence shows another architecture or none at all, label
 * `null` with `missing` when the device's presence was not read.
 */
export const ARM64_CVM_PROCEDURE: CvmProcedure = Object.freeze({
  id: 'systemd-arm64',
  read(evidence: Evidence): CvmReading | null {
    const arch = readArch(evidence);
    const dev = evidence.file(ARM_CCA_DEV);
    // The device exists only on arm64; without an architecture, its presence is what says arm64.
    if (arch.arm64 === false || (arch.arm64 === undefined && dev?.value !== true)) return null;
    const steps = [arch.arm64 ? arch.says : `${ARM_CCA_DEV} exists: an arm64 realm`];
    if (!dev) {
      return {
        label: null,
        steps: [...steps, `access("${ARM_CCA_DEV}", F_OK): not in the evidence`],
        missing: `whether ${ARM_CCA_DEV} exists`,
      };
    }
    return {
      label: dev.value ? 'cca' : 'none',
      steps: [
        ...steps,
        `access("${ARM_CCA_DEV}", F_OK) ${dev.value ? 'succeeds' : 'fails'} (${dev.source}): ${dev.value ? 'cca' : 'none'}`,
      ],
    };
  },
});

/**
 * The attestation interface of an arm64 machine: `configfs-tsm:arm_cca_guest` when a configfs-tsm
 * report's `provider` reads `arm_cca_guest`, or when the `arm_cca_guest` module is loaded (it
 * registers that provider, and only in a realm). The CCA driver has no device node. The hypervisor's
 * name is not in the evidence, so it is not given.
 */
export const ARM64_MACHINE_READER: MachineReader = Object.freeze({
  id: 'arm64-machine',
  read(evidence: Evidence): MachineFacts | null {
    const arch = readArch(evidence);
    const providers = tsmProviders(evidence);
    const cca =
      providers.some((p) => p.provider === CCA_TSM_PROVIDER) || evidence.file(ARM_CCA_MODULE)?.value === true;
    if (
      arch.arm64 === false ||
      (arch.arm64 === undefined && !cca && evidence.file(ARM_CCA_DEV)?.value !== true)
    )
      return null;
    return { attestation: cca ? [`configfs-tsm:${CCA_TSM_PROVIDER}`] : [] };
  },
});
