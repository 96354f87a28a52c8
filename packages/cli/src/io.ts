import { readFileSync } from 'node:fs';

/** A stream the CLI writes to. */
export interface CliOutput {
  write(text: string): void;
  /** True when the stream is a terminal (colour is only ever used on one). */
  readonly isTTY?: boolean | undefined;
}

/** Everything the CLI touches outside itself, so tests can run it in-process. */
export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  /** Reads all of standard input as UTF-8 text. */
  readStdin(): string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The directory relative paths (files, `--plugin` modules) are resolved from. */
  readonly cwd: string;
}

let pipesGuarded = false;

/** A reader that went away (`coco ... | head -1`) ends the output quietly, not with a stack trace. */
function guardPipes(): void {
  if (pipesGuarded) return;
  pipesGuarded = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
}

/** The real process: its streams, environment and working directory. */
export function processIo(): CliIo {
  guardPipes();
  return {
    stdout: {
      write: (text) => void process.stdout.write(text),
      isTTY: process.stdout.isTTY === true,
    },
    stderr: {
      write: (text) => void process.stderr.write(text),
      isTTY: process.stderr.isTTY === true,
    },
    readStdin: () => readFileSync(0, 'utf8'),
    env: process.env,
    cwd: process.cwd(),
  };
}
