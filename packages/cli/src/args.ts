import { didYouMean } from './did-you-mean.js';
import { CliError } from './errors.js';

/** How one flag is parsed: a string value or a switch; `multiple` flags may repeat. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  /** A one-letter alias, used as `-x`. */
  readonly short?: string;
}

/** The option table of one command (the shape of `node:util` `parseArgs` options). */
export type OptionTable = Readonly<Record<string, OptionSpec>>;

/** What every command accepts besides its own flags. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  plugin: { type: 'string', multiple: true },
  'plugin-timeout': { type: 'string' },
  /** Plain text: the same as NO_COLOR=1 (`run` applies it before the command starts). */
  'no-color': { type: 'boolean' },
} as const satisfies OptionTable;

/** Parsed flags: strings, booleans, or lists for repeatable flags. */
export type ParsedValues = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

/** The flags and positional arguments of one command line. */
export interface ParsedArgs {
  readonly values: ParsedValues;
  readonly positionals: readonly string[];
}

/** A token that may stand where a positional argument goes although it starts with `-`: `-1`, `-0x10`. */
const NEGATIVE_NUMBER = /^-[0-9.]/;

/**
 * Parses a command's arguments strictly: an unknown flag, a missing value, a flag that takes one
 * value given twice, or an unexpected argument is a {@link CliError} (exit 2) naming it and
 * pointing at `--help`.
 *
 * A value may start with `-` (`--tdx-gpaw -1`, `--dmesg -x.log`): the argument after a flag that
 * takes a value is its value unless it is one of the command's flags; `--flag=value` always works.
 * `-` alone is a value (standard input), and `--` ends the flags.
 */
export function parseCommandArgs(
  command: string,
  argv: readonly string[],
  options: OptionTable,
  maxPositionals = 0,
): ParsedArgs {
  const help = `run coco ${command} --help`;
  const table: Record<string, OptionSpec> = { ...COMMON_OPTIONS, ...options };
  const shorts = new Map<string, string>();
  for (const [name, spec] of Object.entries(table)) if (spec.short) shorts.set(spec.short, name);
  const fail = (problem: string, fix = help) => new CliError(command, problem, fix);

  /** The flag a token names (`--json`, `--json=x`, `-h`), or `undefined`. */
  const flagOf = (token: string): string | undefined => {
    if (token.startsWith('--')) {
      const name = token.slice(2).split('=')[0] as string;
      return Object.hasOwn(table, name) ? name : undefined;
    }
    if (/^-[^-]$/.test(token)) return shorts.get(token.slice(1));
    return undefined;
  };

  const values: Record<string, string | boolean | string[]> = {};
  const positionals: string[] = [];
  const set = (name: string, value: string | boolean) => {
    const spec = table[name] as OptionSpec;
    if (spec.multiple) {
      const list = (values[name] as string[] | undefined) ?? [];
      list.push(value as string);
      values[name] = list;
      return;
    }
    if (Object.hasOwn(values, name)) {
      const before = values[name];
      const shown =
        spec.type === 'string' ? ` (${JSON.stringify(before)}, then ${JSON.stringify(value)})` : '';
      throw fail(`--${name} is given twice${shown}`, `give --${name} once; ${help}`);
    }
    values[name] = value;
  };

  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (token === '-' || !token.startsWith('-')) {
      positionals.push(token);
      continue;
    }
    const name = flagOf(token);
    if (name === undefined) {
      if (NEGATIVE_NUMBER.test(token) && maxPositionals > 0) {
        positionals.push(token);
        continue;
      }
      const shown = token.startsWith('--') ? (token.split('=')[0] as string) : token;
      const names = Object.keys(table);
      const bare = shown.replace(/^-+/, '');
      const meant = bare.length > 1 ? didYouMean(bare, names) : undefined;
      throw fail(`unknown flag ${shown}`, meant ? `did you mean --${meant}? ${help}` : help);
    }
    const spec = table[name] as OptionSpec;
    const eq = token.startsWith('--') ? token.indexOf('=') : -1;
    if (spec.type === 'boolean') {
      if (eq !== -1) throw fail(`--${name} takes no value`);
      set(name, true);
      continue;
    }
    if (eq !== -1) {
      set(name, token.slice(eq + 1));
      continue;
    }
    const next = argv[i + 1];
    if (next === undefined) throw fail(`--${name} needs a value`);
    if (next !== '-' && next.startsWith('-') && (next === '--' || flagOf(next) !== undefined)) {
      throw fail(
        `--${name} needs a value (${next} is a flag)`,
        `give the value after --${name}; for a value that starts with -, write --${name}=VALUE`,
      );
    }
    set(name, next);
    i++;
  }
  if (positionals.length > maxPositionals) {
    const extra = positionals[maxPositionals] ?? '';
    throw fail(
      `unexpected argument ${JSON.stringify(extra)}`,
      maxPositionals === 0 ? `${command} takes flags only; ${help}` : help,
    );
  }
  return { values, positionals };
}

/** A string flag's value, or `undefined`. */
export function stringFlag(values: ParsedValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A repeatable string flag's values, in order. */
export function listFlag(values: ParsedValues, name: string): string[] {
  const v = values[name];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' ? [v] : [];
}

/** Whether a boolean flag was given. */
export function boolFlag(values: ParsedValues, name: string): boolean {
  return values[name] === true;
}
