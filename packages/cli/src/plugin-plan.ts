import { CliError } from './errors.js';

/** The time a command with `--plugin` modules may take, unless `--plugin-timeout` says otherwise. */
export const DEFAULT_PLUGIN_TIMEOUT_SECONDS = 5;

/** The largest `--plugin-timeout`, in seconds (an hour). */
export const MAX_PLUGIN_TIMEOUT_SECONDS = 3600;

/** The `--plugin` modules of a command line and its time limit. */
export interface PluginPlan {
  /** The `--plugin` values, in order. */
  readonly plugins: readonly string[];
  /** The time limit in milliseconds. */
  readonly timeoutMs: number;
}

/** Parses a `--plugin-timeout` value (seconds, a decimal number) into milliseconds. */
export function parsePluginTimeout(text: string): number {
  const seconds = /^\d{1,4}(\.\d{1,3})?$/.test(text) ? Number(text) : Number.NaN;
  if (!(seconds > 0 && seconds <= MAX_PLUGIN_TIMEOUT_SECONDS)) {
    throw new CliError(
      `--plugin-timeout ${text}`,
      'it is not a number of seconds from 0.001 to 3600',
      `give the seconds a command with --plugin may take, such as --plugin-timeout 30 (the default is ${DEFAULT_PLUGIN_TIMEOUT_SECONDS})`,
    );
  }
  return Math.round(seconds * 1000);
}

/**
 * Finds the `--plugin` and `--plugin-timeout` flags of a command line (`argv` after the command
 * name) without the command's option table: enough to decide whether the command must run
 * isolated from the main thread. The command itself parses its flags strictly again.
 */
export function pluginPlan(argv: readonly string[]): PluginPlan {
  const plugins: string[] = [];
  let timeout: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === '--') break;
    if (token === '--plugin' || token === '--plugin-timeout') {
      const value = argv[i + 1];
      if (value === undefined) break;
      if (token === '--plugin') plugins.push(value);
      else timeout = value;
      i++;
    } else if (token.startsWith('--plugin=')) {
      plugins.push(token.slice('--plugin='.length));
    } else if (token.startsWith('--plugin-timeout=')) {
      timeout = token.slice('--plugin-timeout='.length);
    }
  }
  const timeoutMs =
    timeout === undefined ? DEFAULT_PLUGIN_TIMEOUT_SECONDS * 1000 : parsePluginTimeout(timeout);
  return { plugins, timeoutMs };
}
