import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built command, run as a user runs it. */
export const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'bin.js');

/** The result of one `coco` run. */
export interface CocoRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link coco}. */
export interface CocoOptions {
  readonly input?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Milliseconds before the run is killed (its status is then `null`); 20 s unless given. */
  readonly timeout?: number;
}

/** Fails with a clear message when the command has not been built. */
export function requireBuilt(): void {
  if (!existsSync(BIN)) {
    throw new Error(`${BIN} does not exist: build first (pnpm exec turbo run build --filter=@coco/cli...)`);
  }
}

/** Runs `node dist/bin.js ...args` in a child process; colour variables are cleared unless given. */
export function coco(args: readonly string[], options: CocoOptions = {}): CocoRun {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && k !== 'NO_COLOR' && k !== 'FORCE_COLOR' && k !== 'COCO_PROBE_ROOT') env[k] = v;
  }
  const result = spawnSync(process.execPath, [BIN, ...args], {
    input: options.input ?? '',
    env: { ...env, ...options.env },
    cwd: options.cwd,
    encoding: 'utf8',
    timeout: options.timeout ?? 20_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The lines of a stream's text, without the empty last one. */
export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}
