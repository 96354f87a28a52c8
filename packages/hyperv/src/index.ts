export { composeHypervType } from './compose.js';
export {
  cpuidSignature,
  detectHyperv,
  HYPERV_CPUID,
  HYPERV_MAX_LEAF_RANGE,
  HYPERV_PRIVILEGE_BITS,
  HYPERV_SIGNATURE,
} from './detect.js';
export type { IsolationConfig, IsolationType } from './isolation.js';
export {
  decodeIsolationConfig,
  describeIsolation,
  formatIsolationGroups,
  ISOLATION_TYPE_NAMES,
} from './isolation.js';
export type { HypervLogFacts, LogValue } from './log.js';
export { HYPERV_NAMES, readHypervLog } from './log.js';
export { hypervPlugin, hypervPlugin as default } from './plugin.js';
export {
  HOST_VISIBILITY,
  HV_MAX_MODIFY_GPA_REP_COUNT,
  HVCALL_MODIFY_SPARSE_GPA_PAGE_HOST_VISIBILITY,
  HYPERV_PRIVATE_MMIO,
  HYPERV_VTOM_CONVERSION,
  HYPERV_VTOM_QUIRKS,
} from './quirks.js';
