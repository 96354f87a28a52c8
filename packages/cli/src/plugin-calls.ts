import type { BackendPlugin } from '@coco/core';
import { isCocoError } from '@coco/core';
import { BUILTIN_PLUGINS } from './builtin-plugins.js';
import { CliError } from './errors.js';

/** Core's errors that say the user's value is wrong: a plugin's schema check may throw them. */
const VALUE_CODES: ReadonlySet<unknown> = new Set([
  'PARAMETER_INVALID',
  'VALUE_OUT_OF_RANGE',
  'MASK_INVALID',
]);

/** What a plugin threw, in a few words (it may throw anything, even an object whose `toString` throws). */
function thrownText(error: unknown): string {
  try {
    const text = error instanceof Error ? error.message : String(error);
    const cut = text.length > 80 ? `${text.slice(0, 80)}…` : text;
    return error instanceof Error || typeof error === 'string' ? JSON.stringify(cut) : cut;
  } catch {
    return 'an unprintable value';
  }
}

/**
 * Runs code of `backend` (its `createType`, its type's methods) for a command (`coco pte`, `coco attrs`): a third-party
 * plugin's throw, or a value that is not a type, becomes `PLUGIN_FAILED` naming the plugin, never
 * "internal error". The CLI's own errors and core's errors about the user's values pass through.
 * A built-in backend's throw is a bug in coco and stays one.
 */
export function pluginCall<T>(backend: BackendPlugin, what: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof CliError) throw error;
    if (isCocoError(error) && VALUE_CODES.has(error.code)) throw error;
    if (BUILTIN_PLUGINS.some((p) => p.id === backend.id)) throw error;
    throw pluginFailed(backend, `its ${what} threw ${thrownText(error)}`);
  }
}

/** `PLUGIN_FAILED` naming the plugin and what went wrong. */
export function pluginFailed(backend: BackendPlugin, problem: string): CliError {
  return new CliError(
    `plugin ${backend.id} (${backend.packageName})`,
    problem,
    `leave the plugin out (--plugin) and report it to the authors of ${backend.packageName}`,
    { code: 'PLUGIN_FAILED' },
  );
}
