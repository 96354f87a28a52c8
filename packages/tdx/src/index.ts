export { detectTdx } from './detect.js';
export { GPAW_FACT, gpawEvidence, gpawOf } from './gpaw.js';
export type { TdxLogMatch, TdxLogWording } from './log.js';
export { findTdxLogLines, matchTdxLogLine, TDX_LOG_WORDINGS, TDX_MEM_ENCRYPT_WORDING } from './log.js';
export { tdxBackend } from './plugin.js';
export { TDX_QUIRKS } from './quirks.js';
export type { TdxParams } from './type.js';
export { createTdxType, TDX_ATTRIBUTES, TDX_PARAMS } from './type.js';
