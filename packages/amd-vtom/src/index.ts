export { detectAmdVtom } from './detect.js';
export { amdVtomBackend } from './plugin.js';
export { AMD_VTOM_QUIRKS } from './quirks.js';
export type { AmdVtomParams } from './type.js';
export { AMD_VTOM_PARAMS, createAmdVtomType, DEFAULT_MASK_UNKNOWN_REASON } from './type.js';
