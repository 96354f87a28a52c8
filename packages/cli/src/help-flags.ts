/** One flag as a command's `--help` lists it. */
export interface HelpFlag {
  /** The long name without dashes: `json`, `plugin-timeout`. */
  readonly name: string;
  /** The one-letter alias, when there is one: `h` for `-h, --help`. */
  readonly short?: string;
  /** The value's placeholder (`FILE`, `NAME`, `F`) for a flag that takes one. */
  readonly value?: string;
  /** The first line of its description. */
  readonly description: string;
}

// A flag line of a help text: two spaces, `-x, ` optionally, `--name`, ` VALUE` optionally, then
// at least two spaces (or the end) before the description. Continuation lines are indented deeper.
const FLAG_LINE = /^ {2}(?:-([A-Za-z]), )?--([a-z][a-z0-9-]*)(?: ([A-Z][A-Z0-9_=.]*))?(?: {2,}(.*))?$/;

/**
 * The flags a help text lists, in order: the one table that `--help`, the man page and shell
 * completion share. Every flag a command accepts is listed in its help (tests hold every command
 * to it), so what is generated from this never drifts from what the parser takes.
 */
export function helpFlags(help: string): HelpFlag[] {
  const flags: HelpFlag[] = [];
  const seen = new Set<string>();
  for (const line of help.split('\n')) {
    const match = FLAG_LINE.exec(line);
    if (!match) continue;
    const [, short, name, value, description] = match;
    if (name === undefined || seen.has(name)) continue;
    seen.add(name);
    flags.push({
      name,
      ...(short !== undefined && { short }),
      ...(value !== undefined && { value }),
      description: (description ?? '').trim(),
    });
  }
  return flags;
}
