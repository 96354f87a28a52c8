export {
  cpuidSignature,
  detectTdx,
  TDX_CPUID_LEAF,
  TDX_CPUINFO_FLAG,
  TDX_GUEST_DEVICE,
  TDX_SIGNATURE,
} from './detect.js';
export type { TdxLogMatch, TdxLogWording } from './log.js';
export { findTdxLogLines, matchTdxLogLine, TDX_LOG_WORDINGS } from './log.js';
export { tdxBackend } from './plugin.js';
export { MAP_GPA_MAX_TRIES, TDVMCALL_MAP_GPA, TDX_ACCEPT_SIZES, TDX_QUIRKS } from './quirks.js';
export type { TdxParams } from './type.js';
export {
  createTdxType,
  TDX_ATTRIBUTES,
  TDX_CVM,
  TDX_GPAW_VALUES,
  TDX_MASK_UNKNOWN_REASON,
  TDX_TITLE,
  TDX_TYPE_ID,
} from './type.js';
