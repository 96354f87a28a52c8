import { CliError } from '../errors.js';
import { EXAMPLE_NAMES } from '../examples/index.js';
import { type HelpFlag, helpFlags } from '../help-flags.js';
import { COMMANDS, type CommandEntry, SHELL_COMMANDS } from '../run.js';
import { COMMON_HELP, type CommandContext, prepare } from './common.js';
import { DETECT_FORMATS } from './detect.js';

/** The shells `coco completion` writes for. */
export const SHELLS: readonly string[] = Object.freeze(['bash', 'zsh', 'fish']);

/** `coco completion --help`. */
export const help = `Usage: coco completion SHELL

Prints a completion script for SHELL (bash, zsh or fish): commands, each command's flags, and
the values of --format, --example and --type, made from the same tables as --help.

  SHELL               bash, zsh or fish
${COMMON_HELP}

Examples:
  source <(coco completion bash)                        # in ~/.bashrc
  coco completion zsh > "\${fpath[1]}/_coco"             # then restart zsh
  coco completion fish > ~/.config/fish/completions/coco.fish
`;

/** A command as completion sees it. */
export interface CompletionCommand {
  readonly name: string;
  readonly summary: string;
  readonly flags: readonly HelpFlag[];
  /** Words its first argument takes (`coco completion bash`, `coco examples NAME`). */
  readonly positionals: readonly string[];
}

/** The words a flag's value takes, where there is a fixed list. */
const VALUE_WORDS: Readonly<Record<string, readonly string[]>> = {
  format: DETECT_FORMATS,
  example: EXAMPLE_NAMES,
  type: ['tdx', 'amd-cbit', 'amd-vtom'],
};

/** Placeholders that name a file or a module path. */
const FILE_VALUES = new Set(['FILE', 'MODULE', 'DIR', 'PATH']);

/** Every command with the flags its help lists, in the order `coco --help` lists them. */
export async function completionCommands(): Promise<CompletionCommand[]> {
  const entries: [string, CommandEntry][] = [...Object.entries(COMMANDS), ...Object.entries(SHELL_COMMANDS)];
  const names = [...entries.map(([name]) => name)];
  const commands: CompletionCommand[] = [];
  for (const [name, entry] of entries) {
    const module = await entry.load();
    const positionals = name === 'completion' ? SHELLS : name === 'examples' ? EXAMPLE_NAMES : [];
    commands.push({ name, summary: entry.summary, flags: helpFlags(module.help), positionals });
  }
  commands.push({ name: 'help', summary: 'the help of a command', flags: [], positionals: names });
  return commands;
}

const SAFE_WORD = /^[A-Za-z0-9._=-]+$/;
const words = (list: readonly string[]) => list.filter((w) => SAFE_WORD.test(w)).join(' ');
const valueKind = (flag: HelpFlag): 'none' | 'file' | 'words' | 'free' =>
  flag.value === undefined
    ? 'none'
    : VALUE_WORDS[flag.name]
      ? 'words'
      : FILE_VALUES.has(flag.value)
        ? 'file'
        : 'free';
const flagWords = (flag: HelpFlag) => [`--${flag.name}`, ...(flag.short ? [`-${flag.short}`] : [])];

/** The bash script: `complete -F _coco coco`. */
export function bashCompletion(commands: readonly CompletionCommand[]): string {
  let out = `# bash completion for coco, written by coco completion bash from coco's help texts.
# Load it with: source <(coco completion bash)
_coco() {
  local cur prev cmd i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  cmd=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      -*) ;;
      *) cmd="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  if [[ -z "$cmd" ]]; then
    COMPREPLY=($(compgen -W "${words(commands.map((c) => c.name))} --help --version -V --no-color" -- "$cur"))
    return 0
  fi
  case "$cmd" in
`;
  for (const command of commands) {
    out += `    ${command.name})\n      case "$prev" in\n`;
    for (const flag of command.flags) {
      const kind = valueKind(flag);
      if (kind === 'none') continue;
      const pattern = flagWords(flag).join('|');
      if (kind === 'words')
        out += `        ${pattern}) COMPREPLY=($(compgen -W "${words(VALUE_WORDS[flag.name] ?? [])}" -- "$cur")); return 0 ;;\n`;
      else if (kind === 'file')
        out += `        ${pattern}) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;\n`;
      else out += `        ${pattern}) return 0 ;;\n`;
    }
    out += `      esac\n`;
    const flags = words(command.flags.flatMap(flagWords));
    if (command.positionals.length === 0) {
      out += `      COMPREPLY=($(compgen -W "${flags}" -- "$cur"))\n      ;;\n`;
    } else {
      out += `      if [[ "$cur" == -* ]]; then\n        COMPREPLY=($(compgen -W "${flags}" -- "$cur"))\n      else\n        COMPREPLY=($(compgen -W "${words(command.positionals)}" -- "$cur"))\n      fi\n      ;;\n`;
    }
  }
  out += `  esac
  return 0
}
complete -F _coco coco
`;
  return out;
}

/** Text safe inside a zsh `_arguments` description in single quotes. */
function zshText(text: string): string {
  return text
    .replace(/[[\]:]/g, ' ')
    .replace(/'/g, `'\\''`)
    .replace(/\s+/g, ' ')
    .trim();
}

/** The zsh script: `#compdef coco`, usable from `$fpath` or sourced. */
export function zshCompletion(commands: readonly CompletionCommand[]): string {
  let out = `#compdef coco
# zsh completion for coco, written by coco completion zsh from coco's help texts.
# Put it in a directory of $fpath as _coco, or: source <(coco completion zsh)
_coco() {
  local -a commands
  commands=(
${commands.map((c) => `    '${c.name}:${zshText(c.summary)}'`).join('\n')}
  )
  if (( CURRENT == 2 )); then
    _describe -t commands 'coco command' commands
    return
  fi
  local cmd=\${words[2]}
  shift words
  (( CURRENT-- ))
  case $cmd in
`;
  for (const command of commands) {
    const specs = command.flags.map((flag) => {
      const description = `[${zshText(flag.description)}]`;
      const kind = valueKind(flag);
      const action =
        kind === 'none'
          ? ''
          : kind === 'words'
            ? `:${flag.value}:(${words(VALUE_WORDS[flag.name] ?? [])})`
            : kind === 'file'
              ? `:${flag.value}:_files`
              : `:${flag.value}: `;
      const repeat = /repeatable/.test(flag.description) ? '*' : '';
      if (flag.short) {
        return `'(-${flag.short} --${flag.name})'{-${flag.short},--${flag.name}}'${description}${action}'`;
      }
      return `'${repeat}--${flag.name}${description}${action}'`;
    });
    if (command.positionals.length > 0) specs.push(`'1:argument:(${words(command.positionals)})'`);
    out += `    ${command.name})\n      _arguments \\\n${specs.map((s) => `        ${s}`).join(' \\\n')}\n      ;;\n`;
  }
  out += `  esac
}
if [[ "\${funcstack[1]}" == _coco ]]; then
  _coco "$@"
else
  compdef _coco coco
fi
`;
  return out;
}

/** Text safe inside a fish single-quoted string. */
function fishText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
}

/** The fish script: one `complete -c coco` line per command and flag. */
export function fishCompletion(commands: readonly CompletionCommand[]): string {
  const names = words(commands.map((c) => c.name));
  let out = `# fish completion for coco, written by coco completion fish from coco's help texts.
# Save it as ~/.config/fish/completions/coco.fish, or: coco completion fish | source
complete -c coco -f
complete -c coco -n 'not __fish_seen_subcommand_from ${names}' -l help -s h -d 'show the help'
complete -c coco -n 'not __fish_seen_subcommand_from ${names}' -l version -s V -d 'print the version'
`;
  for (const command of commands) {
    out += `complete -c coco -n 'not __fish_seen_subcommand_from ${names}' -a ${command.name} -d '${fishText(command.summary)}'\n`;
  }
  for (const command of commands) {
    const when = `-n '__fish_seen_subcommand_from ${command.name}'`;
    if (command.positionals.length > 0)
      out += `complete -c coco ${when} -a '${words(command.positionals)}'\n`;
    for (const flag of command.flags) {
      const kind = valueKind(flag);
      const short = flag.short ? ` -s ${flag.short}` : '';
      const value =
        kind === 'words'
          ? ` -x -a '${words(VALUE_WORDS[flag.name] ?? [])}'`
          : kind === 'file'
            ? ' -r -F'
            : kind === 'free'
              ? ' -x'
              : '';
      out += `complete -c coco ${when} -l ${flag.name}${short}${value} -d '${fishText(flag.description)}'\n`;
    }
  }
  return out;
}

/** Runs `coco completion SHELL`. */
export async function run(context: CommandContext): Promise<number> {
  const prepared = await prepare('completion', help, context, {}, 1);
  if (!prepared) return 0;
  const shell = prepared.positionals[0];
  if (shell === undefined || !SHELLS.includes(shell)) {
    throw new CliError(
      'coco completion',
      shell === undefined ? 'SHELL is missing' : `no completion for ${JSON.stringify(shell)}`,
      `give one of ${SHELLS.join(', ')}`,
    );
  }
  const commands = await completionCommands();
  const script =
    shell === 'bash'
      ? bashCompletion(commands)
      : shell === 'zsh'
        ? zshCompletion(commands)
        : fishCompletion(commands);
  context.io.stdout.write(script);
  return 0;
}
