import { type ParseArgsConfig, parseArgs } from 'node:util';
import { CliError } from './errors.js';

/** The option table of one command, in `node:util` `parseArgs` form. */
export type OptionTable = NonNullable<ParseArgsConfig['options']>;

/** What every command accepts besides its own flags. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  plugin: { type: 'string', multiple: true },
} as const satisfies OptionTable;

/** Parsed flags: strings, booleans, or lists for repeatable flags. */
export type ParsedValues = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

/** The flags and positional arguments of one command line. */
export interface ParsedArgs {
  readonly values: ParsedValues;
  readonly positionals: readonly string[];
}

function quoted(message: string): string {
  return /'([^']+)'/.exec(message)?.[1] ?? 'the argument';
}

/**
 * Parses a command's arguments strictly: an unknown flag, a missing value or an unexpected
 * argument is a {@link CliError} (exit 2) naming it and pointing at `--help`.
 */
export function parseCommandArgs(
  command: string,
  argv: readonly string[],
  options: OptionTable,
  maxPositionals = 0,
): ParsedArgs {
  const help = `run coco ${command} --help`;
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...COMMON_OPTIONS, ...options },
      strict: true,
      allowPositionals: true,
    }) as { values: Record<string, unknown>; positionals: string[] };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      throw new CliError(`coco ${command}`, `unknown flag ${quoted(message)}`, help);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const flag = quoted(message).split(' ')[0] ?? 'a flag';
      const problem = message.includes('missing') ? `${flag} needs a value` : `${flag} takes no value`;
      throw new CliError(`coco ${command}`, problem, help);
    }
    throw new CliError(`coco ${command}`, message.replace(/\.$/, ''), help);
  }
  if (parsed.positionals.length > maxPositionals) {
    const extra = parsed.positionals[maxPositionals] ?? '';
    throw new CliError(
      `coco ${command}`,
      `unexpected argument ${JSON.stringify(extra)}`,
      maxPositionals === 0 ? `${command} takes flags only; ${help}` : help,
    );
  }
  return { values: parsed.values as ParsedValues, positionals: parsed.positionals };
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
