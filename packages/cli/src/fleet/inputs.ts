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
  | { readonly kind: 'broken'; readonly source: string; readonly code: string; readonly problem: string };

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

function errnoInput(source: string, error: unknown): FleetInput {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR')
    return { kind: 'broken', source, code: 'FILE_NOT_FOUND', problem: 'no such file or directory' };
  return { kind: 'broken', source, code: 'FILE_UNREADABLE', problem: `cannot be read (${code ?? 'error'})` };
}

/**
 * Walks a directory: a machine tree or a bundle is one input; otherwise its `*.json` files and
 * subdirectories.
 */
function walk(dir: string, out: FleetInput[]): void {
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
  // join(dir, name) for every entry, without normalising the whole path again each time: an
  // entry's name is one plain segment (no separator, never "." or ".."), so it only follows the
  // prefix that joining any plain name gives.
  const prefix = join(dir, '_').slice(0, -1);
  for (const entry of entries) {
    const path = prefix + entry.name;
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      // A link to a file is followed; a link to a directory is not (no cycles, no walking out of the tree).
      try {
        const s = statSync(path);
        isFile = s.isFile();
        isDir = false;
      } catch {
        continue;
      }
    }
    if (isDir) walk(path, out);
    else if (isFile && entry.name.endsWith('.json')) out.push({ kind: 'snapshot', source: path });
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
  for (const path of paths) {
    let stat: import('node:fs').Stats;
    try {
      stat = statSync(path);
    } catch (error) {
      try {
        lstatSync(path);
        out.push({
          kind: 'broken',
          source: path,
          code: 'FILE_NOT_FOUND',
          problem: 'a dangling symbolic link',
        });
      } catch {
        out.push(errnoInput(path, error));
      }
      continue;
    }
    if (stat.isDirectory()) walk(path, out);
    else if (stat.isFile()) out.push({ kind: 'snapshot', source: path });
    else {
      out.push({
        kind: 'broken',
        source: path,
        code: 'FILE_UNREADABLE',
        problem: 'it is not a regular file or a directory (a FIFO, a device or a socket)',
      });
    }
  }
  // The first input of each source (a path given twice, or a file also found in a walked directory).
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
