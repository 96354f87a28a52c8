// The shapes a kernel message arrives in, and how each is taken off. Every pattern is sticky (`y`,
// tried at one position), anchored, or a global scan whose unbounded repetitions stop at the next
// marker character, and lines are cut to MAX_LINE first, so the whole parse is linear in the input
// (test/kernel-log-formats.test.ts times hostile inputs; a 50 MB dmesg takes a few seconds).
//
// Shapes checked against util-linux `sys-utils/dmesg.c` (print_record, get_next_syslog_record,
// parse_kmsg_record) and systemd's journalctl output modes.

/** Lines longer than this are cut before matching: no kernel message comes close. */
export const MAX_LINE = 4096;

/** A `journalctl -o json` record is parsed only up to this size; longer lines are cut as text. */
export const MAX_JSON_LINE = 65_536;

/** Nesting bound for a journal record whose MESSAGE is again a record (never seen in practice). */
const MAX_DEPTH = 8;

/**
 * Passes of markdown-marker removal; each pass removes one level of nested markers. Normalising is
 * idempotent for markup nested up to this deep (deeper is not something people paste).
 */
const MARKUP_PASSES = 8;

// ---------------------------------------------------------------------------------------------
// Terminal escapes: `dmesg --color=always`.

/** Every CSI sequence (7-bit `ESC [` or 8-bit `0x9b`), then any ESC left over. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC and CSI are exactly what this removes.
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]|[\x1b\x9b]/g;

// ---------------------------------------------------------------------------------------------
// Prefixes, tried at the current position until none matches.

// Regular-expression literals only (no strings composed at load time), so a bundle that never
// parses a kernel log drops all of this. The recurring pieces:
//   number  \d{1,12}\.\d{1,9}
//   delta   <[ \t]{0,12}[+-]?\d{1,12}\.\d{1,9}>              (`dmesg -d`: `<%12.06f>`)
//   host    [ \t]{1,8}(?:\S{1,255}[ \t]{1,8})?kernel:          (` myhost kernel:`, host optional)
//   decode  (?:kern|…|local[0-7])[ \t]{0,8}:(?:emerg|…|debug)[ \t]{0,8}:   (`dmesg -x`: `%-6s:%-6s: `)

/** `kern  :info  : ` (`dmesg -x`). */
export const FACILITY_PREFIX =
  /(?:kern|user|mail|daemon|auth|syslog|lpr|news|uucp|cron|authpriv|ftp|res[0-3]|local[0-7])[ \t]{0,8}:(?:emerg|alert|crit|err|warn|notice|info|debug)[ \t]{0,8}:/y;

const PREFIXES: readonly RegExp[] = [
  // Ticket quoting: `> `, `> > `, `>>`.
  /(?:>[ \t]{0,8})+/y,
  // A time that only comes before a host and `kernel:`: syslog and journal `short`, `short-precise`
  // (`Feb 14 16:16:55[.123456]`), journal `short-full` (`Wed 2024-02-14 16:16:55 UTC`), journal
  // `short-unix` (`1707927415.123456`).
  /(?:[A-Z][a-z]{2} [ \d]?\d \d\d:\d\d:\d\d(?:\.\d{1,9})?|[A-Z][a-z]{2} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{1,9})?(?: \S{1,64})?|\d{1,12}\.\d{1,9})[ \t]{1,8}(?:\S{1,255}[ \t]{1,8})?kernel:/y,
  // A time alone (dmesg) or before a host and `kernel:` (journal `short-monotonic`, `short-delta`,
  // `short-iso[-precise]`, rsyslog): `[    0.000000]`, `[    0.000000 <    0.000123>]`,
  // `2024-02-14T16:16:55,123456+00:00` (`+0000` in older tools).
  /(?:\[[ \t]{0,12}\d{1,12}\.\d{1,9}(?:[ \t]{1,4}<[ \t]{0,12}[+-]?\d{1,12}\.\d{1,9}>)?\]|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d(?::?\d\d)?)?(?=\s|$))(?:[ \t]{1,8}(?:\S{1,255}[ \t]{1,8})?kernel:)?/y,
  // `[<    0.000123>]` (`dmesg --time-format delta`, older `dmesg -d`).
  /\[<[ \t]{0,12}[+-]?\d{1,12}\.\d{1,9}>\]/y,
  // `[  +0.000123]`, `[ +10.000000]` (`dmesg -e` within a minute).
  /\[[ \t]{0,12}[+-]\d{1,12}\.\d{1,9}\]/y,
  // `[Wed Feb 14 16:16:55 2024]` (`dmesg -T`), also with ` <delta>` (`-T -d`).
  /\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}(?:[ \t]{1,4}<[ \t]{0,12}[+-]?\d{1,12}\.\d{1,9}>)?\]/y,
  // `[Feb14 16:16]`, `[Feb 4 16:16]` (`dmesg -e` at a minute change: `%b%e %H:%M`).
  /\[[A-Z][a-z]{2}[ \d]?\d \d\d:\d\d(?::\d\d)?\]/y,
  // Printk caller id: `[    T0]`, `[  C1]`.
  /\[[ \t]{0,10}[TC]\d{1,10}\]/y,
  // `kern  :info  : ` (`dmesg -x`).
  FACILITY_PREFIX,
  // `<6>` (`dmesg -r`, the syslog(2) buffer, RFC 3164 syslog).
  /<\d{1,3}>/y,
  // `/dev/kmsg` record header: `6,101,0,-;` or `6,101,0,-,caller=T0;`.
  /\d{1,3},\d{1,20},\d{1,20},[^;]{0,64};/y,
  // A bare `kernel:` tag (journal without a time).
  /kernel:/y,
];

const WHITESPACE = /\s+/y;

/** Moves past every prefix at the start of `text`, in any order, as often as they repeat. */
function stripPrefixes(text: string): string {
  let pos = 0;
  for (;;) {
    WHITESPACE.lastIndex = pos;
    if (WHITESPACE.test(text)) pos = WHITESPACE.lastIndex;
    if (pos >= text.length) return '';
    let moved = false;
    for (const prefix of PREFIXES) {
      prefix.lastIndex = pos;
      if (prefix.test(text) && prefix.lastIndex > pos) {
        pos = prefix.lastIndex;
        moved = true;
        break;
      }
    }
    if (!moved) return text.slice(pos).trimEnd();
  }
}

// ---------------------------------------------------------------------------------------------
// Two messages on one line: a newline lost between them.

/**
 * Where a second message starts: the exact printk/dmesg timestamp `[%5lu.%06lu]` (seconds
 * space-padded to at least five characters, exactly six fractional digits), with an optional
 * ` <delta>`, and whatever `dmesg -r` / `dmesg -x` put right before it. Looser bracketed numbers
 * (`[0.5]`, `[1]`, `[Firmware Bug]`) never split a line.
 */
export const SECOND_MESSAGE =
  /(?:<\d{1,3}>|(?:kern|user|mail|daemon|auth|syslog|lpr|news|uucp|cron|authpriv|ftp|res[0-3]|local[0-7])[ \t]{0,8}:(?:emerg|alert|crit|err|warn|notice|info|debug)[ \t]{0,8}:[ \t]{0,8})?\[(?: {4}\d| {3}\d\d| {2}\d{3}| \d{4}|\d{5,12})\.\d{6}(?: <[ \d]{0,12}\d\.\d{6}>)?\]/g;

function splitJoined(text: string): string[] {
  if (!text.includes('.')) return [text];
  const parts: string[] = [];
  let start = 0;
  SECOND_MESSAGE.lastIndex = 0;
  for (let m = SECOND_MESSAGE.exec(text); m !== null; m = SECOND_MESSAGE.exec(text)) {
    if (m.index > start) parts.push(text.slice(start, m.index));
    start = m.index;
  }
  parts.push(text.slice(start));
  return parts;
}

// ---------------------------------------------------------------------------------------------
// Markdown around a line or a part of it.

/** `` `code` ``, ``` ``code`` ```, ```` ```code``` ````: a run of one to three backticks, closed by the same run. */
const CODE = /(?<!`)(`{1,3})([^`]+)\1(?!`)/g;
/** `**bold**`: the content neither starts nor ends with a space, and holds no `*`. */
const STARS = /\*\*([^\s*](?:[^*]*[^\s*])?)\*\*/g;
/** `__bold__`, only between non-word characters, so `__init` or `__pfx___alloc` stay. */
const UNDERSCORES = /(?<!\w)__([^\s_](?:(?:[^_]|_(?!_))*[^\s_])?)__(?!\w)/g;

function removeMarkup(text: string): string {
  let out = text;
  for (let pass = 0; pass < MARKUP_PASSES; pass++) {
    const before = out;
    if (out.includes('`')) out = out.replace(CODE, '$2');
    if (out.includes('**')) out = out.replace(STARS, '$1');
    if (out.includes('__')) out = out.replace(UNDERSCORES, '$1');
    if (out === before) break;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Lines that are not kernel messages, and elisions.

/** A markdown code fence: ```` ``` ````, ```` ```text ````, `~~~`. */
const FENCE = /^(?:`{3,}|~{3,})[^`]{0,64}$/;

const PROMPTS: readonly RegExp[] = [
  // `$ sudo dmesg | grep -i sev`, a bare `$`.
  /^\$(?:\s|$)/,
  // `# dmesg`, `# sudo journalctl -k`, a bare `#`; only before a command, because KUnit's kernel
  // lines start with `# ` too.
  /^#(?:\s{1,8}(?:dmesg|journalctl|sudo|su|cat|zcat|less|more|tail|head|grep|egrep|fgrep|zgrep|rg|awk|sed|uname|lscpu|ls|coco|npx|pnpm|echo|systemctl)(?:\s|$)|$)/,
  // `root@host:~# dmesg`, `user@host:~/x$ journalctl -k`, `user@host ~ % dmesg`.
  /^[\w.-]{1,64}@[\w.-]{1,255}(?::[^\s#$%]{0,1024})?[ \t]?(?:[^\s#$%]{1,1024}[ \t])?[#$%](?:\s|$)/,
  // `[root@host ~]# dmesg`.
  /^\[[\w.-]{1,64}@[\w.-]{1,255}(?:[ \t][^\]]{0,1024})?\][#$%](?:\s|$)/,
  // journalctl's own lines: `-- Boot 0123… --`, `-- Logs begin at … --`, `-- No entries --`.
  /^-- (?:Boot|Logs begin at|Journal begins at|No entries|Reboot)\b[\s\S]{0,4096}--$/,
];

/** `...`, `…`, `[...]`, `[…]`, `(...)`, `<snip>`, `[snip]`, `-- snip --`, `8<---`. */
const ELISION =
  /^(?:\.{3,64}|…{1,16}|[[(<][ \t]{0,8}(?:\.{2,64}|…{1,16}|snip(?:ped)?)[ \t]{0,8}[\])>]|-{2,16}[ \t]{0,8}(?:snip(?:ped)?|8<)[ \t]{0,8}-{0,16}|8<-{2,64}|-{2,64}8<)$/i;

/**
 * The other ways people mark cut lines in a ticket: dots alone (`..`, `. . .`), a vertical ellipsis
 * (`⋮`), and a short note made of dots, numbers and the words of a cut (`[...snip...]`,
 * `(... snip ...)`, `[ 40 lines omitted ]`, `... (truncated)`, `<truncated>`, `(output truncated)`,
 * `... 300 more lines ...`, `[skipped 300 lines]`), bracketed or not. No kernel message is that.
 */
const DOTS = /^(?:\.{2}|(?:\. ){2,32}\.|⋮{1,16})$/;
const CUT_WORD = /snip|cut|truncated|omitted|skipped|elided|trimmed|more lines/i;
export const NOTE_WORDS: ReadonlySet<string> = new Set(
  'snip snipped cut truncated omitted skipped elided trimmed more line lines output of the log'.split(' '),
);

/** A note of at most 80 characters whose words, once dots and brackets are gone, are all NOTE_WORDS or numbers. */
function isCutNote(text: string): boolean {
  if (text.length > 80 || !CUT_WORD.test(text)) return false;
  const words = text
    .replace(/[.…()[\]<>]/g, ' ')
    .split(/[ \t]+/)
    .filter((w) => w !== '');
  return words.length > 0 && words.every((w) => NOTE_WORDS.has(w.toLowerCase()) || /^\d{1,12}$/.test(w));
}

function isElision(text: string): boolean {
  if (ELISION.test(text) || DOTS.test(text)) return true;
  return isCutNote(text);
}

/** What a line that marks cut-out lines becomes. */
export const ELISION_TEXT = '...';

/** What a message whose prefixes are off becomes: itself, `...` (an elision) or '' (not a message). */
export function classify(text: string): string {
  if (text === '') return '';
  if (isElision(text)) return ELISION_TEXT;
  if (FENCE.test(text)) return '';
  for (const prompt of PROMPTS) if (prompt.test(text)) return '';
  return text;
}

// ---------------------------------------------------------------------------------------------
// `journalctl -o json`: one object per line.

type Journal = { readonly message: string | undefined } | undefined;

/**
 * A journal record's message. Returns `undefined` when the line is not a journal record (not a
 * JSON object with an own `MESSAGE` key), and `{ message: undefined }` for a record to drop: one
 * from another transport than `kernel`, or whose MESSAGE is neither a string nor a byte array.
 * `JSON.parse` keeps a `__proto__` key as an own property, and only own keys are read.
 */
function journalRecord(text: string): Journal {
  if (text.length > MAX_JSON_LINE || text.charCodeAt(0) !== 0x7b || !text.endsWith('}')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  if (!Object.hasOwn(value, 'MESSAGE')) return undefined;
  const record = value as Record<string, unknown>;
  if (Object.hasOwn(record, '_TRANSPORT') && record._TRANSPORT !== 'kernel') return { message: undefined };
  const message = record.MESSAGE;
  if (typeof message === 'string') return { message };
  if (Array.isArray(message) && message.length <= MAX_JSON_LINE && message.every(isByte)) {
    return { message: utf8(message as number[]) };
  }
  return { message: undefined };
}

const isByte = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 255;

/** The platform's UTF-8 decoder (Node, browsers, Deno, Bun); invalid sequences become U+FFFD. */
const utf8 = (bytes: number[]): string =>
  new (
    globalThis as unknown as { TextDecoder: new () => { decode(b: Uint8Array): string } }
  ).TextDecoder().decode(Uint8Array.from(bytes));

// ---------------------------------------------------------------------------------------------
// Putting it together.

/** Splits text into lines at LF, CRLF, CR alone, and CRs piled before a LF (`\r\r\n`). */
export function splitLines(text: string): string[] {
  const lines: string[] = [];
  for (const lf of text.split('\n')) {
    let end = lf.length;
    while (end > 0 && lf.charCodeAt(end - 1) === 0x0d) end--;
    const line = end === lf.length ? lf : lf.slice(0, end);
    // A loop, not push(...parts): a spread of a line with 200 000 CRs overflows the stack.
    if (line.includes('\r')) for (const part of line.split('\r')) lines.push(part);
    else lines.push(line);
  }
  return lines;
}

/** The kernel messages on one physical line (no CR or LF inside), each in its normal form. */
function messagesOfLine(line: string, depth: number, out: string[]): void {
  // A blank line holds no message; runs of CRs make millions of them.
  if (line === '') return;
  if (line.length > MAX_LINE) {
    const record = line.length <= MAX_JSON_LINE ? journalRecord(line.trim()) : undefined;
    if (record) {
      fromRecord(record, depth, out);
      return;
    }
    line = line.slice(0, MAX_LINE);
  }
  if (line.includes('\x1b') || line.includes('\x9b')) line = line.replace(ESCAPES, '');
  const quoted = stripPrefixes(line);
  const record = journalRecord(quoted);
  if (record) {
    fromRecord(record, depth, out);
    return;
  }
  messagesOfSegments(removeMarkup(line), depth, 0, out);
}

/**
 * Splits a line (markup already removed) into the messages joined on it. A cut can end a segment
 * right after a marker that the rest of the line kept from pairing (`__x__kern  :info  : [ …`), so
 * each segment loses its own markup, and one that changed is split again.
 */
function messagesOfSegments(line: string, depth: number, level: number, out: string[]): void {
  const segments = splitJoined(line);
  for (const segment of segments) {
    const bare = segments.length > 1 && level < MAX_DEPTH ? removeMarkup(segment) : segment;
    if (bare !== segment) {
      messagesOfSegments(bare, depth, level + 1, out);
      continue;
    }
    const text = stripPrefixes(segment);
    const inner = journalRecord(text);
    if (inner) {
      fromRecord(inner, depth, out);
      continue;
    }
    const kept = classify(text);
    if (kept !== '') out.push(kept);
  }
}

function fromRecord(record: NonNullable<Journal>, depth: number, out: string[]): void {
  if (record.message === undefined || depth >= MAX_DEPTH) return;
  for (const line of splitLines(record.message)) messagesOfLine(line, depth + 1, out);
}

/** The kernel messages in `raw` (one line, or several separated by CR/LF), in normal form. */
export function kernelMessages(raw: string): string[] {
  const out: string[] = [];
  for (const line of splitLines(raw)) messagesOfLine(line, 0, out);
  return out;
}
