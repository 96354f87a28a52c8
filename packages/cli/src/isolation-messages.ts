import type { Phase } from './phase.js';
import type { ReadStop } from './read-limited.js';

/** What the main thread hands the worker of a command with `--plugin` modules. */
export interface WorkerInput {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  readonly stdinIsTTY: boolean;
}

/** Messages from the worker to the main thread. */
export type ToMain =
  | { readonly type: 'write'; readonly stream: 'stdout' | 'stderr'; readonly text: string }
  | { readonly type: 'phase'; readonly phase: Phase }
  | { readonly type: 'stdin'; readonly maxBytes: number }
  | { readonly type: 'done'; readonly status: number };

/** The main thread's answer to a `stdin` request: the data, or why it could not be read. */
export type FromMain =
  | { readonly ok: true; readonly data: string | Uint8Array }
  | { readonly ok: false; readonly stop?: ReadStop; readonly code?: string };
