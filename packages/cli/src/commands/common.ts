import type { Registry } from '@coco/core';
import { listFlag, type OptionTable, type ParsedArgs, parseCommandArgs, stringFlag } from '../args.js';
import type { CliIo } from '../io.js';
import { parsePluginTimeout } from '../plugin-plan.js';
import { commandRegistry } from '../registry.js';

/** What `run` hands a command. */
export interface CommandContext {
  readonly io: CliIo;
  /** The arguments after the command's name. */
  readonly argv: readonly string[];
}

/** A command's module: its help text and its action, returning the exit status. */
export interface CommandModule {
  readonly help: string;
  run(context: CommandContext): Promise<number>;
}

/** Help lines every command shares. */
export const COMMON_HELP = `  --plugin MODULE     load a third-party plugin (its default export) first: a file, a package
                      directory or an installed package name; repeatable
  --plugin-timeout S  with --plugin, the seconds the command may take (default 5)
  --no-color          no colours (the same as NO_COLOR=1)
  -h, --help          show this help`;

/** Parsed arguments and the registry, or `null` after printing `--help`. */
export interface Prepared extends ParsedArgs {
  readonly registry: Registry;
}

/** Parses a command's flags, answers `--help`, and builds the registry with `--plugin` modules. */
export async function prepare(
  command: string,
  help: string,
  context: CommandContext,
  options: OptionTable,
  maxPositionals = 0,
): Promise<Prepared | null> {
  const args = parseCommandArgs(command, context.argv, options, maxPositionals);
  if (args.values.help === true) {
    context.io.stdout.write(help);
    return null;
  }
  const timeout = stringFlag(args.values, 'plugin-timeout');
  if (timeout !== undefined) parsePluginTimeout(timeout);
  const registry = await commandRegistry(listFlag(args.values, 'plugin'), context.io.cwd);
  return { ...args, registry };
}
