import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Evidence, Registry } from '@coco/core';
import { CliError } from '../errors.js';
import { probeMachine } from './index.js';

/**
 * Probes the tree `--root DIR` names (relative to `cwd`), with the registry's declared probes; a
 * path that is not a directory is a usage error naming the flag.
 */
export function probeRootFlag(dir: string, cwd: string, registry: Registry | undefined): Evidence {
  const root = resolve(cwd, dir);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(root).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      `--root ${dir}`,
      code === 'ENOENT' || code === 'ENOTDIR' ? 'no such directory' : `cannot be read (${code ?? 'error'})`,
      'give the directory of a machine image, a mounted disk or an unpacked support bundle',
      { code: code === 'ENOENT' || code === 'ENOTDIR' ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE' },
    );
  }
  if (!isDirectory)
    throw new CliError(
      `--root ${dir}`,
      'it is not a directory',
      'unpack the support bundle (tar xf sosreport-*.tar.xz) and give its directory',
      { code: 'FILE_UNREADABLE' },
    );
  return probeMachine({ root, tree: true, ...(registry && { registry }) });
}
