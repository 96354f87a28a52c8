import { type BackendPlugin, PLUGIN_INTERFACE_VERSION } from '@coco/core';
import { X86_FACTS, X86_LOG_PATTERNS, X86_PLUGIN_PARTS } from '@coco/x86';
import { detectTdx } from './detect.js';
import { GPAW_FACT } from './gpaw.js';
import { TDX_LOG_WORDINGS } from './log.js';
import {
  createTdxType,
  TDX_ATTRIBUTES,
  TDX_CVM,
  TDX_PARAMS,
  TDX_TITLE,
  TDX_TYPE_ID,
  type TdxParams,
} from './type.js';

/**
 * The Intel TDX backend: register it with `use(tdxBackend)` (or a registry's `use`) and detection
 * recognises TDX guests; `tdxBackend.createType({ gpaw: 52 })` builds the type directly.
 */
export const tdxBackend: BackendPlugin<TdxParams> = {
  ...X86_PLUGIN_PARTS,
  kind: 'backend',
  id: TDX_TYPE_ID,
  packageName: '@coco/tdx',
  interfaceVersion: PLUGIN_INTERFACE_VERSION,
  variants: [{ variant: null, title: TDX_TITLE, attributes: TDX_ATTRIBUTES, cvm: TDX_CVM }],
  params: TDX_PARAMS,
  createType: (params: TdxParams) => createTdxType(params),
  detect: detectTdx,
  facts: [...X86_FACTS, GPAW_FACT],
  logPatterns: [...X86_LOG_PATTERNS, ...TDX_LOG_WORDINGS.map((w) => w.pattern)],
};
