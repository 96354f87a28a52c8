import { close, constants, fstat, open, read, type Stats } from 'node:fs';
import { promisify } from 'node:util';

const openAsync = promisify(open);
const fstatAsync = promisify(fstat);
const closeAsync = promisify(close);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function readAsync(fd: number, buffer: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buffer, 0, buffer.length, null, (error, n) => (error ? reject(error) : resolve(n)));
  });
}

/** Why a read stopped without a result. */
export type ReadStop =
  | { readonly kind: 'too-large'; readonly limit: number; readonly size?: number }
  | { readonly kind: 'no-data'; readonly waitedMs: number; readonly what: SpecialKind }
  | { readonly kind: 'too-slow'; readonly waitedMs: number; readonly what: SpecialKind }
  | { readonly kind: 'kmsg' }
  | { readonly kind: 'terminal' }
  | { readonly kind: 'not-a-file'; readonly what: 'directory' | 'socket' | 'block device' | 'special file' };

/** The kinds of file that are read with a deadline: they may never end or never give data. */
export type SpecialKind = 'FIFO' | 'character device';

/** A read that stopped for a reason {@link ReadStop} describes (not a system error). */
export class ReadStopped extends Error {
  readonly stop: ReadStop;
  constructor(stop: ReadStop) {
    super(`read stopped: ${stop.kind}`);
    this.name = 'ReadStopped';
    this.stop = stop;
  }
}

/** Limits of one read. */
export interface ReadLimits {
  /** More bytes than this are refused, as soon as they are seen. */
  readonly maxBytes: number;
  /** A FIFO or character device that gives no data for this long is given up (ms). */
  readonly idleMs: number;
  /** A FIFO or character device that has not ended after this long is given up (ms). */
  readonly totalMs: number;
}

/** The reading limits of the CLI's inputs; the README's "Limits" section documents them. */
export const INPUT_LIMITS = Object.freeze({
  /** One input: the size of the largest snapshot `coco detect --snapshot` reads (core's limit). */
  maxBytes: 16 * 1024 * 1024,
  /** All inputs of one command together. */
  maxTotalBytes: 64 * 1024 * 1024,
  /**
   * A kernel log `coco detect` reads as a stream, keeping only the lines the plugins read: its
   * memory does not grow with its size, so it may be far larger than other inputs (and does not
   * count towards `maxTotalBytes`).
   */
  maxLogBytes: 1024 * 1024 * 1024,
  idleMs: 2000,
  totalMs: 10_000,
});

const CHUNK = 64 * 1024;
/** The read size of inputs read as a stream (kernel logs): fewer, larger reads. */
export const STREAM_CHUNK = 1024 * 1024;
const POLL_MS = 20;

/** `/dev/kmsg` is character device 1:11 (Documentation/admin-guide/devices.txt). */
function isKmsg(stats: Stats): boolean {
  const rdev = stats.rdev;
  const major = (rdev >> 8) & 0xfff;
  const minor = (rdev & 0xff) | ((rdev >> 12) & 0xfff00);
  return major === 1 && minor === 11;
}

/**
 * Reads an open descriptor to its end, at most `maxBytes`, waiting out `EAGAIN` up to the
 * deadlines, and hands each chunk (up to `chunkBytes`) to `onChunk` as it arrives, keeping none.
 * Returns the number of bytes read.
 */
export async function streamDescriptor(
  fd: number,
  limits: ReadLimits,
  special: SpecialKind | null,
  onChunk: (chunk: Buffer) => void,
  chunkBytes = CHUNK,
  reuse = false,
): Promise<number> {
  let total = 0;
  // With `reuse`, one buffer serves every read: `onChunk` must be done with a chunk when it returns.
  const shared = reuse ? Buffer.allocUnsafe(chunkBytes) : null;
  const started = Date.now();
  let lastData = started;
  for (;;) {
    const now = Date.now();
    if (special && now - started > limits.totalMs) {
      throw new ReadStopped({ kind: 'too-slow', waitedMs: limits.totalMs, what: special });
    }
    // One byte more than the limit is enough to know the input is too large.
    const want = Math.min(chunkBytes, limits.maxBytes + 1 - total);
    const buffer = shared ? shared.subarray(0, want) : Buffer.allocUnsafe(want);
    let n: number;
    try {
      n = await readAsync(fd, buffer);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK') throw error;
      if (Date.now() - lastData > limits.idleMs) {
        throw new ReadStopped({
          kind: 'no-data',
          waitedMs: limits.idleMs,
          what: special ?? 'character device',
        });
      }
      await sleep(POLL_MS);
      continue;
    }
    if (n === 0) {
      // A FIFO opened non-blocking reads as ended while no writer has opened it: wait for one.
      if (special === 'FIFO' && total === 0) {
        if (Date.now() - lastData > limits.idleMs) {
          throw new ReadStopped({ kind: 'no-data', waitedMs: limits.idleMs, what: 'FIFO' });
        }
        await sleep(POLL_MS);
        continue;
      }
      break;
    }
    lastData = Date.now();
    total += n;
    if (total > limits.maxBytes) throw new ReadStopped({ kind: 'too-large', limit: limits.maxBytes });
    onChunk(n === buffer.length ? buffer : buffer.subarray(0, n));
  }
  return total;
}

/** Reads an open descriptor to its end, at most `maxBytes`, waiting out `EAGAIN` up to the deadlines. */
export async function readDescriptor(
  fd: number,
  limits: ReadLimits,
  special: SpecialKind | null,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const total = await streamDescriptor(fd, limits, special, (chunk) => void chunks.push(chunk));
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total);
}

/**
 * Reads a file without ever blocking and without reading more than `limits.maxBytes` (plus one
 * byte) whatever it is: opened non-blocking, so a FIFO without a writer does not hang the open; a
 * regular file larger than the limit is refused before it is read; a FIFO or character device is
 * read with deadlines; `/dev/kmsg` and terminals are refused (their reads wait for new records,
 * or for someone to type). Throws
 * {@link ReadStopped} for those, and Node's errors (`ENOENT`, `EACCES`, `EIO`...) otherwise.
 */
export async function readFileLimited(path: string, limits: ReadLimits): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const total = await streamFileLimited(path, limits, (chunk) => void chunks.push(chunk));
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total);
}

/**
 * {@link readFileLimited}, handing each chunk to `onChunk` as it arrives instead of keeping it
 * (with `reuse`, in one buffer that `onChunk` must be done with when it returns).
 */
export async function streamFileLimited(
  path: string,
  limits: ReadLimits,
  onChunk: (chunk: Buffer) => void,
  chunkBytes = CHUNK,
  reuse = false,
): Promise<number> {
  const fd = await openAsync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const stats = await fstatAsync(fd);
    let special: SpecialKind | null = null;
    if (stats.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (stats.isFile()) {
      if (stats.size > limits.maxBytes) {
        throw new ReadStopped({ kind: 'too-large', limit: limits.maxBytes, size: stats.size });
      }
    } else if (stats.isFIFO()) {
      special = 'FIFO';
    } else if (stats.isCharacterDevice()) {
      if (isKmsg(stats)) throw new ReadStopped({ kind: 'kmsg' });
      const { isatty } = await import('node:tty');
      if (isatty(fd)) throw new ReadStopped({ kind: 'terminal' });
      special = 'character device';
    } else {
      throw new ReadStopped({
        kind: 'not-a-file',
        what: stats.isSocket() ? 'socket' : stats.isBlockDevice() ? 'block device' : 'special file',
      });
    }
    return await streamDescriptor(fd, limits, special, onChunk, chunkBytes, reuse);
  } finally {
    await closeAsync(fd).catch(() => {});
  }
}

/** Text from bytes: UTF-8, with a byte-order mark at the start dropped. */
export function decodeText(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
