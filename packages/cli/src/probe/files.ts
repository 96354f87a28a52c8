import { dirname } from 'node:path';
import { type EvidenceBuilder, FILE_CONTENT_MAX, type FileProbe } from '@coco/core';
import type { ProbeFs } from './fs.js';
import { NOT_READ_UNDER_ROOT } from './io.js';
import { fileUnreadable } from './unavailable.js';

/** The source name of file facts found by probing this machine. */
export const FILE_PROBE_SOURCE = 'file probe';

/** Where the files are read: this machine, or a tree given with `--root`. */
export interface FileProbeMode {
  /** The tree's directory; `null` for a live machine (or a fake live machine in tests). */
  readonly tree: string | null;
  /** The source name to give file facts. */
  readonly source: string;
}

const isDevice = (path: string) => path.startsWith('/dev/');

/**
 * Whether a path missing from a tree proves it missing on the machine: only when its directory was
 * captured (a sosreport copies some sysfs directories and not others; a disk image at rest has
 * empty `/proc` and `/sys`), and never for a device node (sosreport copies no `/dev`; a disk image's
 * `/dev` is filled at boot by devtmpfs).
 */
function absenceProves(fs: ProbeFs, path: string): boolean {
  if (isDevice(path)) return false;
  try {
    return fs.exists(dirname(path));
  } catch {
    return false;
  }
}

/** Reads at most {@link FILE_CONTENT_MAX} characters of a file's text. */
export function readContent(fs: ProbeFs, path: string): string {
  return fs.readText(path, FILE_CONTENT_MAX * 4).slice(0, FILE_CONTENT_MAX);
}

/**
 * Reads the files the plugins declare: whether each exists and, for `read: 'content'`, its text
 * (at most 4 KiB). Under a tree, a missing path whose directory the tree does not hold, or a
 * missing device node, is not read (an unavailable note), not "missing"; a device's content is
 * never read there.
 */
export function probeFiles(
  fs: ProbeFs,
  builder: EvidenceBuilder,
  files: readonly FileProbe[],
  mode: FileProbeMode,
): void {
  for (const { path, read } of files) {
    let exists: boolean;
    try {
      exists = fs.exists(path);
    } catch (error) {
      builder.addUnavailable({ source: path, kind: 'files', ...fileUnreadable(error, path) });
      continue;
    }
    if (!exists) {
      if (mode.tree !== null && !absenceProves(fs, path)) {
        builder.addUnavailable({
          source: path,
          kind: 'files',
          reason: isDevice(path)
            ? 'not in the tree: a support bundle or disk image holds no device nodes, so its absence proves nothing'
            : `not in the tree, nor is ${dirname(path)}: the tree does not show whether the machine has it`,
          fix: isDevice(path)
            ? NOT_READ_UNDER_ROOT.fix
            : `copy ${dirname(path)} from the machine into the tree, or run coco on the machine`,
        });
      } else builder.setFile(path, false, mode.source);
      continue;
    }
    if (read === 'exists') {
      builder.setFile(path, true, mode.source);
      continue;
    }
    if (mode.tree !== null && isDevice(path)) {
      builder.setFile(path, true, mode.source);
      builder.addUnavailable({ source: path, kind: 'files', ...NOT_READ_UNDER_ROOT });
      continue;
    }
    try {
      builder.setFile(path, true, mode.source, readContent(fs, path));
    } catch (error) {
      builder.setFile(path, true, mode.source);
      builder.addUnavailable({ source: path, kind: 'files', ...fileUnreadable(error, path) });
    }
  }
}
