import { defineBackend, PLUGIN_INTERFACE_VERSION, type TypeParams } from '@coco/core';
import { ARM_CCA_DEV, ARM_CCA_MODULE, OSRELEASE } from './arm64.js';
import { detectArmCca } from './detect.js';
import { REALM_CONFIG_FACT } from './facts.js';
import { ARM_CCA_LOG_PATTERNS } from './log.js';
import { ARM64_CVM_PROCEDURE, ARM64_MACHINE_READER } from './systemd.js';
import {
  ARM_CCA_ATTRIBUTES,
  ARM_CCA_ID,
  ARM_CCA_PARAMS,
  ARM_CCA_TITLE,
  type ArmCcaParams,
  createArmCcaType,
} from './type.js';

/**
 * The Arm CCA realm backend: register it with `use(armCcaBackend)` from `@coco/core`. It detects a
 * kernel running as a realm guest and builds `arm-cca` types from {@link ArmCcaParams}.
 */
export const armCcaBackend = defineBackend({
  kind: 'backend',
  id: ARM_CCA_ID,
  packageName: '@coco/arm-cca',
  interfaceVersion: PLUGIN_INTERFACE_VERSION,
  variants: [
    {
      variant: null,
      title: ARM_CCA_TITLE,
      attributes: ARM_CCA_ATTRIBUTES,
      cvm: 'cca',
    },
  ],
  params: ARM_CCA_PARAMS,
  createType: (params: TypeParams) => createArmCcaType(params as ArmCcaParams),
  detect: detectArmCca,
  cvm: ARM64_CVM_PROCEDURE,
  machine: ARM64_MACHINE_READER,
  logPatterns: ARM_CCA_LOG_PATTERNS,
  facts: [REALM_CONFIG_FACT],
  probes: {
    architectures: ['arm64'],
    files: [
      { path: ARM_CCA_DEV, read: 'exists' },
      { path: ARM_CCA_MODULE, read: 'exists' },
      { path: OSRELEASE, read: 'content' },
    ],
    cpuinfo: ['CPU architecture', 'Features'],
  },
});
