import { amdCbitBackend } from '@coco/amd-cbit';
import { amdVtomBackend } from '@coco/amd-vtom';
import { armCcaBackend } from '@coco/arm-cca';
import type { CocoPlugin } from '@coco/core';
import { hypervPlugin } from '@coco/hyperv';
import { ppcPefBackend } from '@coco/ppc-pef';
import { s390PvBackend } from '@coco/s390-pv';
import { tdxBackend } from '@coco/tdx';

/**
 * The plugins every `coco` command registers: hypervisor plugins, then the backends. This is the
 * one list a backend of the repository is added to; everything else (probes, snapshot contents,
 * `pte` types and parameters, help, the inspector page) comes from the plugins themselves.
 * Browser-safe: `@coco/cli/plugins` exports it for pages such as apps/inspector.
 */
export const BUILTIN_PLUGINS: readonly CocoPlugin[] = Object.freeze([
  hypervPlugin,
  tdxBackend,
  amdCbitBackend,
  amdVtomBackend,
  armCcaBackend,
  s390PvBackend,
  ppcPefBackend,
]);
