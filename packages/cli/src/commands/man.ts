import { COMMANDS, type CommandEntry, HELP, SHELL_COMMANDS, VERSION } from '../run.js';
import { COMMON_HELP, type CommandContext, prepare } from './common.js';

/** `coco man --help`. */
export const help = `Usage: coco man

Prints coco's manual page in roff, made from the same help texts as coco --help and
coco CMD --help: every command and flag is in it.

${COMMON_HELP}

Examples:
  coco man | man -l -
  coco man > /usr/local/share/man/man1/coco.1
`;

/** Text as roff shows it literally: backslashes, minus signs, and lines that would be requests. */
export function roffText(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const escaped = line.replace(/\\/g, '\\e').replace(/-/g, '\\-');
      return /^[.']/.test(escaped) ? `\\&${escaped}` : escaped;
    })
    .join('\n');
}

/** A help text as a literal block (no filling, no adjusting), as it prints in a terminal. */
function block(text: string): string {
  return `.nf\n${roffText(text.replace(/\n+$/, ''))}\n.fi\n`;
}

/** The manual page, coco(1), from `coco --help` and each command's help. */
export async function manPage(): Promise<string> {
  const entries: [string, CommandEntry][] = [...Object.entries(COMMANDS), ...Object.entries(SHELL_COMMANDS)];
  let out = `.\\" coco(1), written by coco man from coco's help texts; do not edit by hand.
.TH COCO 1 "" "coco ${roffText(VERSION)}" "User Commands"
.SH NAME
coco \\- tell which type of confidential VM a Linux machine is
.SH SYNOPSIS
.B coco
.I command
.RI [ flags ]
.SH DESCRIPTION
${block(HELP)}.SH COMMANDS
`;
  for (const [name, entry] of entries) {
    const module = await entry.load();
    out += `.SS "coco ${name}"\n${roffText(entry.summary)}.\n.PP\n${block(module.help)}`;
  }
  out += `.SH ENVIRONMENT
.TP
.B NO_COLOR
when set (non\\-empty), no colours; the same as \\-\\-no\\-color
.TP
.B FORCE_COLOR
colours even when the output is not a terminal (below NO_COLOR)
.TP
.B COCO_DEBUG
an internal error prints its stack
.SH EXIT STATUS
0 decided (yes or no), 2 bad usage, input or output, 3 conflicting evidence, 4 cannot tell;
with \\fBcoco detect \\-\\-cvm\\fR, 1 for none, as \\fBsystemd\\-detect\\-virt \\-\\-cvm\\fR.
.SH SEE ALSO
.BR systemd\\-detect\\-virt (1)
`;
  return out;
}

/** Runs `coco man`. */
export async function run(context: CommandContext): Promise<number> {
  const prepared = await prepare('man', help, context, {});
  if (!prepared) return 0;
  context.io.stdout.write(await manPage());
  return 0;
}
