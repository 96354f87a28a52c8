import { defineBackend, PLUGIN_INTERFACE_VERSION, type TypeParams } from '@coco/core';
import { X86_CVM_PROCEDURE, X86_LOG_PATTERNS, X86_MACHINE_READER } from '@coco/x86';
import { detectAmdVtom } from './detect.js';
import {
  AMD_VTOM_ATTRIBUTES,
  AMD_VTOM_ID,
  AMD_VTOM_TITLE,
  type AmdVtomParams,
  createAmdVtomType,
} from './type.js';

/**
 * The AMD vTOM backend: register it with `use(amdVtomBackend)` from `@coco/core`. It detects a guest
 * whose SEV status has bit 3 (vTOM) set, and builds `amd-vtom` types from {@link AmdVtomParams}.
 */
export const amdVtomBackend = defineBackend({
  kind: 'backend',
  id: AMD_VTOM_ID,
  packageName: '@coco/amd-vtom',
  interfaceVersion: PLUGIN_INTERFACE_VERSION,
  variants: [
    {
      variant: null,
      title: AMD_VTOM_TITLE,
      attributes: AMD_VTOM_ATTRIBUTES,
      cvm: 'sev-snp',
    },
  ],
  createType: (params: TypeParams) => createAmdVtomType(params as AmdVtomParams),
  detect: detectAmdVtom,
  cvm: X86_CVM_PROCEDURE,
  // The Hyper-V isolation line proves a whole boot log's guest is not isolated (no vTOM).
  logPatterns: [...X86_LOG_PATTERNS, /^Hyper-V: Isolation Config: /],
  machine: X86_MACHINE_READER,
});
