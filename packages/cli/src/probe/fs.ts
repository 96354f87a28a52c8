import { execFileSync } from 'node:child_process';
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  type Stats,
  statSync,
} from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';
import type { Unreadable } from './unavailable.js';

/**
 * An open record device (`/dev/cpu/0/cpuid`, `/dev/cpu/0/msr`): the kernel reads the record whose
 * id is the file position (a CPUID leaf | subleaf << 32, an MSR index).
 */
export interface DeviceReader {
  /**
   * Reads the `length`-byte record with id `position`. On a real character device that is a
   * positioned read at `position`; a regular file standing in for one under `/dev` (a fake tree in
   * tests) cannot hold overlapping records, so it holds record `n` at byte offset `n * length`, and
   * records past its end read as zeros. Any other regular file is read at `position`.
   */
  pread(length: number, position: number | bigint): Uint8Array;
  close(): void;
}

/**
 * Everything live probing reads, behind one interface so tests can use a fake tree or inject
 * failures. Paths are the machine's (`/proc/cpuinfo`); the implementation adds its root.
 * Failures throw Node errors with a `code` (`ENOENT`, `EACCES`, `EIO`, ...).
 */
export interface ProbeFs {
  /**
   * The text of a file: its first `maxBytes` bytes (16 MiB at most), or without `maxBytes` the whole
   * file, which throws `EFBIG` (with its own `unreadable` reason) when it is over 16 MiB.
   */
  readText(path: string, maxBytes?: number): string;
  /** Opens a device for positioned reads. */
  openDevice(path: string): DeviceReader;
  /** Whether a path exists (`false` for a missing one; throws when it cannot be checked). */
  exists(path: string): boolean;
  /** The names in a directory, sorted (throws `ENOENT` for a missing one). */
  listDir(path: string): string[];
  /**
   * Reads `/dev/kmsg`-style records without ever blocking: opens non-blocking and reads until
   * `EAGAIN` or end of file. Returns the text of the records.
   */
  readKernelRecords(path: string): string;
  /** Runs `dmesg` (only on the real machine); `null` when this file system has no real `dmesg`. */
  runDmesg: (() => string) | null;
}

/** Stop reading a record device after this many bytes, whatever it keeps returning. */
const MAX_RECORD_BYTES = 32 * 1024 * 1024;

/** Stop reading a text file (`/proc/cpuinfo`) after this many bytes. */
const MAX_TEXT_BYTES = 16 * 1024 * 1024;

/** Every open is non-blocking: a FIFO in place of a device or file must not hang the probe. */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isCharacterDevice()) return 'a character device';
  return 'a special file';
}

/**
 * An error for a path that is not what the kernel puts there, carrying its own reason and fix
 * (the `Unreadable` that `probe/unavailable.ts` reports as it is).
 */
function notWhatTheKernelProvides(path: string, stats: Stats, expected: 'device' | 'file'): Error {
  const what = kindOf(stats);
  const module = basename(path);
  const unreadable: Unreadable =
    expected === 'device'
      ? {
          reason: `it is ${what}, not the kernel's ${module} device (not read: it could block)`,
          fix: `remove it; loading the ${module} module (modprobe ${module}) as root creates the device`,
        }
      : {
          reason: `it is ${what}, not a file the kernel provides (not read: it could block)`,
          fix: path.startsWith('/proc')
            ? 'remove it; the kernel provides it when procfs is mounted (mount -t proc proc /proc)'
            : 'remove it; run coco on the Linux machine itself',
        };
  return Object.assign(new Error(unreadable.reason), { code: 'EINVAL', unreadable });
}

/** What would make a file that is too large readable: the machine's own output is far smaller. */
function tooLargeFix(path: string): string {
  if (path.includes('dmesg'))
    return "save only the boot's kernel log there (journalctl -k -b > FILE), or pass it with --dmesg";
  if (path.includes('cpuid')) return "save the machine's cpuid -r output there again (it is far smaller)";
  if (path.startsWith('/proc/'))
    return `copy the running machine's ${path} into the tree again (the kernel's is far smaller)`;
  return "copy the machine's own file into the tree again";
}

/** The error for a file over {@link MAX_TEXT_BYTES}: a note saying so, never a cut text parsed. */
function tooLarge(path: string, bytes: number, atLeast: boolean): Error {
  const unreadable: Unreadable = {
    reason: `larger than 16 MiB (${atLeast ? 'at least ' : ''}${bytes} bytes): not read`,
    fix: tooLargeFix(path),
  };
  return Object.assign(new Error(unreadable.reason), { code: 'EFBIG', unreadable });
}

/**
 * Reads a regular file (procfs ones report size 0) to its end. With `max`, its first `max` bytes
 * are its text (a prefix is what the caller wants); without, a file over {@link MAX_TEXT_BYTES}
 * (by its size, or by what a read gave for a file that reports none) throws `EFBIG` with its own
 * reason, so that a cut text is never parsed as if it were whole.
 */
function readTextFile(full: string, path: string, max?: number): string {
  const fd = openSync(full, OPEN_FLAGS);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw notWhatTheKernelProvides(path, stats, 'file');
    if (max === undefined && stats.size > MAX_TEXT_BYTES) throw tooLarge(path, stats.size, false);
    const limit = max ?? MAX_TEXT_BYTES + 1;
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buffer = Buffer.allocUnsafe(64 * 1024);
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      chunks.push(buffer.subarray(0, n));
      total += n;
      if (total >= limit) break;
    }
    if (max === undefined && total > MAX_TEXT_BYTES) throw tooLarge(path, total, true);
    return Buffer.concat(chunks, total).subarray(0, Math.min(total, limit)).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * The full path of machine path `path` under `root`. Under a root other than `/`, a path whose
 * symbolic links lead out of the tree is refused (`ELOOP`-like `EXDEV`): a support bundle must not
 * make coco read this machine's files.
 */
function under(root: string, path: string): string {
  if (!path.startsWith('/') || path.split('/').includes('..'))
    throw Object.assign(new Error(`${path} is not an absolute machine path`), { code: 'EINVAL' });
  const full = join(root, path);
  if (root === '/') return full;
  let real: string;
  try {
    real = realpathSync(full);
  } catch {
    // Missing (or unreadable) paths fail at open or stat with their own code.
    return full;
  }
  const top = realpathSync(root);
  if (real !== top && !real.startsWith(top.endsWith(sep) ? top : `${top}${sep}`)) {
    const unreadable: Unreadable = {
      reason: 'it is a symbolic link out of the tree (not read)',
      fix: 'copy the file itself into the tree, or run coco on the machine',
    };
    throw Object.assign(new Error(unreadable.reason), { code: 'EXDEV', unreadable });
  }
  return full;
}

/** The real file system under `root` (`/` for this machine, a directory of fake files in tests). */
export function nodeProbeFs(root = '/'): ProbeFs {
  root = root === '/' ? '/' : resolve(root);
  const at = (path: string) => under(root, path);
  return {
    readText: (path, maxBytes) =>
      readTextFile(at(path), path, maxBytes === undefined ? undefined : Math.min(maxBytes, MAX_TEXT_BYTES)),
    openDevice(path) {
      const fd = openSync(at(path), OPEN_FLAGS);
      let stats: Stats;
      try {
        stats = fstatSync(fd);
        if (!stats.isFile() && !stats.isCharacterDevice())
          throw notWhatTheKernelProvides(path, stats, 'device');
      } catch (error) {
        closeSync(fd);
        throw error;
      }
      const records = stats.isFile() && path.startsWith('/dev/');
      return {
        pread(length, position) {
          const buffer = new Uint8Array(length);
          const offset = records ? BigInt(position) * BigInt(length) : BigInt(position);
          const n = readSync(
            fd,
            buffer,
            0,
            length,
            offset <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(offset) : offset,
          );
          // A record past the end of a stand-in file reads as zeros, like a hole inside it.
          return records ? buffer : buffer.subarray(0, n);
        },
        close: () => closeSync(fd),
      };
    },
    exists: (path) => statSync(at(path), { throwIfNoEntry: false }) !== undefined,
    listDir: (path) => readdirSync(at(path)).sort(),
    readKernelRecords(path) {
      const fd = openSync(at(path), OPEN_FLAGS);
      const buffer = Buffer.alloc(16 * 1024);
      const chunks: string[] = [];
      let total = 0;
      try {
        while (total < MAX_RECORD_BYTES) {
          let n: number;
          try {
            n = readSync(fd, buffer, 0, buffer.length, null);
          } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            if (code === 'EAGAIN' || code === 'EWOULDBLOCK') break;
            // EPIPE: the record we were about to read was overwritten; the next read goes on.
            if (code === 'EPIPE') continue;
            throw error;
          }
          if (n === 0) break;
          total += n;
          const chunk = buffer.toString('utf8', 0, n);
          chunks.push(chunk.endsWith('\n') ? chunk : `${chunk}\n`);
        }
      } finally {
        closeSync(fd);
      }
      return chunks.join('');
    },
    runDmesg:
      root === '/'
        ? () =>
            execFileSync('dmesg', [], {
              encoding: 'utf8',
              timeout: 3000,
              stdio: ['ignore', 'pipe', 'pipe'],
              maxBuffer: MAX_RECORD_BYTES,
            })
        : null,
  };
}
