import { defineBackend, PLUGIN_INTERFACE_VERSION, type TypeParams } from '@coco/core';
import { detectS390Pv } from './detect.js';
import {
  PROT_VIRT_GUEST,
  S390_CPUINFO_FIELDS,
  S390_CVM_PROCEDURE,
  S390_MACHINE_READER,
  UV_DEVICE,
  UV_DIR,
} from './machine.js';
import {
  createS390PvType,
  S390_PV_ATTRIBUTES,
  S390_PV_CVM,
  S390_PV_ID,
  S390_PV_PARAMS,
  S390_PV_TITLE,
  type S390PvParams,
} from './type.js';

/**
 * The s390x Protected Virtualization (IBM Secure Execution) backend: register it with
 * `use(s390PvBackend)` from `@coco/core`. It detects a PV guest from
 * `/sys/firmware/uv/prot_virt_guest` and builds `s390-pv` types.
 */
export const s390PvBackend = defineBackend({
  kind: 'backend',
  id: S390_PV_ID,
  packageName: '@coco/s390-pv',
  interfaceVersion: PLUGIN_INTERFACE_VERSION,
  variants: [
    {
      variant: null,
      title: S390_PV_TITLE,
      attributes: S390_PV_ATTRIBUTES,
      cvm: S390_PV_CVM,
    },
  ],
  params: S390_PV_PARAMS,
  createType: (params: TypeParams) => createS390PvType(params as S390PvParams),
  detect: detectS390Pv,
  cvm: S390_CVM_PROCEDURE,
  machine: S390_MACHINE_READER,
  // The "Linux version" banner gives the kernel's version when prot_virt_guest is missing.
  logPatterns: [/^Linux version \d/],
  probes: {
    architectures: ['s390x'],
    files: [
      { path: PROT_VIRT_GUEST, read: 'content' },
      { path: UV_DIR, read: 'exists' },
      { path: UV_DEVICE, read: 'exists' },
    ],
    cpuinfo: S390_CPUINFO_FIELDS,
  },
});
