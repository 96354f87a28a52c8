export { detectTdx } from './detect.js';
export type { TdxLogMatch, TdxLogWording } from './log.js';
export { findTdxLogLines, matchTdxLogLine, TDX_LOG_WORDINGS } from './log.js';
export { tdxBackend } from './plugin.js';
export { TDX_QUIRKS } from './quirks.js';
export type { TdxParams } from './type.js';
export { createTdxType, TDX_ATTRIBUTES } from './type.js';
