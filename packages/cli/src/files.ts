import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError } from './errors.js';
import type { CliIo } from './io.js';

/** Text read from a file or standard input, with the name errors and evidence use for it. */
export interface InputText {
  readonly text: string;
  /** The path as the user wrote it, or `stdin`. */
  readonly name: string;
}

/** Inputs larger than this are refused: no evidence file comes close. */
const MAX_INPUT_BYTES = 64 * 1024 * 1024;

function reasonOf(code: string | undefined, path: string): { problem: string; fix: string } {
  switch (code) {
    case 'ENOENT':
      return { problem: 'no such file', fix: `check the path (resolved to ${path})` };
    case 'EACCES':
    case 'EPERM':
      return {
        problem: 'permission denied',
        fix: 'make the file readable (chmod a+r) or run coco as a user who can read it',
      };
    case 'EISDIR':
      return { problem: 'it is a directory, not a file', fix: 'pass the file inside it' };
    case 'ENOTDIR':
      return { problem: 'a part of the path is not a directory', fix: 'check the path' };
    default:
      return {
        problem: `cannot be read (${code ?? 'unknown error'})`,
        fix: 'check the file and its permissions',
      };
  }
}

/**
 * Reads the file a flag names (`-` is standard input). A missing, unreadable or oversized file is
 * a {@link CliError} naming the flag and the file.
 */
export function readInput(flag: string, path: string, io: CliIo): InputText {
  if (path === '-') {
    let text: string;
    try {
      text = io.readStdin();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new CliError(
        `${flag} - (stdin)`,
        `standard input cannot be read (${code ?? 'error'})`,
        'pipe the file into coco, or give its path',
      );
    }
    return { text, name: 'stdin' };
  }
  const full = resolve(io.cwd, path);
  let data: Buffer;
  try {
    data = readFileSync(full);
  } catch (error) {
    const { problem, fix } = reasonOf((error as NodeJS.ErrnoException).code, full);
    throw new CliError(`${flag} ${path}`, problem, fix);
  }
  if (data.length > MAX_INPUT_BYTES) {
    throw new CliError(
      `${flag} ${path}`,
      `the file is ${data.length} bytes`,
      `pass an evidence file under ${MAX_INPUT_BYTES} bytes`,
    );
  }
  return { text: data.toString('utf8'), name: path };
}
