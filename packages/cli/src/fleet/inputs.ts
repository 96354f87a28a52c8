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

/** Whether `path` exists and is of the kind `test` checks (following links); never throws. */
function isThere(path: string, test: (stat: import('node:fs').Stats) => boolean): boolean {
  try {
    const stat = statSync(path, { throwIfNoEntry: false });
    return stat !== undefined && test(stat);
  } catch {
    return false;
  }
}

/**
 * Whether `dir` is a machine tree: it has `proc/` or `sys/`. With `names`, the directory's entries
 * (from a listing already made), only the names among them are looked at.
 */
export function isMachineTree(dir: string, names?: ReadonlySet<string>): boolean {
  return TREE_DIRECTORIES.some(
    (name) => (!names || names.has(name)) && isThere(join(dir, name), (s) => s.isDirectory()),
  );
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

/** The first component of each bundle file's path: a directory without one of them is no bundle. */
const BUNDLE_ROOTS = new Set(BUNDLE_FILES.map((file) => file.path.split('/')[0] as string));

/** The bundle files `dir` holds; with `names` (its entries), only those under one of them. */
function bundleFiles(dir: string, names?: ReadonlySet<string>): { path: string; kind: BundleFileKind }[] {
  const found: { path: string; kind: BundleFileKind }[] = [];
  for (const file of BUNDLE_FILES) {
    if (names && !names.has(file.path.split('/')[0] as string)) continue;
    const path = join(dir, file.path);
    if (isThere(path, (s) => s.isFile())) found.push({ path, kind: file.kind });
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
function walk(dir: string, out: Found): void {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    // A directory that cannot be listed may still be a tree or a bundle (searchable, not readable).
    if (isMachineTree(dir)) out.push({ kind: 'tree', source: dir });
    else {
      const files = bundleFiles(dir);
      out.push(files.length > 0 ? { kind: 'bundle', source: dir, files } : errnoInput(dir, error));
    }
    return;
  }
  // The listing says which of the names a tree or a bundle needs are there: no `stat` for the rest
  // (eight system calls a directory saved).
  const names = new Set<string>();
  for (const entry of entries) {
    if (BUNDLE_ROOTS.has(entry.name) || TREE_DIRECTORIES.includes(entry.name)) names.add(entry.name);
  }
  if (names.size > 0) {
    if (isMachineTree(dir, names)) {
      out.push({ kind: 'tree', source: dir });
      return;
    }
    const files = bundleFiles(dir, names);
    if (files.length > 0) {
      out.push({ kind: 'bundle', source: dir, files });
      return;
    }
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    // A directory is walked; a link to one is not (no cycles, no walking out of the tree).
    if (entry.isDirectory()) {
      walk(path, out);
      continue;
    }
    if (!entry.name.endsWith('.json')) continue;
    // Every other *.json entry is a machine: a regular file (or a link to one) is read, and
    // anything else (a FIFO, a device, a socket, a link that dangles, loops or cannot be
    // followed) is a record saying why not, never silently left out. An entry the directory
    // lists as a regular file is one (not a link): no `stat` for it, one system call less per
    // machine; links and entries of unknown type are followed with `stat`.
    if (entry.isFile()) out.snapshots.push(path);
    else {
      const what = classify(path);
      if (what === 'file') out.snapshots.push(path);
      else if (what !== 'directory') out.push(what);
    }
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
  const out = new Found();
  for (const path of paths) {
    const what = classify(path);
    if (what === 'directory') walk(path, out);
    else if (what === 'file') out.snapshots.push(path);
    else out.push(what);
  }
  return out.sorted();
}

/**
 * The inputs a walk found: snapshot files as bare paths (most of a fleet: no object each until
 * the end), the others as inputs. A path found twice counts once.
 */
class Found {
  readonly snapshots: string[] = [];
  readonly #others = new Map<string, FleetInput>();

  push(input: FleetInput): void {
    if (!this.#others.has(input.source)) this.#others.set(input.source, input);
  }

  /** Every input once, sorted by source: JavaScript string order, compared natively. */
  sorted(): FleetInput[] {
    const sources = this.snapshots.concat([...this.#others.keys()]).sort();
    const inputs: FleetInput[] = [];
    for (let i = 0; i < sources.length; i++) {
      const source = sources[i] as string;
      if (i > 0 && source === sources[i - 1]) continue;
      inputs.push(this.#others.get(source) ?? { kind: 'snapshot', source });
    }
    return inputs;
  }
}

/** The name of a machine without an identity in its snapshot: the file name less `.json`, or the directory's. */
export function nameFromPath(source: string): string {
  const base = basename(source);
  return base.endsWith('.json') && base.length > 5 ? base.slice(0, -5) : base || source;
}
