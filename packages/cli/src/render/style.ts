import { styleText } from 'node:util';
import type { CliIo, CliOutput } from '../io.js';

/** The few text styles coco uses; each is the identity when colour is off. */
export interface Style {
  readonly colour: boolean;
  bold(text: string): string;
  dim(text: string): string;
  good(text: string): string;
  bad(text: string): string;
  /** The mask bit in a page-table drawing. */
  mark(text: string): string;
}

/**
 * Whether to colour `stream`: only on a terminal, never when `NO_COLOR` is set (non-empty), and
 * `FORCE_COLOR` (non-empty, not `0`) turns it on off a terminal, still below `NO_COLOR`.
 */
export function wantsColour(stream: CliOutput, env: CliIo['env']): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

type Format = Parameters<typeof styleText>[0];

// coco decides itself (wantsColour) for the stream it writes to, which may not be process.stdout.
const DECIDED = { validateStream: false } as const;

/** Styles for `stream`, coloured through `node:util` `styleText` only when {@link wantsColour}. */
export function createStyle(stream: CliOutput, env: CliIo['env']): Style {
  const colour = wantsColour(stream, env);
  const wrap =
    (format: Format) =>
    (text: string): string =>
      colour ? styleText(format, text, DECIDED) : text;
  return {
    colour,
    bold: wrap('bold'),
    dim: wrap('dim'),
    good: wrap('green'),
    bad: wrap('red'),
    mark: colour
      ? (text) => styleText('inverse', styleText('yellow', text, DECIDED), DECIDED)
      : (text) => text,
  };
}
