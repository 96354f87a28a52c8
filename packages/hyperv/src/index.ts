export { composeHypervType } from './compose.js';
export { cpuidSignature, detectHyperv, HYPERV_SIGNATURE } from './detect.js';
export type { IsolationConfig, IsolationType } from './isolation.js';
export {
  decodeIsolationConfig,
  describeIsolation,
  formatIsolationGroups,
  isolationTypeName,
} from './isolation.js';
export type { HypervLogFacts, LogValue } from './log.js';
export { isHypervName, readHypervLog } from './log.js';
export { hypervPlugin, hypervPlugin as default } from './plugin.js';
export {
  HV_MAX_MODIFY_GPA_REP_COUNT,
  HVCALL_MODIFY_SPARSE_GPA_PAGE_HOST_VISIBILITY,
  HYPERV_PRIVATE_MMIO,
  HYPERV_VTOM_QUIRKS,
} from './quirks.js';
