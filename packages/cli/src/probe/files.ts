import type { EvidenceBuilder } from '@coco/core';
import type { ProbeFs } from './fs.js';
import { EVIDENCE_FILES } from './leaves.js';
import { fileUnreadable } from './unavailable.js';

/** The source name of existence facts found by probing. */
export const FILE_PROBE_SOURCE = 'file probe';

/** Records whether each device node and sysfs/configfs entry of facts §7 exists (existence only). */
export function probeFiles(
  fs: ProbeFs,
  builder: EvidenceBuilder,
  paths: readonly string[] = EVIDENCE_FILES,
): void {
  for (const path of paths) {
    try {
      builder.setFile(path, fs.exists(path), FILE_PROBE_SOURCE);
    } catch (error) {
      builder.addUnavailable({ source: path, kind: 'files', ...fileUnreadable(error, path) });
    }
  }
}
