export { detectAmdVtom, SEV_STATUS_MSR } from './detect.js';
export type { SevStatusLine } from './log.js';
export {
  isAmdMemEncryptLine,
  parseSevStatusLine,
  SEV_STATUS_NAMES,
  SEV_STATUS_VTOM_BIT,
  sevStatusNames,
} from './log.js';
export { amdVtomBackend, amdVtomBackend as default } from './plugin.js';
export { AMD_VTOM_QUIRKS } from './quirks.js';
export type { AmdVtomParams } from './type.js';
export {
  AMD_VTOM_ATTRIBUTES,
  AMD_VTOM_ID,
  AMD_VTOM_TITLE,
  createAmdVtomType,
  DEFAULT_MASK_UNKNOWN_REASON,
} from './type.js';
