import { isCocoError } from '@coco/core';

/** Exit statuses of the `coco` command (the architecture's contract). */
export const EXIT = Object.freeze({
  /** Success, including a machine that is not a confidential guest. */
  ok: 0,
  /** A bug in coco: an error nobody threw on purpose. */
  internal: 1,
  /** Bad usage, or an input that cannot be read or is invalid. */
  usage: 2,
  /** The evidence contradicts itself. */
  conflict: 3,
  /** The evidence cannot decide whether the machine is a confidential guest ("cannot tell"). */
  undecided: 4,
});

/**
 * An error of the command line itself (a flag, a file, a plugin module), shaped like core's
 * errors: what was wrong (`input`), where (`location`), and what to do (`fix`).
 */
export class CliError extends Error {
  readonly input: string;
  readonly location: string | undefined;
  readonly fix: string;
  readonly problem: string;

  constructor(input: string, problem: string, fix: string, location?: string) {
    super(`${location ? `${input} (${location})` : input}: ${problem}. Fix: ${fix}`);
    this.name = 'CliError';
    this.input = input;
    this.location = location;
    this.problem = problem;
    this.fix = fix;
  }
}

/** Squeezes a message onto one line (stderr gets exactly one line per error). */
export function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ').trim();
}

/** The one stderr line and exit status for anything a command threw. */
export function describeFailure(error: unknown, debug: boolean): { line: string; status: number } {
  if (error instanceof CliError || isCocoError(error)) {
    return { line: `coco: ${oneLine(error.message)}`, status: EXIT.usage };
  }
  const message = error instanceof Error ? error.message : String(error);
  const stack = debug && error instanceof Error && error.stack ? `\n${error.stack}` : '';
  return {
    line: `coco: internal error: ${oneLine(message)}. Fix: please report it with the command you ran (COCO_DEBUG=1 shows the stack)${stack}`,
    status: EXIT.internal,
  };
}
