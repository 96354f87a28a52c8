import type { EvidenceBuilder } from '@coco/core';
import { readContent } from './files.js';
import type { ProbeFs } from './fs.js';
import { fileUnreadable } from './unavailable.js';

/**
 * The configfs TSM report directory (Linux 6.7, Documentation/ABI/testing/configfs-tsm): each
 * report is a directory someone made there (`mkdir`), whose `provider` names the driver that
 * answers it (`sev_guest`, `tdx_guest`, `arm_cca_guest`). Plugins cannot declare a glob, so the
 * probe lists this one directory; it never makes a report directory itself (a write).
 */
export const TSM_REPORT_DIR = '/sys/kernel/config/tsm/report';

/** Reads at most this many report directories. */
const MAX_REPORTS = 64;

/**
 * Reads `provider` of every report directory under {@link TSM_REPORT_DIR} as a file with content.
 * A missing directory says nothing (the plugins that read configfs-tsm declare it); one that
 * cannot be listed is an unavailable note of kind `files`.
 */
export function probeTsmProviders(fs: ProbeFs, builder: EvidenceBuilder, source: string): void {
  let names: string[];
  try {
    if (!fs.exists(TSM_REPORT_DIR)) return;
    names = fs.listDir(TSM_REPORT_DIR);
  } catch (error) {
    builder.addUnavailable({
      source: TSM_REPORT_DIR,
      kind: 'files',
      ...fileUnreadable(error, TSM_REPORT_DIR),
    });
    return;
  }
  for (const name of names.slice(0, MAX_REPORTS)) {
    if (!/^[A-Za-z0-9._-]{1,255}$/.test(name) || name === '.' || name === '..') continue;
    const path = `${TSM_REPORT_DIR}/${name}/provider`;
    try {
      if (!fs.exists(path)) continue;
      builder.setFile(path, true, source, readContent(fs, path));
    } catch (error) {
      builder.addUnavailable({ source: path, kind: 'files', ...fileUnreadable(error, path) });
    }
  }
}
