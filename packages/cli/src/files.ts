import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { createKernelLogReader, isCocoError, type KernelLogReading } from '@coco/core';
import { CliError, type CliErrorCode } from './errors.js';
import type { CliIo } from './io.js';
import {
  decodeText,
  INPUT_LIMITS,
  type ReadStop,
  ReadStopped,
  readFileLimited,
  STREAM_CHUNK,
  streamFileLimited,
} from './read-limited.js';

/** Text read from a file or standard input, with the name errors and evidence use for it. */
export interface InputText {
  readonly text: string;
  /** The path as the user wrote it, or `stdin`. */
  readonly name: string;
}

/** Bytes as people read them: `16 MiB`, `1.5 GiB`, `812 bytes`. */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${n} bytes`;
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}

interface Reason {
  readonly code: CliErrorCode;
  readonly problem: string;
  readonly fix: string;
}

function reasonOfErrno(code: string | undefined, path: string): Reason {
  switch (code) {
    case 'ENOENT':
      return { code: 'FILE_NOT_FOUND', problem: 'no such file', fix: `check the path (resolved to ${path})` };
    case 'EACCES':
    case 'EPERM':
      return {
        code: 'FILE_UNREADABLE',
        problem: 'permission denied',
        fix: 'make the file readable (chmod a+r) or run coco as a user who can read it',
      };
    case 'EISDIR':
      return {
        code: 'FILE_UNREADABLE',
        problem: 'it is a directory, not a file',
        fix: 'pass the file inside it',
      };
    case 'ENOTDIR':
      return {
        code: 'FILE_NOT_FOUND',
        problem: 'a part of the path is not a directory',
        fix: 'check the path',
      };
    case 'ENAMETOOLONG':
      return {
        code: 'FILE_NOT_FOUND',
        problem: 'the path is too long (ENAMETOOLONG)',
        fix: 'check the path',
      };
    case 'ELOOP':
      return {
        code: 'FILE_UNREADABLE',
        problem: 'a symbolic link loop (too many symbolic links to follow)',
        fix: 'remove the symbolic link loop',
      };
    case 'ENXIO':
    case 'ENODEV':
      return {
        code: 'FILE_UNREADABLE',
        problem: `no device or reader behind it (${code})`,
        fix: 'pass a regular file, or - for standard input',
      };
    case 'EIO':
      return {
        code: 'FILE_UNREADABLE',
        problem: 'cannot be read (EIO)',
        fix: 'copy the evidence into a regular file and pass that',
      };
    default:
      return {
        code: 'FILE_UNREADABLE',
        problem: `cannot be read (${code ?? 'unknown error'})`,
        fix: 'copy the evidence into a regular file and pass that',
      };
  }
}

const seconds = (ms: number) => `${ms / 1000} s`;

/** The error for a read that stopped; `what` names the input in the problem (`the file`, `standard input`). */
function reasonOfStop(stop: ReadStop, flag: string, what: string): Reason {
  switch (stop.kind) {
    case 'too-large':
      return {
        code: 'INPUT_TOO_LARGE',
        problem: `${what} is ${stop.size === undefined ? 'larger than' : `${formatBytes(stop.size)}, more than`} the ${formatBytes(stop.limit)} limit of an input`,
        fix:
          flag === '--dmesg'
            ? 'pass only the lines of the boot that matters (dmesg > log.txt, or journalctl -k -b > log.txt)'
            : `pass an evidence file under ${formatBytes(stop.limit)}`,
      };
    case 'kmsg':
      return {
        code: 'INPUT_BLOCKING',
        problem: 'it is the kernel log device, whose reads wait for new messages',
        fix: 'run coco detect with no evidence flags: the live probe reads /dev/kmsg without blocking; or pass a saved log (dmesg > log.txt)',
      };
    case 'no-data':
      return {
        code: 'INPUT_BLOCKING',
        problem:
          stop.what === 'FIFO'
            ? `it is a FIFO (named pipe) and nothing wrote to it within ${seconds(stop.waitedMs)}`
            : `it is a ${stop.what} that gave no data within ${seconds(stop.waitedMs)}`,
        fix: `save the evidence to a regular file and pass that, or pipe it to ${flag} -`,
      };
    case 'terminal':
      return {
        code: 'INPUT_BLOCKING',
        problem: 'it is a terminal, whose reads wait for someone to type',
        fix: `to paste the evidence, use ${flag} - (standard input); or save it to a file and pass that`,
      };
    case 'too-slow':
      return {
        code: 'INPUT_BLOCKING',
        problem: `it is a ${stop.what} that did not end within ${seconds(stop.waitedMs)}`,
        fix: `save the evidence to a regular file and pass that, or pipe it to ${flag} -`,
      };
    case 'not-a-file':
      return {
        code: 'FILE_UNREADABLE',
        problem: `it is a ${stop.what}, not a file`,
        fix: 'pass a regular file, or - for standard input',
      };
  }
}

/** Bytes still allowed for the inputs of one command, so many flags cannot add up without bound. */
export interface InputBudget {
  remaining: number;
}

/** A new budget for one command's inputs. */
export function inputBudget(): InputBudget {
  return { remaining: INPUT_LIMITS.maxTotalBytes };
}

/** The one-line hint printed when standard input is a terminal, instead of waiting silently. */
export const STDIN_TTY_HINT =
  'reading the kernel log from standard input; paste it and press Ctrl-D, or pipe it: sudo dmesg | coco detect --dmesg -';

/**
 * Reads the file a flag names (`-` is standard input) as a stream, never more than the input limit
 * and never blocking on a FIFO or device. A missing, unreadable, oversized or blocking input is a
 * {@link CliError} naming the flag and the file; a UTF-8 byte-order mark is dropped.
 */
export async function readInput(
  flag: string,
  path: string,
  io: CliIo,
  budget: InputBudget = inputBudget(),
): Promise<InputText> {
  const limit = Math.min(INPUT_LIMITS.maxBytes, budget.remaining);
  const tooMuchTogether = limit < INPUT_LIMITS.maxBytes;
  const fail = (reason: Reason, input: string): never => {
    const r =
      tooMuchTogether && reason.code === 'INPUT_TOO_LARGE'
        ? {
            ...reason,
            problem: `the inputs together are more than the ${formatBytes(INPUT_LIMITS.maxTotalBytes)} limit`,
            fix: 'pass fewer or smaller evidence files',
          }
        : reason;
    throw new CliError(input, r.problem, r.fix, { code: r.code });
  };
  let bytes: Uint8Array;
  let text: string;
  let name: string;
  if (path === '-') {
    const input = `${flag} -`;
    name = 'stdin';
    if (io.stdinIsTTY) {
      const hint =
        flag === '--dmesg'
          ? STDIN_TTY_HINT
          : `reading ${flag} from standard input; paste it and press Ctrl-D, or pipe it: coco ... ${flag} - < file`;
      io.stderr.write(`coco: ${hint}\n`);
    }
    let got: string | Uint8Array;
    try {
      got = await io.readStdin(limit);
    } catch (error) {
      if (error instanceof ReadStopped) return fail(reasonOfStop(error.stop, flag, 'standard input'), input);
      const code = (error as NodeJS.ErrnoException).code;
      return fail(
        {
          code: 'FILE_UNREADABLE',
          problem: `standard input cannot be read (${code ?? 'error'})`,
          fix: 'pipe the file into coco, or give its path',
        },
        input,
      );
    }
    bytes = typeof got === 'string' ? Buffer.from(got, 'utf8') : got;
    if (bytes.byteLength > limit) {
      return fail(reasonOfStop({ kind: 'too-large', limit }, flag, 'standard input'), input);
    }
    text = typeof got === 'string' ? (got.charCodeAt(0) === 0xfeff ? got.slice(1) : got) : decodeText(got);
  } else {
    const input = `${flag} ${path}`;
    const full = resolve(io.cwd, path);
    name = path;
    try {
      bytes = await readFileLimited(full, { ...INPUT_LIMITS, maxBytes: limit });
    } catch (error) {
      if (error instanceof ReadStopped) return fail(reasonOfStop(error.stop, flag, 'the file'), input);
      return fail(reasonOfErrno((error as NodeJS.ErrnoException).code, full), input);
    }
    text = decodeText(bytes);
  }
  budget.remaining -= bytes.byteLength;
  return { text, name };
}

const DECODE_PIECE = 64 * 1024;

/** A kernel log read as a stream: the lines kept, and the name errors and evidence use. */
export interface LogInput {
  readonly reading: KernelLogReading;
  readonly name: string;
}

/**
 * Stops V8 from growing its young generation for the rest of this (short-lived) process. A log
 * streams through in pieces that die young, but every scavenge finds the piece being read still
 * alive, and V8 grows the young generation by the bytes that survived in total: on a 500 MB log it
 * reached its largest size (peak RSS 87 MiB against 64 MiB for 50 MB). At its first size both
 * logs peak at 59 MiB and the reading is no slower. V8 reads this flag each time it would grow.
 */
function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}

/**
 * Reads the kernel log a flag names (`-` is standard input) as a stream of chunks into a
 * kernel-log reader, never holding the whole log: with `keep` (a registry's `logPatterns`) only
 * those lines are kept, and the log may be up to `INPUT_LIMITS.maxLogBytes`, outside the budget
 * of the other inputs; without it every line is kept, within the limits of any input. Errors are
 * those of {@link readInput}; a log that is not text is core's `KERNEL_LOG_INVALID`.
 */
export async function readLogInput(
  flag: string,
  path: string,
  io: CliIo,
  budget: InputBudget = inputBudget(),
  keep?: readonly RegExp[],
): Promise<LogInput> {
  if (!keep || (path === '-' && !io.streamStdin)) {
    const { text, name } = await readInput(flag, path, io, budget);
    const reader = createKernelLogReader({ source: name, ...(keep && { keep }) });
    reader.push(text);
    return { reading: reader.finish(), name };
  }
  const limit = INPUT_LIMITS.maxLogBytes;
  keepYoungGenerationSmall();
  const fail = (reason: Reason, input: string): never => {
    throw new CliError(input, reason.problem, reason.fix, { code: reason.code });
  };
  const name = path === '-' ? 'stdin' : path;
  // The bytes go to the reader one character per byte (latin1, a copy), and only the lines it
  // reads are decoded from UTF-8: decoding every byte cost more than the rest of the reading.
  const reader = createKernelLogReader({ source: name, keep, utf8Bytes: true });
  let first = true;
  // In pieces of 64 KiB: strings that small are young-generation garbage, collected at once, where
  // a 1 MiB string would wait for a full collection and grow the heap with the log.
  const onChunk = (bytes: Uint8Array) => {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let at = 0;
    if (first && buffer.byteLength > 0) {
      first = false;
      // A UTF-8 byte-order mark (as the decoder drops it when the text is decoded whole).
      if (buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) at = 3;
    }
    for (; at < buffer.byteLength; at += DECODE_PIECE) {
      reader.push(buffer.toString('latin1', at, Math.min(at + DECODE_PIECE, buffer.byteLength)));
    }
  };
  if (path === '-') {
    const input = `${flag} -`;
    if (io.stdinIsTTY) io.stderr.write(`coco: ${STDIN_TTY_HINT}\n`);
    try {
      await (io.streamStdin as NonNullable<CliIo['streamStdin']>)(limit, onChunk);
    } catch (error) {
      if (error instanceof ReadStopped) return fail(reasonOfStop(error.stop, flag, 'standard input'), input);
      if (isCocoError(error) || !(error as NodeJS.ErrnoException | null)?.code) throw error;
      return fail(
        {
          code: 'FILE_UNREADABLE',
          problem: `standard input cannot be read (${(error as NodeJS.ErrnoException).code})`,
          fix: 'pipe the file into coco, or give its path',
        },
        input,
      );
    }
  } else {
    const input = `${flag} ${path}`;
    const full = resolve(io.cwd, path);
    try {
      await streamFileLimited(full, { ...INPUT_LIMITS, maxBytes: limit }, onChunk, STREAM_CHUNK, true);
    } catch (error) {
      if (error instanceof ReadStopped) return fail(reasonOfStop(error.stop, flag, 'the file'), input);
      if (isCocoError(error) || !(error as NodeJS.ErrnoException | null)?.code) throw error;
      return fail(reasonOfErrno((error as NodeJS.ErrnoException).code, full), input);
    }
  }
  return { reading: reader.finish(), name };
}
