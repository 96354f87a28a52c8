import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError } from './errors.js';

/**
 * Writes `text` to `path` whole or not at all: first to `.NAME.tmp` in the same directory, then
 * renamed over `path`. node-feature-discovery ignores dot files and asks writers to do exactly this;
 * node_exporter's textfile collector reads only `*.prom` files, so it never sees the temporary one.
 */
export function writeOutput(path: string, text: string, cwd: string): void {
  const target = resolve(cwd, path);
  const temporary = join(dirname(target), `.${basename(target)}.tmp`);
  try {
    writeFileSync(temporary, text, { mode: 0o644 });
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    const code = (error as NodeJS.ErrnoException | null)?.code ?? 'an unknown error';
    throw new CliError(
      `--output ${path}`,
      `it cannot be written (${code})`,
      'check that its directory exists and is writable',
      {
        code: 'WRITE_FAILED',
      },
    );
  }
}
