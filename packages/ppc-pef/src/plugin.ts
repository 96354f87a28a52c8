import { defineBackend, PLUGIN_INTERFACE_VERSION, type TypeParams } from '@coco/core';
import { detectPpcPef } from './detect.js';
import { PPC_CPUINFO_FIELDS, PPC64_CVM_PROCEDURE, PPC64_MACHINE_READER, SVM_FILE } from './machine.js';
import {
  createPpcPefType,
  PPC_PEF_ATTRIBUTES,
  PPC_PEF_CVM,
  PPC_PEF_CVM_NOTE,
  PPC_PEF_ID,
  PPC_PEF_PARAMS,
  PPC_PEF_TITLE,
  type PpcPefParams,
} from './type.js';

/**
 * The POWER secure VM (PEF) backend: register it with `use(ppcPefBackend)` from `@coco/core`. It
 * detects a secure VM from `/sys/devices/system/cpu/svm` and builds `ppc-pef` types.
 */
export const ppcPefBackend = defineBackend({
  kind: 'backend',
  id: PPC_PEF_ID,
  packageName: '@coco/ppc-pef',
  interfaceVersion: PLUGIN_INTERFACE_VERSION,
  variants: [
    {
      variant: null,
      title: `${PPC_PEF_TITLE} (${PPC_PEF_CVM_NOTE})`,
      attributes: PPC_PEF_ATTRIBUTES,
      cvm: PPC_PEF_CVM,
    },
  ],
  params: PPC_PEF_PARAMS,
  createType: (params: TypeParams) => createPpcPefType(params as PpcPefParams),
  detect: detectPpcPef,
  cvm: PPC64_CVM_PROCEDURE,
  machine: PPC64_MACHINE_READER,
  // No kernel-log line: prom_init's "Switching to secure mode." goes to the firmware console.
  logPatterns: [],
  probes: {
    architectures: ['ppc64'],
    files: [{ path: SVM_FILE, read: 'content' }],
    cpuinfo: PPC_CPUINFO_FIELDS,
  },
});
