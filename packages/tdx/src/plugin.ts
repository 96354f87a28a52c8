import { type BackendPlugin, PLUGIN_INTERFACE_VERSION } from '@coco/core';
import { X86_CVM_PROCEDURE, X86_LOG_PATTERNS, X86_MACHINE_READER } from '@coco/x86';
import { detectTdx } from './detect.js';
import { TDX_LOG_WORDINGS } from './log.js';
import { createTdxType, TDX_ATTRIBUTES, TDX_CVM, TDX_TITLE, TDX_TYPE_ID, type TdxParams } from './type.js';

/**
 * The Intel TDX backend: register it with `use(tdxBackend)` (or a registry's `use`) and detection
 * recognises TDX guests; `tdxBackend.createType({ gpaw: 52 })` builds the type directly.
 */
export const tdxBackend: BackendPlugin = {
  kind: 'backend',
  id: TDX_TYPE_ID,
  packageName: '@coco/tdx',
  interfaceVersion: PLUGIN_INTERFACE_VERSION,
  variants: [{ variant: null, title: TDX_TITLE, attributes: TDX_ATTRIBUTES, cvm: TDX_CVM }],
  createType: (params) => createTdxType(params as TdxParams),
  detect: detectTdx,
  cvm: X86_CVM_PROCEDURE,
  logPatterns: [...X86_LOG_PATTERNS, ...TDX_LOG_WORDINGS.map((w) => w.pattern)],
  machine: X86_MACHINE_READER,
};
