import { type CocoErrorCode, isCocoError } from '@coco/core';
import { safeText } from './render/safe-text.js';

/** Exit statuses of the `coco` command (the architecture's contract). */
export const EXIT = Object.freeze({
  /** Success, including a machine that is not a confidential guest. */
  ok: 0,
  /** A bug in coco: an error nobody threw on purpose. */
  internal: 1,
  /** Bad usage, an input that cannot be read or is invalid, an output that cannot be written. */
  usage: 2,
  /** The evidence contradicts itself. */
  conflict: 3,
  /** The evidence cannot decide whether the machine is a confidential guest ("cannot tell"). */
  undecided: 4,
});

/**
 * The stable codes of the command line's own errors (the README's table gives each one's meaning
 * and fix). A code never changes meaning within a major version; messages may improve. Errors from
 * `@coco/core` and the plugins keep core's codes ({@link CocoErrorCode}).
 *
 * - `USAGE`: an unknown command or flag, a missing or repeated flag, a value that is not accepted.
 * - `FILE_NOT_FOUND`: an input file does not exist.
 * - `FILE_UNREADABLE`: an input exists but cannot be read (permissions, a directory, an I/O error).
 * - `INPUT_TOO_LARGE`: an input is larger than the limit (16 MiB each, 64 MiB together).
 * - `INPUT_BLOCKING`: an input would block: `/dev/kmsg`, a FIFO or character device that gives no
 *   data in time, a terminal.
 * - `OUTPUT_TOO_LARGE`: `coco snapshot` would write a document larger than `--snapshot` reads.
 * - `WRITE_FAILED`: standard output or error cannot be written (a full disk; not a closed pipe).
 * - `PLUGIN_NOT_FOUND`: a `--plugin` module cannot be found.
 * - `PLUGIN_LOAD_FAILED`: a `--plugin` module was found but importing it failed, or it exports
 *   no plugin.
 * - `PLUGIN_TIMEOUT`: the command with `--plugin` modules did not finish within the time limit.
 * - `PLUGIN_FAILED`: a plugin threw outside any call coco made, or ended the process; or, outside
 *   detection, its `createType` threw or returned no type of its own, or its type or variants threw.
 * - `INTERNAL`: a bug in coco (exit 1).
 */
export type CliErrorCode =
  | 'USAGE'
  | 'FILE_NOT_FOUND'
  | 'FILE_UNREADABLE'
  | 'INPUT_TOO_LARGE'
  | 'INPUT_BLOCKING'
  | 'OUTPUT_TOO_LARGE'
  | 'WRITE_FAILED'
  | 'PLUGIN_NOT_FOUND'
  | 'PLUGIN_LOAD_FAILED'
  | 'PLUGIN_TIMEOUT'
  | 'PLUGIN_FAILED'
  | 'INTERNAL';

/** Every code a `coco` error line can carry: the CLI's own and core's. */
export type ErrorCode = CliErrorCode | CocoErrorCode;

/** Options of {@link CliError}. */
export interface CliErrorOptions {
  /** The stable code; `USAGE` unless given. */
  readonly code?: ErrorCode;
  /** Where inside the input, when known. */
  readonly location?: string;
}

/** `coco pte` and `coco` as an input only repeat the `coco:` every line starts with. */
function bareInput(input: string): string {
  if (input === 'coco') return '';
  return input.startsWith('coco ') ? input.slice(5) : input;
}

/**
 * An error of the command line itself (a flag, a file, a plugin module), shaped like core's
 * errors: a stable `code`, what was wrong (`input`), where (`location`), and what to do (`fix`).
 */
export class CliError extends Error {
  readonly code: ErrorCode;
  readonly input: string;
  readonly location: string | undefined;
  readonly fix: string;
  readonly problem: string;

  constructor(input: string, problem: string, fix: string, options: CliErrorOptions = {}) {
    const bare = bareInput(input);
    const where = options.location ? `${bare} (${options.location})` : bare;
    super(`${where ? `${where}: ` : ''}${problem}. Fix: ${fix}`);
    this.name = 'CliError';
    this.code = options.code ?? 'USAGE';
    this.input = bare;
    this.location = options.location;
    this.problem = problem;
    this.fix = fix;
  }
}

/** Squeezes a message onto one line (stderr gets exactly one line per error). */
export function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ').trim();
}

/** The most characters of one echoed value (a flag's value, a name, a path) an error line shows. */
export const ECHO_MAX = 80;

/** A run of non-space characters longer than {@link ECHO_MAX}. */
const LONG_RUN = new RegExp(`\\S{${ECHO_MAX + 1},}`, 'g');

/**
 * Cuts every value an error line echoes to about {@link ECHO_MAX} characters: each run of
 * non-space characters longer than that keeps its start and its end (a path keeps its file name)
 * around "…", so `--param <100,000 characters>=1` cannot make a 100 kB error line.
 */
export function clipEchoes(text: string): string {
  const half = ECHO_MAX / 2;
  return text.replace(LONG_RUN, (run) => `${run.slice(0, half)}…${run.slice(-(half - 1))}`);
}

/**
 * The one stderr line and exit status for anything a command threw: `coco: CODE: message`. The
 * message is shown with control characters escaped: it may hold a plugin's text or a file name.
 */
export function describeFailure(error: unknown, debug: boolean): { line: string; status: number } {
  if (error instanceof CliError || isCocoError(error)) {
    const code = typeof error.code === 'string' ? error.code : 'USAGE';
    return {
      line: `coco: ${safeText(clipEchoes(code))}: ${safeText(clipEchoes(oneLine(error.message)))}`,
      status: EXIT.usage,
    };
  }
  let message: string;
  try {
    message = error instanceof Error ? error.message : String(error);
  } catch {
    message = 'an unprintable error';
  }
  const stack = debug && error instanceof Error && error.stack ? `\n${error.stack}` : '';
  return {
    line: `coco: INTERNAL: internal error: ${safeText(clipEchoes(oneLine(message)))}. Fix: please report it with the command you ran (COCO_DEBUG=1 shows the stack)${stack}`,
    status: EXIT.internal,
  };
}
