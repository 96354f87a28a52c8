import type { Evidence } from '@coco/core';
import type { CpuinfoPairs } from '../../../tools/testing/backend-evidence.js';
import { readRoot as readTree } from '../../../tools/testing/probe-root.js';
import { ppcPefBackend } from '../src/index.js';

export {
  evidence,
  PSERIES_CPUINFO,
  recorder,
  S390_CPUINFO,
  X86_CPUINFO,
} from '../../../tools/testing/backend-evidence.js';

export const SVM = '/sys/devices/system/cpu/svm';

// A bare-metal POWER9 host (platforms/powernv/setup.c: .name = "PowerNV").
export const POWERNV_CPUINFO: CpuinfoPairs = [
  ['cpu', 'POWER9, altivec supported'],
  ['timebase', '512000000'],
  ['platform', 'PowerNV'],
  ['MMU', 'Radix'],
];

/**
 * Reads a probe-root tree as the live probe reads a machine: the whole /proc/cpuinfo, the files
 * the plugin declares (their text when it reads contents), and the saved `dmesg` when there is one.
 */
export function readRoot(root: string): Evidence {
  return readTree(root, ppcPefBackend.probes, 'whole');
}
