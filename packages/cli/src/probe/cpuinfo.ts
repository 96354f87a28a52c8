import { join } from 'node:path';
import { type EvidenceBuilder, isCocoError, parseCpuinfo } from '@coco/core';
import type { ProbeFs } from './fs.js';
import { fileUnreadable } from './unavailable.js';

/** Where the kernel shows the CPUs, on every architecture. */
export const CPUINFO_PATH = '/proc/cpuinfo';

/**
 * Reads `/proc/cpuinfo` of any architecture through core's parser: every field of the first
 * processor and the machine-wide ones, the feature words as flags. Unreadable or empty becomes an
 * unavailable note of kind `cpuinfo`.
 */
export function probeCpuinfo(fs: ProbeFs, builder: EvidenceBuilder, tree: string | null): void {
  let text: string;
  try {
    text = fs.readText(CPUINFO_PATH);
  } catch (error) {
    const note = fileUnreadable(error, CPUINFO_PATH);
    const missing = (error as { code?: unknown } | null)?.code === 'ENOENT';
    builder.addUnavailable({
      source: CPUINFO_PATH,
      kind: 'cpuinfo',
      ...(tree !== null && missing
        ? {
            reason: 'not in the tree',
            fix: 'copy /proc/cpuinfo of the running machine into the tree as proc/cpuinfo (sosreport collects it), or pass it with --cpuinfo',
          }
        : note),
    });
    return;
  }
  try {
    builder.merge(parseCpuinfo(text, { source: tree === null ? CPUINFO_PATH : join(tree, CPUINFO_PATH) }));
  } catch (error) {
    if (!isCocoError(error)) throw error;
    builder.addUnavailable({
      kind: 'cpuinfo',
      source: CPUINFO_PATH,
      reason: error.problem,
      fix: 'pass /proc/cpuinfo as the kernel writes it with --cpuinfo',
    });
  }
}
