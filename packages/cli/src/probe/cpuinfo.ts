import { type EvidenceBuilder, isCocoError, parseCpuinfo } from '@coco/core';
import type { ProbeFs } from './fs.js';
import { PROBE_PATHS } from './leaves.js';
import { fileUnreadable } from './unavailable.js';

const VENDOR_LINE = /^vendor_id\s*:\s*(\S+)\s*$/m;

/**
 * Reads `/proc/cpuinfo`'s flags (through core's parser). Returns the `vendor_id`, which stands in
 * for CPUID leaf 0 when the cpuid device cannot be read.
 */
export function probeCpuinfo(fs: ProbeFs, builder: EvidenceBuilder): string | null {
  const path = PROBE_PATHS.cpuinfo;
  let text: string;
  try {
    text = fs.readText(path);
  } catch (error) {
    builder.addUnavailable({ source: path, kind: 'cpuinfo', ...fileUnreadable(error, path) });
    return null;
  }
  try {
    builder.merge(parseCpuinfo(text, { source: path }));
  } catch (error) {
    if (!isCocoError(error)) throw error;
    builder.addUnavailable({
      kind: 'cpuinfo',
      source: path,
      reason: error.problem,
      fix: 'none needed on a machine without x86 flags; elsewhere pass the file with --cpuinfo',
    });
  }
  return VENDOR_LINE.exec(text)?.[1] ?? null;
}
