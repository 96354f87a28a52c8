import { defineHypervisor, PLUGIN_INTERFACE_VERSION } from '@coco/core';
import { X86_CVM_PROCEDURE, X86_MACHINE_READER } from '@coco/x86';
import { detectHyperv } from './detect.js';
import { HYPERV_LOG_PATTERNS } from './log.js';

/**
 * The Hyper-V hypervisor plugin: register it with `use(hypervPlugin)` from `@coco/core`, next to
 * the backends your guests need (`@coco/amd-vtom`, `@coco/tdx`, `@coco/amd-cbit`). It reads
 * Hyper-V's CPUID leaves (or the kernel log) and composes a backend's type for isolated guests;
 * when a guest needs a backend that is not registered, detection fails with `BACKEND_MISSING`
 * naming the package to install.
 */
export const hypervPlugin = defineHypervisor({
  kind: 'hypervisor',
  id: 'hyperv',
  packageName: '@coco/hyperv',
  interfaceVersion: PLUGIN_INTERFACE_VERSION,
  detect: detectHyperv,
  cvm: X86_CVM_PROCEDURE,
  logPatterns: HYPERV_LOG_PATTERNS,
  machine: X86_MACHINE_READER,
});
