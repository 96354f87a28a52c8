import type { CommandModule } from './commands/common.js';
import { didYouMean } from './did-you-mean.js';
import { CliError, describeFailure, EXIT } from './errors.js';
import { type CliIo, processIo } from './io.js';
import { pluginPlan } from './plugin-plan.js';

/** A command: its one-line summary and its module, loaded only when it runs. */
export interface CommandEntry {
  readonly summary: string;
  load(): Promise<CommandModule>;
}

/** Every command, loaded only when it runs so start-up stays light. */
export const COMMANDS: Readonly<
  Record<string, { readonly summary: string; load(): Promise<CommandModule> }>
> = {
  detect: {
    summary: 'detect this machine, or the machine evidence files describe',
    load: () => import('./commands/detect.js'),
  },
  explain: {
    summary: 'the same inputs; the reasoning trail step by step',
    load: () => import('./commands/explain.js'),
  },
  snapshot: {
    summary: "write this machine's evidence as coco-snapshot/2 JSON (or /1)",
    load: () => import('./commands/snapshot.js'),
  },
  attrs: {
    summary: 'the attribute table of every registered type and variant',
    load: () => import('./commands/attrs.js'),
  },
  pte: {
    summary: 'mark or decode a 64-bit entry; draws its bit layout',
    load: () => import('./commands/pte.js'),
  },
  examples: {
    summary: 'list the bundled evidence of real public machines',
    load: () => import('./commands/examples.js'),
  },
  fleet: {
    summary: 'detect many machines from snapshot files and directories; NDJSON',
    load: () => import('./commands/fleet.js'),
  },
};

/** Commands for the shell around coco: completion scripts and the manual page. */
export const SHELL_COMMANDS: Readonly<Record<string, CommandEntry>> = {
  completion: {
    summary: 'print a completion script for bash, zsh or fish',
    load: () => import('./commands/completion.js'),
  },
  man: {
    summary: 'print the manual page (roff), made from these help texts',
    load: () => import('./commands/man.js'),
  },
};

/** The command named `name`, of either table. */
function commandOf(name: string): CommandEntry | undefined {
  if (Object.hasOwn(COMMANDS, name)) return COMMANDS[name];
  if (Object.hasOwn(SHELL_COMMANDS, name)) return SHELL_COMMANDS[name];
  return undefined;
}

/** Every command name, `help` included, in the order the help lists them. */
export function commandNames(): string[] {
  return [...Object.keys(COMMANDS), ...Object.keys(SHELL_COMMANDS), 'help'];
}

// Replaced with package.json's version by the build (tsup `define`); absent when run from source.
declare const COCO_CLI_VERSION: string | undefined;

/** The version printed by `coco --version`: this package's version. */
export const VERSION: string = typeof COCO_CLI_VERSION === 'string' ? COCO_CLI_VERSION : '0.0.0-source';

/** `coco --help`. */
export const HELP = `Usage: coco <command> [flags]

Tells which type of confidential VM a Linux machine is (TDX, AMD SEV/SEV-ES/SEV-SNP with a C-bit,
AMD vTOM, under Hyper-V with or without a paravisor), which attributes follow, and how pages are
marked encrypted.

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`)
  .join('\n')}

Shell:
${Object.entries(SHELL_COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`)
  .join('\n')}
  help CMD  the help of a command (the same as coco CMD --help)

Every command takes --help, --no-color (or set NO_COLOR), and --plugin MODULE (repeatable) to load a third-party plugin; a
command with plugins runs isolated and must finish within --plugin-timeout SECONDS (default 5).
Exit status: 0 success (for detect and explain: decided, yes or no), 2 bad usage, input or
output (one line: coco: CODE: ...), 3 conflicting evidence, 4 cannot tell (the evidence cannot
decide; the output says what would).

coco -V (or -v, --version) prints the version.

Examples:
  coco detect
  coco detect --cvm
  coco detect --example azure-snp-paravisor
  coco explain --cpuid cpuid.txt --dmesg dmesg.txt
  source <(coco completion bash)
`;

/**
 * The command line with `--no-color` applied: a leading one (`coco --no-color detect`) is taken
 * off, and any before `--` sets NO_COLOR for the run (commands accept the flag too).
 */
function applyNoColor(argv: readonly string[], io: CliIo): { argv: readonly string[]; io: CliIo } {
  const end = argv.indexOf('--');
  const flags = end === -1 ? argv : argv.slice(0, end);
  if (!flags.includes('--no-color')) return { argv, io };
  let start = 0;
  while (argv[start] === '--no-color') start++;
  return { argv: argv.slice(start), io: { ...io, env: { ...io.env, NO_COLOR: '1' } } };
}

/**
 * Runs the `coco` command line with `argv` (the arguments after the program name) and returns the
 * exit status. Errors never escape: each becomes one line on `io.stderr`. A command given
 * `--plugin` modules runs in a worker thread with a time limit (`--plugin-timeout`), so that a
 * plugin that never returns cannot hang it (`coco fleet`, whose plugins run only in its own
 * workers, limits each machine); without plugins it runs here, at no extra cost. Every
 * call builds its own registry: plugins of one call are not registered in the next.
 */
export async function run(args: readonly string[], given: CliIo = processIo()): Promise<number> {
  const { argv, io } = applyNoColor(args, given);
  try {
    const [name, ...rest] = argv;
    if (name !== undefined && commandOf(name) !== undefined) {
      const plan = pluginPlan(rest);
      // coco fleet loads plugins only in its worker threads, and holds each machine to the limit
      // itself (fleet/pool.ts): a time limit on the whole run would end a large fleet part-way.
      if (plan.plugins.length > 0 && name !== 'fleet') {
        const { runInWorker, workerScript } = await import('./isolation.js');
        const script = workerScript();
        if (script) return await runInWorker(argv, io, plan, script);
      }
    }
  } catch (error) {
    const { line, status } = describeFailure(error, Boolean(io.env.COCO_DEBUG));
    io.stderr.write(`${line}\n`);
    return status;
  }
  return runCommand(argv, io);
}

/** Runs a command in this thread (the worker of a command with plugins runs it too). */
export async function runCommand(args: readonly string[], given: CliIo): Promise<number> {
  const { argv, io } = applyNoColor(args, given);
  const debug = Boolean(io.env.COCO_DEBUG);
  const names = commandNames();
  try {
    const [name, ...rest] = argv;
    if (name === undefined) {
      throw new CliError('coco', 'no command given', `use one of ${names.join(', ')} (coco --help)`);
    }
    if (name === 'help' && rest.length > 0) {
      const topic = rest[0] as string;
      const entry = rest.length === 1 ? commandOf(topic) : undefined;
      if (!entry) {
        const meant = rest.length === 1 ? didYouMean(topic, names) : undefined;
        throw new CliError(
          'coco help',
          rest.length > 1 ? 'it takes one command' : `no command is called ${JSON.stringify(topic)}`,
          meant ? `did you mean coco help ${meant}?` : `use one of ${names.join(', ')}`,
        );
      }
      io.stdout.write((await entry.load()).help);
      return EXIT.ok;
    }
    if (name === '--help' || name === '-h' || name === 'help') {
      io.stdout.write(HELP);
      return EXIT.ok;
    }
    if (name === '--version' || name === '-v' || name === '-V') {
      io.stdout.write(`${VERSION}\n`);
      return EXIT.ok;
    }
    const command = commandOf(name);
    if (!command) {
      const flag = name.startsWith('-');
      const what = flag
        ? `unknown flag ${name} before the command`
        : `unknown command ${JSON.stringify(name)}`;
      const meant = flag ? undefined : didYouMean(name, names);
      throw new CliError(
        'coco',
        what,
        meant
          ? `did you mean ${meant}? (coco --help lists the commands)`
          : `use one of ${names.join(', ')} (coco --help)`,
      );
    }
    const module = await command.load();
    return await module.run({ io, argv: rest });
  } catch (error) {
    const { line, status } = describeFailure(error, debug);
    io.stderr.write(`${line}\n`);
    return status;
  }
}
