import { defineBackend, PLUGIN_INTERFACE_VERSION } from '@coco/core';
import { X86_LOG_PATTERNS, X86_PLUGIN_PARTS } from '@coco/x86';
import { detectAmdVtom } from './detect.js';
import {
  AMD_VTOM_ATTRIBUTES,
  AMD_VTOM_ID,
  AMD_VTOM_PARAMS,
  AMD_VTOM_TITLE,
  type AmdVtomParams,
  createAmdVtomType,
} from './type.js';

/**
 * The AMD vTOM backend: register it with `use(amdVtomBackend)` from `@coco/core`. It detects a guest
 * whose SEV status has bit 3 (vTOM) set, and builds `amd-vtom` types from {@link AmdVtomParams}.
 */
export const amdVtomBackend = defineBackend({
  ...X86_PLUGIN_PARTS,
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
  params: AMD_VTOM_PARAMS,
  createType: (params: AmdVtomParams) => createAmdVtomType(params),
  detect: detectAmdVtom,
  // The Hyper-V isolation line proves a whole boot log's guest is not isolated (no vTOM).
  logPatterns: [...X86_LOG_PATTERNS, /^Hyper-V: Isolation Config: /],
});
