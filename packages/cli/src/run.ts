import type { CommandModule } from './commands/common.js';
import { CliError, describeFailure, EXIT } from './errors.js';
import { type CliIo, processIo } from './io.js';
import { pluginPlan } from './plugin-plan.js';

/** Every command, loaded only when it runs so start-up stays light. */
const COMMANDS: Readonly<Record<string, { readonly summary: string; load(): Promise<CommandModule> }>> = {
  detect: {
    summary: 'detect this machine, or the machine evidence files describe',
    load: () => import('./commands/detect.js'),
  },
  explain: {
    summary: 'the same inputs; the reasoning trail step by step',
    load: () => import('./commands/explain.js'),
  },
  snapshot: {
    summary: "write this machine's evidence as coco-snapshot/1 JSON",
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

// Replaced with package.json's version by the build (tsup `define`); absent when run from source.
declare const COCO_CLI_VERSION: string | undefined;

/** The version printed by `coco --version`: this package's version. */
export const VERSION: string = typeof COCO_CLI_VERSION === 'string' ? COCO_CLI_VERSION : '0.0.0-source';

const HELP = `Usage: coco <command> [flags]

Tells which type of confidential VM a Linux machine is (TDX, AMD SEV/SEV-ES/SEV-SNP with a C-bit,
AMD vTOM, under Hyper-V with or without a paravisor), which attributes follow, and how pages are
marked encrypted.

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`)
  .join('\n')}

Every command takes --help, and --plugin MODULE (repeatable) to load a third-party plugin; a
command with plugins runs isolated and must finish within --plugin-timeout SECONDS (default 5).
Exit status: 0 success (for detect and explain: decided, yes or no), 2 bad usage, input or
output (one line: coco: CODE: ...), 3 conflicting evidence, 4 cannot tell (the evidence cannot
decide; the output says what would).

Examples:
  coco detect
  coco detect --example azure-snp-paravisor
  coco explain --cpuid cpuid.txt --dmesg dmesg.txt
`;

/**
 * Runs the `coco` command line with `argv` (the arguments after the program name) and returns the
 * exit status. Errors never escape: each becomes one line on `io.stderr`. A command given
 * `--plugin` modules runs in a worker thread with a time limit (`--plugin-timeout`), so that a
 * plugin that never returns cannot hang it; without plugins it runs here, at no extra cost. Every
 * call builds its own registry: plugins of one call are not registered in the next.
 */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    const [name, ...rest] = argv;
    if (name !== undefined && Object.hasOwn(COMMANDS, name)) {
      const plan = pluginPlan(rest);
      if (plan.plugins.length > 0) {
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
export async function runCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const debug = Boolean(io.env.COCO_DEBUG);
  try {
    const [name, ...rest] = argv;
    if (name === undefined) {
      throw new CliError(
        'coco',
        'no command given',
        `use one of ${Object.keys(COMMANDS).join(', ')} (coco --help)`,
      );
    }
    if (name === '--help' || name === '-h' || name === 'help') {
      io.stdout.write(HELP);
      return EXIT.ok;
    }
    if (name === '--version' || name === '-v') {
      io.stdout.write(`${VERSION}\n`);
      return EXIT.ok;
    }
    const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!command) {
      const what = name.startsWith('-')
        ? `unknown flag ${name} before the command`
        : `unknown command ${JSON.stringify(name)}`;
      throw new CliError('coco', what, `use one of ${Object.keys(COMMANDS).join(', ')} (coco --help)`);
    }
    const module = await command.load();
    return await module.run({ io, argv: rest });
  } catch (error) {
    const { line, status } = describeFailure(error, debug);
    io.stderr.write(`${line}\n`);
    return status;
  }
}
