import { writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import { readDescriptor, STREAM_CHUNK, streamDescriptor } from './read-limited.js';

/** A stream the CLI writes to. */
export interface CliOutput {
  write(text: string): void;
  /**
   * Writes UTF-8 bytes as they are (`coco fleet` writes its workers' records so, without decoding
   * them). Optional: without it, the bytes are decoded and given to {@link CliOutput.write}.
   */
  writeBytes?(bytes: Uint8Array): void;
  /** True when the stream is a terminal (colour is only ever used on one). */
  readonly isTTY?: boolean | undefined;
}

/** Everything the CLI touches outside itself, so tests can run it in-process. */
export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  /**
   * Reads all of standard input (text, or bytes decoded as UTF-8). `maxBytes` is the input limit:
   * an implementation should stop reading soon after it, whatever it returns is checked against it.
   */
  readStdin(maxBytes: number): string | Uint8Array | Promise<string | Uint8Array>;
  /**
   * Reads standard input in chunks, handing each to `onChunk` and keeping none (a kernel log read
   * as a stream; a chunk may be overwritten once `onChunk` returns). Optional: without it,
   * standard input is read whole with {@link readStdin}.
   */
  streamStdin?(maxBytes: number, onChunk: (chunk: Uint8Array) => void): Promise<void>;
  /** True when standard input is a terminal: reading it prints a hint instead of waiting silently. */
  readonly stdinIsTTY?: boolean | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The directory relative paths (files, `--plugin` modules) are resolved from. */
  readonly cwd: string;
}

const WRITE_FIX: Readonly<Record<string, string>> = {
  ENOSPC: 'free space on the device, or write the output elsewhere',
  EDQUOT: 'free space within your quota, or write the output elsewhere',
  EFBIG: 'write the output to a file system that takes larger files',
  EIO: 'write the output elsewhere',
};

/** The one line for an output that cannot be written (not a closed pipe). */
export function writeFailedLine(name: 'standard output' | 'standard error', error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code ?? 'an unknown error';
  const fix = WRITE_FIX[code] ?? 'check where the output goes, or write it elsewhere';
  return `coco: WRITE_FAILED: ${name}: it cannot be written (${code}). Fix: ${fix}`;
}

let pipesGuarded = false;

/**
 * A reader that went away (`coco ... | head -1`) ends the output quietly, not with a stack trace;
 * any other write error (a full disk) ends it with one line on stderr and exit status 2.
 */
function guardPipes(): void {
  if (pipesGuarded) return;
  pipesGuarded = true;
  const streams = [
    [process.stdout, 'standard output'],
    [process.stderr, 'standard error'],
  ] as const;
  for (const [stream, name] of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      if (name === 'standard output') {
        try {
          writeSync(2, `${writeFailedLine(name, error)}\n`);
        } catch {
          // stderr cannot be written either: the status is all that is left.
        }
      }
      process.exit(2);
    });
  }
}

/** The real process: its streams, environment and working directory. */
export function processIo(): CliIo {
  guardPipes();
  return {
    stdout: {
      write: (text) => void process.stdout.write(text),
      writeBytes: (bytes) => void process.stdout.write(bytes),
      isTTY: process.stdout.isTTY === true,
    },
    stderr: {
      write: (text) => void process.stderr.write(text),
      isTTY: process.stderr.isTTY === true,
    },
    readStdin: (maxBytes) =>
      readDescriptor(
        0,
        { maxBytes, idleMs: Number.POSITIVE_INFINITY, totalMs: Number.POSITIVE_INFINITY },
        null,
      ),
    streamStdin: async (maxBytes, onChunk) => {
      await streamDescriptor(
        0,
        { maxBytes, idleMs: Number.POSITIVE_INFINITY, totalMs: Number.POSITIVE_INFINITY },
        null,
        onChunk,
        STREAM_CHUNK,
        true,
      );
    },
    stdinIsTTY: isatty(0),
    env: process.env,
    cwd: process.cwd(),
  };
}
