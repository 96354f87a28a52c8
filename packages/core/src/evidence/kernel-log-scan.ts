import { FACILITY_PREFIX, NOTE_WORDS, SECOND_MESSAGE } from './kernel-log-formats.js';

// The chunk scan of the kernel-log reader: what tells the reader which lines it must look at; the
// other lines are only counted. A few searches run over a whole chunk of raw text (native
// regular-expression and string code) and mark lines; as the reader walks the lines, one sticky
// attempt at each line's start and a test of any `[` inside the line (`hasSecondStamp`) do the
// rest. A line escapes every mark only when it is a plain `dmesg` line (`[    1.234567] message`),
// in ASCII, without the text that sends a line to the normaliser, whose message starts with a
// letter, is no syslog time, facility, cut note or `kernel:` tag, and matches no declared pattern.
// Each test is a superset of what it stands for (the patterns are rewritten to match more, never
// less), so the scan can only mark too many lines, never too few.

/** The dmesg timestamp without a delta, as the reader's fast path reads it. */
export const STAMP_SOURCE = String.raw`\[[ \t]{0,12}\d{1,12}\.\d{1,9}\]`;

/**
 * The start of a second message's timestamp, `[%5lu.%06lu` (as `SECOND_MESSAGE` in
 * kernel-log-formats.ts, which the normaliser splits a line at).
 */
export const SECOND_STAMP_SOURCE = String.raw`\[(?: {4}\d| {3}\d\d| {2}\d{3}| \d{4}|\d{5,12})\.\d{6}`;

const SECOND_STAMP = new RegExp(SECOND_STAMP_SOURCE, 'y');

/**
 * Whether a `[` in `text[from, to)` starts a second message's stamp (`from` is such a `[`, or
 * -1 for none). The reader asks this of a line only when a `[` follows its first character: the
 * next `[` after a plain line's stamp is most often the next line's, so one `indexOf` per line
 * finds both the line's end and whether it needs this test (a regular expression would be tried at
 * every line's first `[`).
 */
export function hasSecondStamp(text: string, from: number, to: number): boolean {
  for (let at = from; at !== -1 && at < to; at = text.indexOf('[', at + 1)) {
    SECOND_STAMP.lastIndex = at;
    if (SECOND_STAMP.test(text)) return true;
  }
  return false;
}

/** Text that sends every line holding it to the normaliser: colour, markup, CR, journal headers. */
export const SLOW_MARKERS = ['\x1b', '\x9b', '`', '**', '__', '\r', 'kernel:'] as const;

/** The one-character slow markers, and any character outside ASCII (such lines are decoded). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC is one of the slow markers
const SLOW_CHARACTER = /[\x1b`\r\x80-\uffff]/g;
/**
 * The slow markers of an ASCII chunk, found with `indexOf` (a native byte search each). `kernel:`
 * is not among them: it changes a plain line's reading only as its message's first or second word
 * (a bare tag, or `host kernel:`), which the line search checks where it starts.
 */
const SLOW_STRINGS = ['\x1b', '`', '\r', '**', '__'] as const;

const encoder = new (globalThis as unknown as { TextEncoder: new () => TextEncoderLike }).TextEncoder();
interface TextEncoderLike {
  encodeInto(text: string, into: Uint8Array): { read: number; written: number };
}
let scratch = new Uint8Array(0);

/**
 * Whether `text` is all ASCII: its UTF-8 form then takes one byte per character, so it fits a
 * buffer of its length. The platform's encoder does this about ten times faster than a search for
 * `[\x80-\uffff]`, which goes character by character.
 */
function isAscii(text: string): boolean {
  if (scratch.length < text.length) scratch = new Uint8Array(Math.max(text.length, 1 << 16));
  return encoder.encodeInto(text, scratch.subarray(0, text.length)).read === text.length;
}

const isLetter = (c: string) => /^[A-Za-z]$/.test(c);
const both = (c: string) => `${c.toLowerCase()}${c.toUpperCase()}`;

/**
 * A character class of a case-insensitive pattern with both cases of each letter and letter range
 * spelled out; `null` when it cannot be done safely (escapes that may name a letter).
 */
function foldClass(body: string): string | null {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === '\\') {
      const n = body[i + 1];
      if (n === undefined || /[xuUcpP]/.test(n)) return null;
      out += c + n;
      i++;
      continue;
    }
    const to = body[i + 2];
    if (body[i + 1] === '-' && to !== undefined && to !== ']' && to !== '\\') {
      const lower = /[a-z]/;
      const upper = /[A-Z]/;
      if ((lower.test(c) && lower.test(to)) || (upper.test(c) && upper.test(to))) {
        out += `${c}-${to}${c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()}-${to === to.toLowerCase() ? to.toUpperCase() : to.toLowerCase()}`;
      } else if (isLetter(c) || isLetter(to)) return null;
      else out += `${c}-${to}`;
      i += 2;
      continue;
    }
    out += isLetter(c) ? both(c) : c;
  }
  return out;
}

/**
 * A declared pattern (anchored at the start of a message) rewritten to match from the start of a
 * message in raw text, matching wherever the pattern matches the message and maybe more:
 * lookarounds and `\b`/`\B` become optional, `$` becomes "only spaces before the end of the line
 * or a second message", capturing groups do not capture, and with `fold` each letter is spelled in
 * both cases. `null` when the pattern cannot be rewritten so (no leading `^`, an alternative without
 * it, back-references, `v` flag, escapes that may name a letter in a case-insensitive pattern).
 */
export function rawSource(pattern: RegExp, fold: boolean): string | null {
  const source = pattern.source;
  if (source[0] !== '^' || pattern.flags.includes('v')) return null;
  const lineEnd = `(?=\\s*(?:$|${SECOND_MESSAGE.source}))`;
  let out = '';
  let depth = 0;
  for (let i = 1; i < source.length; i++) {
    const c = source[i] as string;
    if (c === '\\') {
      const n = source[i + 1];
      if (n === undefined || /[1-9k]/.test(n)) return null;
      if (fold && /[xuUcpP]/.test(n)) return null;
      i++;
      if (n !== 'b' && n !== 'B') out += c + n;
      continue;
    }
    if (c === '[') {
      let j = i + 1;
      if (source[j] === '^') j++;
      for (; j < source.length && source[j] !== ']'; j++) if (source[j] === '\\') j++;
      if (j >= source.length) return null;
      const negated = source[i + 1] === '^';
      const body = source.slice(negated ? i + 2 : i + 1, j);
      const folded = fold ? foldClass(body) : body;
      if (folded === null) return null;
      out += `[${negated ? '^' : ''}${folded}]`;
      i = j;
      continue;
    }
    if (c === '(') {
      depth++;
      const rest = source.slice(i, i + 4);
      if (rest.startsWith('(?=') || rest.startsWith('(?!')) {
        out += '(?:|';
        i += 2;
      } else if (rest === '(?<=' || rest === '(?<!') {
        out += '(?:|';
        i += 3;
      } else if (rest.startsWith('(?<')) {
        const close = source.indexOf('>', i);
        if (close === -1) return null;
        out += '(?:';
        i = close;
      } else if (rest.startsWith('(?:')) {
        out += '(?:';
        i += 2;
      } else if (rest.startsWith('(?')) return null;
      else out += '(?:';
      continue;
    }
    if (c === ')') depth--;
    if (c === '|' && depth === 0) return null;
    if (c === '^') out += '(?:)';
    else if (c === '$') out += lineEnd;
    else if (fold && isLetter(c)) out += `[${both(c)}]`;
    else out += c;
  }
  return out;
}

/**
 * The start of a message (after its stamp) that the fast path would not read as a plain message,
 * or whose normal form may differ from it: not a letter, a syslog time, a facility prefix, and with
 * `notes` the first word of a cut note (`truncated`, `300 more lines`), which becomes `...`.
 */
function slowStartSource(notes: boolean): string {
  const facility = FACILITY_PREFIX.source;
  const words = notes
    ? `|(?:${[...NOTE_WORDS].map((w) => [...w].map((c) => `[${both(c)}]`).join('')).join('|')})(?![A-Za-z])`
    : '';
  return `[^A-Za-z \\t]|[A-Z][a-z][a-z] [ \\d]|${facility}${words}`;
}

/**
 * A `kernel:` tag where the normaliser takes it off a dmesg line's message: the message itself
 * (`kernel: ...`) or its second word (`myhost kernel: ...`, a host of one word).
 */
const KERNEL_TAG = String.raw`(?:\S+[ \t]+)?kernel:`;

/** Marks the lines of a chunk that the reader must read; see the comment at the top. */
export interface ChunkScan {
  /**
   * Pushes into `marks` a position inside each line to read (unsorted, maybe repeated) among the
   * lines that {@link ChunkScan.startsSlow} passes: the slow markers and characters, and patterns
   * with flags of their own.
   */
  mark(text: string, marks: number[], from?: number): void;
  /**
   * Whether the line at `start` must be read for how it starts: no stamp, or a message start that a
   * case-sensitive declared pattern, the normaliser's other readings or a `kernel:` tag may match.
   * The reader asks it of every line it walks: one sticky attempt, without a search for the line.
   */
  startsSlow(text: string, start: number): boolean;
}

/**
 * A scan for `keep` (without flags `g`/`y`), or `null` when a pattern cannot be rewritten (the
 * reader then looks at every line). `elisions` says whether the patterns keep `...`, the normal
 * form of a cut note.
 */
export function createChunkScan(keep: readonly RegExp[], elisions: boolean): ChunkScan | null {
  const groups = new Map<string, string[]>();
  for (const pattern of keep) {
    const fold = pattern.flags.includes('i');
    let source = rawSource(pattern, fold);
    let flags = pattern.flags.replace(/[gymdi]/g, '');
    if (source === null && fold) {
      source = rawSource(pattern, false);
      flags += 'i';
    }
    if (source === null) return null;
    groups.set(flags, [...(groups.get(flags) ?? []), source]);
  }
  const searches: RegExp[] = [];
  let plainStart: RegExp;
  try {
    for (const [flags, sources] of groups) {
      if (flags === '') continue;
      const alternatives = sources.map((s) => `(?:${s})`).join('|');
      searches.push(new RegExp(`\\n${STAMP_SOURCE}[ \\t]*(?:${alternatives})`, `g${flags}m`));
    }
    // A stamp followed by none of the starts to read. The stamp can match only one way, so its
    // negative lookahead is exactly "no stamp, or a stamp followed by one of them".
    const starts = [...(groups.get('') ?? []), slowStartSource(elisions), KERNEL_TAG].map((s) => `(?:${s})`);
    plainStart = new RegExp(`${STAMP_SOURCE}(?![ \\t]*(?:${starts.join('|')}))`, 'ym');
  } catch {
    return null;
  }
  // Marks the line of each match (a match at a line feed marks the line after it), then goes on
  // from that line's line feed, so that each line is marked once per search.
  const search = (re: RegExp, text: string, marks: number[], from: number) => {
    re.lastIndex = from;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const at = text.charCodeAt(m.index) === 0x0a ? m.index + 1 : m.index;
      marks.push(at);
      const lf = text.indexOf('\n', at);
      if (lf === -1) break;
      re.lastIndex = lf;
    }
  };
  return {
    mark(text, marks, from = 0) {
      // The first line, which the searches (they start at a line feed) cannot see.
      if (searches.length > 0) marks.push(from);
      for (const re of searches) search(re, text, marks, from);
      const ascii = isAscii(text);
      if (!ascii) search(SLOW_CHARACTER, text, marks, from);
      for (const marker of SLOW_STRINGS) {
        if (!ascii && marker.length === 1) continue;
        for (let at = text.indexOf(marker, from); at !== -1; ) {
          marks.push(at);
          const lf = text.indexOf('\n', at);
          if (lf === -1) break;
          at = text.indexOf(marker, lf + 1);
        }
      }
    },
    startsSlow(text, start) {
      plainStart.lastIndex = start;
      return !plainStart.test(text);
    },
  };
}
