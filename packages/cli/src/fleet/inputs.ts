import { lstatSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * The files of a support bundle `coco fleet` reads, relative to the bundle's directory, and which
 * parser reads each. A directory holding any of them is one machine; its other files are not
 * walked. A directory with `proc/` or `sys/` is a machine tree instead (see {@link isMachineTree}).
 */
export const BUNDLE_FILES = Object.freeze([
  { path: 'coco-snapshot.json', kind: 'snapshot' },
  { path: 'cpuid.txt', kind: 'cpuid' },
  { path: 'proc/cpuinfo', kind: 'cpuinfo' },
  { path: 'dmesg', kind: 'dmesg' },
  { path: 'dmesg.txt', kind: 'dmesg' },
  { path: 'var/log/dmesg', kind: 'dmesg' },
] as const);

/** The kind of evidence a bundle file holds. */
export type BundleFileKind = (typeof BUNDLE_FILES)[number]['kind'];

/**
 * The directories whose presence makes a directory one machine's tree (a sosreport, a machine image,
 * a mounted disk), read as `coco detect --root DIR` reads it.
 */
export const TREE_DIRECTORIES: readonly string[] = Object.freeze(['proc', 'sys']);

/** Whether `dir` is a machine tree: it has `proc/` or `sys/`. */
export function isMachineTree(dir: string): boolean {
  return TREE_DIRECTORIES.some((name) => {
    try {
      return statSync(join(dir, name)).isDirectory();
    } catch {
      return false;
    }
  });
}

/** One machine to read: a snapshot file, a support bundle, a machine tree, or a path that cannot be read. */
export type FleetInput =
  | { readonly kind: 'snapshot'; readonly source: string }
  | { readonly kind: 'tree'; readonly source: string }
  | {
      readonly kind: 'bundle';
      readonly source: string;
      readonly files: readonly { readonly path: string; readonly kind: BundleFileKind }[];
    }
  | {
      readonly kind: 'broken';
      readonly source: string;
      readonly code: string;
      readonly problem: string;
      readonly fix: string;
    };

function bundleFiles(dir: string): { path: string; kind: BundleFileKind }[] {
  const found: { path: string; kind: BundleFileKind }[] = [];
  for (const file of BUNDLE_FILES) {
    try {
      if (statSync(join(dir, file.path)).isFile())
        found.push({ path: join(dir, file.path), kind: file.kind });
    } catch {
      // absent: not part of this bundle
    }
  }
  return found;
}

const FIX_PATH = 'check the path';
const FIX_REGULAR = 'copy the snapshot into a regular file';

function errnoInput(source: string, error: unknown): FleetInput {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR')
    return {
      kind: 'broken',
      source,
      code: 'FILE_NOT_FOUND',
      problem: 'no such file or directory',
      fix: FIX_PATH,
    };
  if (code === 'ELOOP')
    return {
      kind: 'broken',
      source,
      code: 'FILE_UNREADABLE',
      problem: 'a symbolic link loop',
      fix: 'remove the symbolic link loop',
    };
  if (code === 'EACCES' || code === 'EPERM')
    return {
      kind: 'broken',
      source,
      code: 'FILE_UNREADABLE',
      problem: 'permission denied',
      fix: 'make it readable, or run coco as a user who can read it',
    };
  return {
    kind: 'broken',
    source,
    code: 'FILE_UNREADABLE',
    problem: `cannot be read (${code ?? 'error'})`,
    fix: FIX_REGULAR,
  };
}

/** What a file that is neither a regular file nor a directory is, in words. */
function specialKind(stat: import('node:fs').Stats): string {
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'a special file';
}

/**
 * What a path names, followed through symbolic links with `stat` only (never opened: a FIFO or a
 * device must not block the walk): a regular file, a directory, or a broken input saying why not.
 */
function classify(path: string): 'file' | 'directory' | FleetInput {
  let stat: import('node:fs').Stats;
  try {
    stat = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      try {
        if (lstatSync(path).isSymbolicLink())
          return {
            kind: 'broken',
            source: path,
            code: 'FILE_NOT_FOUND',
            problem: 'a dangling symbolic link',
            fix: 'point the link at a snapshot, or remove it',
          };
      } catch {
        // Not there at all: said below.
      }
    }
    return errnoInput(path, error);
  }
  if (stat.isFile()) return 'file';
  if (stat.isDirectory()) return 'directory';
  return {
    kind: 'broken',
    source: path,
    code: 'FILE_UNREADABLE',
    problem: `it is ${specialKind(stat)}, not a regular file or a directory (not read: it could block)`,
    fix: FIX_REGULAR,
  };
}

/**
 * Walks a directory: a machine tree or a bundle is one input; otherwise its `*.json` files and
 * subdirectories.
 */
function walk(dir: string, out: FleetInput[], seen: Set<string>): void {
  if (isMachineTree(dir)) {
    out.push({ kind: 'tree', source: dir });
    return;
  }
  const files = bundleFiles(dir);
  if (files.length > 0) {
    out.push({ kind: 'bundle', source: dir, files });
    return;
  }
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    out.push(errnoInput(dir, error));
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    // A directory is walked; a link to one is not (no cycles, no walking out of the tree).
    if (entry.isDirectory()) {
      walk(path, out, seen);
      continue;
    }
    if (!entry.name.endsWith('.json') || seen.has(path)) continue;
    // Every other *.json entry is a machine: a regular file (or a link to one) is read, and
    // anything else (a FIFO, a device, a socket, a link that dangles, loops or cannot be
    // followed) is a record saying why not, never silently left out. An entry the directory
    // lists as a regular file is one (not a link): no `stat` for it, one system call less per
    // machine; links and entries of unknown type are followed with `stat`.
    const what = entry.isFile() ? 'file' : classify(path);
    if (what === 'directory') continue;
    seen.add(path);
    out.push(what === 'file' ? { kind: 'snapshot', source: path } : what);
  }
}

/**
 * The machines the paths name, sorted by source path (JavaScript string order, so the output does
 * not depend on the file system's order or on the number of workers). A file is a snapshot
 * whatever its name; a directory with `proc/` or `sys/` is one machine's tree; another directory is
 * walked recursively for `*.json` files, trees and support bundles; a
 * path that does not exist or cannot be read is a broken input, reported as a record.
 */
export function collectInputs(paths: readonly string[]): FleetInput[] {
  const out: FleetInput[] = [];
  const seen = new Set<string>();
  for (const path of paths) {
    const what = classify(path);
    if (what === 'directory') walk(path, out, seen);
    else if (what !== 'file') out.push(what);
    else if (!seen.has(path)) {
      seen.add(path);
      out.push({ kind: 'snapshot', source: path });
    }
  }
  const unique = new Map<string, FleetInput>();
  for (const input of out) if (!unique.has(input.source)) unique.set(input.source, input);
  // The default sort compares strings by UTF-16 code units, as `<` does, in native code.
  return [...unique.keys()].sort().map((source) => unique.get(source) as FleetInput);
}

/** The name of a machine without an identity in its snapshot: the file name less `.json`, or the directory's. */
export function nameFromPath(source: string): string {
  const base = basename(source);
  return base.endsWith('.json') && base.length > 5 ? base.slice(0, -5) : base || source;
}
