import { CocoError } from '../errors.js';
import { classify, ELISION_TEXT, FACILITY_PREFIX, kernelMessages, MAX_LINE } from './kernel-log-formats.js';
import {
  createChunkScan,
  hasSecondStamp,
  SECOND_STAMP_SOURCE,
  SLOW_MARKERS,
  STAMP_SOURCE,
} from './kernel-log-scan.js';
import type { LogLine } from './model.js';

/**
 * A physical line longer than this (in UTF-16 units) is cut to it while it streams in, so that a
 * log without newlines cannot grow the reader's memory; the normaliser reads at most
 * `MAX_JSON_LINE` characters of a line anyway. Characters after the cut are skipped up to the next
 * line feed or carriage return, where the next line starts as in the whole log.
 */
export const MAX_PHYSICAL_LINE = 1 << 20;

/** The default bound on the lines a reader keeps: more is refused rather than held in memory. */
export const MAX_KEPT_LINES = 200_000;

/**
 * The default bound on the text a reader keeps, in UTF-16 units of distinct strings (a repeated
 * line's strings are shared and count once while they stay in the reader's cache).
 */
export const MAX_KEPT_CHARS = 8 * 1024 * 1024;

/** Distinct kept lines remembered so that their repeats share strings. */
const INTERNED = 4096;

/** Options of {@link createKernelLogReader}. */
export interface KernelLogReaderOptions {
  /** The name of the input, used in errors and as each line's source; `kernel log` by default. */
  readonly source?: string;
  /**
   * Keep only the normalised lines one of these patterns matches (a registry's `logPatterns`, which
   * include the `Linux version` banner and elisions that `readBootLog` reads); the others are
   * counted and dropped, and most are never normalised. Without it, every line is kept.
   */
  readonly keep?: readonly RegExp[];
  /** More kept lines than this is a `KERNEL_LOG_INVALID` error; {@link MAX_KEPT_LINES} by default. */
  readonly maxKeptLines?: number;
  /** More kept text than this is a `KERNEL_LOG_INVALID` error; {@link MAX_KEPT_CHARS} by default. */
  readonly maxKeptChars?: number;
  /**
   * Each chunk holds the log's UTF-8 bytes, one character per byte (what Node's
   * `buffer.toString('latin1')` gives): much faster to make than decoded text, and only the lines
   * the reader looks at are decoded. A byte-order mark at the start is the caller's to drop.
   */
  readonly utf8Bytes?: boolean;
}

/**
 * The text of the line that stands, in a filtered reading, for lines left out between two kept
 * ones: readers join a line to the one right after it (a `pr_cont` split), so what the whole log
 * keeps apart must stay apart. No pattern of a plugin reads it.
 */
export const LEFT_OUT_TEXT = 'coco: lines left out';

/** What a {@link KernelLogReader} read. */
export interface KernelLogReading {
  /** The kept lines, normalised, in order, as `parseKernelLog` would give them. */
  readonly lines: readonly LogLine[];
  /** Physical lines read (split as `parseKernelLog` splits them: LF, CRLF, CR). */
  readonly linesRead: number;
  /** Physical lines normalised because the prefilter could not rule them out. */
  readonly linesNormalised: number;
}

/** A kernel log read in chunks of text: `push` each chunk as it arrives, then `finish`. */
export interface KernelLogReader {
  /** Reads a chunk of text; a line may continue in the next chunk. */
  push(chunk: string): void;
  /** Reads the last line and returns what was kept. The reader takes no more chunks. */
  finish(): KernelLogReading;
}

/** What reading a line did: it held no message, only messages left out, or a kept one. */
type Verdict = 0 | 1 | 2;
const NO_MESSAGE = 0;
const LEFT_OUT = 1;
const KEPT = 2;

/** The longest text after a stamp whose verdict is remembered (so the memory stays small). */
const MESSAGE_KEY = 256;

/** A copy of a string that holds no reference to the chunk it was sliced from. */
const detach = (s: string): string => (s.length < 16 ? s : (JSON.parse(JSON.stringify(s)) as string));

// ---------------------------------------------------------------------------------------------
// The fast path: the message of a plain `dmesg` line, `[    1.234567] message`, found without the
// normaliser's regular expressions, exactly as the normaliser would find it. Anything else (other
// formats, markup, colour, CR, a second message, a line that could hold another prefix) goes to
// the normaliser. kernel-log-reader.test.ts checks the equivalence over the rendered-format corpus.

/** The dmesg timestamp without a delta (prefix 3 of the normaliser, its first form). */
const STAMP = new RegExp(STAMP_SOURCE, 'y');

/** The start of a second message's timestamp (as SECOND_MESSAGE in kernel-log-formats.ts). */
const SECOND_STAMP = new RegExp(SECOND_STAMP_SOURCE, 'y');

/**
 * The platform's UTF-8 decoder (Node, browsers, Deno, Bun); invalid sequences become U+FFFD, and a
 * byte-order mark stays (a line is decoded on its own, not at the start of the input).
 */
const UTF8 = new (
  globalThis as unknown as {
    TextDecoder: new (label: string, options: { ignoreBOM: boolean }) => { decode(b: Uint8Array): string };
  }
).TextDecoder('utf-8', { ignoreBOM: true });

const NON_ASCII = /[\x80-\uffff]/;
/** The text between carriage returns: a run of CRs is found natively, not one character at a time. */
const BETWEEN_CRS = /[^\r]+/g;
/** The first character that is not a carriage return. */
const NOT_CR = /[^\r]/g;

/** Decodes UTF-8 bytes held one per character; ASCII text is returned as it is. */
function fromBytes(bytes: string): string {
  if (!NON_ASCII.test(bytes)) return bytes;
  const array = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) array[i] = bytes.charCodeAt(i);
  return UTF8.decode(array);
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isLower = (c: number) => c >= 0x61 && c <= 0x7a;
const isUpper = (c: number) => c >= 0x41 && c <= 0x5a;
/** First characters of a message that another prefix, an elision, a prompt, a fence or JSON can start with. */
const SLOW_FIRST = new Set([...'>[<{.(-$#~`'].map((c) => c.charCodeAt(0)));

/**
 * The message of the line `text[start, end)` when it is a plain dmesg line; `''` when it holds
 * none; `null` when only the normaliser can tell. The caller has ruled out the slow markers.
 */
export function plainMessage(text: string, start: number, end: number): string | null {
  if (start === end) return '';
  if (end - start > MAX_LINE || text.charCodeAt(start) !== 0x5b) return null;
  STAMP.lastIndex = start;
  if (!STAMP.test(text)) return null;
  let q = STAMP.lastIndex;
  if (q > end) return null;
  for (let c = text.charCodeAt(q); q < end && (c === 0x20 || c === 0x09); c = text.charCodeAt(++q));
  if (q >= end) return '';
  const c = text.charCodeAt(q);
  // Not printable ASCII (other whitespace, `…`), or what another prefix and the rest can start with.
  if (c < 0x21 || c > 0x7e || SLOW_FIRST.has(c) || isDigit(c)) return null;
  // `Feb 14 16:16:55 …`, `Feb  4 …`, `Wed 2024-02-14 …` (a syslog or journal time)
  if (
    isUpper(c) &&
    isLower(text.charCodeAt(q + 1)) &&
    isLower(text.charCodeAt(q + 2)) &&
    text.charCodeAt(q + 3) === 0x20 &&
    (text.charCodeAt(q + 4) === 0x20 || isDigit(text.charCodeAt(q + 4)))
  )
    return null;
  if (isLower(c)) {
    FACILITY_PREFIX.lastIndex = q;
    if (FACILITY_PREFIX.test(text) && FACILITY_PREFIX.lastIndex <= end) return null;
  }
  // A second message starts at its exact printk timestamp (the normaliser's SECOND_MESSAGE).
  for (let b = text.indexOf('[', q); b !== -1 && b < end; b = text.indexOf('[', b + 1)) {
    const d = text.charCodeAt(b + 1);
    if (d !== 0x20 && !isDigit(d)) continue;
    SECOND_STAMP.lastIndex = b;
    if (SECOND_STAMP.test(text)) return null;
  }
  return text.slice(q, end).trimEnd();
}

/**
 * The kernel messages of one line (without CR or LF), in normal form: `kernelMessages(raw)`, with
 * a plain dmesg line read by the fast path.
 */
export function lineMessages(raw: string): string[] {
  for (const marker of SLOW_MARKERS) if (raw.includes(marker)) return kernelMessages(raw);
  if (raw.includes('\n')) return kernelMessages(raw);
  const message = plainMessage(raw, 0, raw.length);
  if (message === null) return kernelMessages(raw);
  const text = message === '' ? '' : classify(message);
  return text === '' ? [] : [text];
}

/** One test for `patterns.some((r) => r.test(text))`: the patterns of each flag set in one RegExp. */
function combinedTest(patterns: readonly RegExp[]): (text: string) => boolean {
  const canCombine = patterns.every((r) => !/\\[1-9k]|\(\?</.test(r.source));
  const groups = new Map<string, string[]>();
  for (const r of patterns) groups.set(r.flags, [...(groups.get(r.flags) ?? []), `(?:${r.source})`]);
  let combined: RegExp[] | null = null;
  if (canCombine) {
    try {
      combined = [...groups].map(([flags, sources]) => new RegExp(sources.join('|'), flags));
    } catch {
      combined = null;
    }
  }
  const list = combined ?? patterns;
  return (text) => {
    for (const r of list) if (r.test(text)) return true;
    return false;
  };
}

/**
 * Creates a streaming kernel-log reader: it normalises line by line exactly as `parseKernelLog`
 * does, carries a partial line from one chunk to the next, and with `keep` keeps only the lines
 * the patterns match. A scan of each chunk (kernel-log-scan.ts) marks the lines that can match or
 * need the normaliser; the others are only counted. Time is linear in the input and memory is the
 * kept lines plus one chunk, one line and at most 1 MiB of remembered messages. Where lines were left out between two kept ones, one
 * {@link LEFT_OUT_TEXT} line stands for them, so that kept lines a whole log keeps apart stay apart.
 */
export function createKernelLogReader(options: KernelLogReaderOptions = {}): KernelLogReader {
  const source = options.source ?? 'kernel log';
  const keep = options.keep
    ? [...options.keep].map((r) => new RegExp(r.source, r.flags.replace(/[gy]/g, '')))
    : null;
  const keepTest = keep ? combinedTest(keep) : null;
  const scan = keep && keepTest ? createChunkScan(keep, keepTest(ELISION_TEXT)) : null;
  const bytes = options.utf8Bytes === true;
  const maxKept = options.maxKeptLines ?? MAX_KEPT_LINES;
  const lines: LogLine[] = [];
  let lineNo = 0; // physical lines finished so far
  let lfLines = 0; // LF-terminated lines finished so far (for the NUL error's location)
  let normalised = 0;
  let carry = '';
  let cutting = false; // skipping the rest of an over-long line
  // CRs after a line already read at its CR (see readEndedLines): a line feed next makes them one
  // line ending, any other character makes all but the first end empty lines.
  let pendingCrs = 0;
  let finished = false;
  const maxChars = options.maxKeptChars ?? MAX_KEPT_CHARS;
  let chars = 0;
  // A message was left out since the last kept line (a LEFT_OUT_TEXT line goes before the next).
  let gap = false;
  // Kept lines' strings by raw line, shared by repeats so that a repeated line costs one object.
  // `texts` are the line's messages in order, `null` for one left out.
  const interned = new Map<string, { raw: string; texts: (string | null)[] }>();
  // The verdicts of lines that keep nothing, by the text after their stamp (see normaliseLine).
  const leftOutMessages = new Map<string, Verdict>();
  let remember = keep !== null;
  let hits = 0;

  const refuse = (what: string): never => {
    throw new CocoError('KERNEL_LOG_INVALID', `it holds ${what}, more than any boot log`, {
      input: source,
      location: `line ${lineNo}`,
      fix: 'pass the log of one boot (journalctl -k -b, or dmesg right after boot)',
    });
  };

  const kept = (text: string) => keepTest === null || keepTest(text);

  const push = (text: string, raw: string) => {
    if (lines.length >= maxKept) refuse(`more than ${maxKept} of the lines coco reads`);
    if (gap && lines.length > 0) {
      if (lines.length + 1 >= maxKept) refuse(`more than ${maxKept} of the lines coco reads`);
      lines.push({ text: LEFT_OUT_TEXT, raw: LEFT_OUT_TEXT, line: lineNo, source });
    }
    gap = false;
    lines.push({ text, raw, line: lineNo, source });
  };

  const leftOut = () => {
    gap = true;
  };

  /**
   * Reads one physical line (no CR or LF) with the normaliser; says whether it held no message,
   * only messages left out, or a kept one.
   */
  const normalisePart = (part: string): Verdict => {
    lineNo++;
    if (part === '') return NO_MESSAGE; // as kernelMessages(''), without its cost per CR of a run
    let entry = interned.get(part);
    if (entry === undefined) {
      const texts = kernelMessages(part).map((t) => (kept(t) ? t : null));
      if (!texts.some((t) => t !== null)) {
        if (texts.length === 0) return NO_MESSAGE;
        leftOut();
        return LEFT_OUT;
      }
      entry = keep
        ? { raw: detach(part), texts: texts.map((t) => (t === null ? null : detach(t))) }
        : { raw: part, texts };
      if (keep) {
        chars += part.length + texts.reduce((n, t) => n + (t?.length ?? 0), 0);
        if (chars > maxChars) refuse(`more than ${maxChars} characters of the lines coco reads`);
        if (interned.size >= INTERNED) interned.clear();
        interned.set(entry.raw, entry);
      }
    }
    const { raw, texts } = entry;
    for (const text of texts) {
      if (text === null) leftOut();
      else push(text, raw);
    }
    return KEPT;
  };

  /**
   * Normalises one LF line (trailing CRs included) as splitLines and normaliseKernelLog would;
   * with `ended`, text whose CRs all end lines (none is the last of a run before a line feed).
   */
  const normaliseLfLine = (lfLine: string, ended = false) => {
    normalised++;
    if (!lfLine.includes('\r')) {
      normalisePart(lfLine);
      return;
    }
    // The parts between CRs, as `split('\r')` gives them, without the array: an empty part holds
    // no message and is only counted (a run of a million CRs is a million lines). Without `ended`,
    // the empty parts after the last text are the CRs that end it before a line feed.
    let next = 0; // where the next part starts
    let texts = 0;
    BETWEEN_CRS.lastIndex = 0;
    for (let m = BETWEEN_CRS.exec(lfLine); m !== null; m = BETWEEN_CRS.exec(lfLine)) {
      lineNo += m.index - next; // one empty part per CR between
      normalisePart(m[0]);
      texts++;
      next = m.index + m[0].length + 1;
    }
    const trailing = lfLine.length + 1 - next;
    if (ended) lineNo += trailing;
    else if (texts === 0) lineNo++; // only CRs: one empty line
  };

  /**
   * Normalises the line `text[start, lf)` (no CR or LF), remembering by the text after its stamp
   * the verdict of a line that keeps nothing: the normal form of a line that starts with a stamp
   * and is not cut at MAX_LINE is that of the text after the stamp alone (no prefix, markup or
   * second message can reach back into `[ digits.digits ]`), so a repeated message is normalised
   * once whatever its time. kernel-log-reader.test.ts checks that invariance over the corpus.
   */
  const normaliseLine = (text: string, start: number, lf: number) => {
    STAMP.lastIndex = start;
    const after = lf - start <= MAX_LINE && remember && STAMP.test(text) ? STAMP.lastIndex : lf + 1;
    if (after > lf || lf - after > MESSAGE_KEY) {
      normaliseLfLine(text.slice(start, lf));
      return;
    }
    const message = text.slice(after, lf);
    if (message.includes('\r')) {
      normaliseLfLine(text.slice(start, lf));
      return;
    }
    const known = leftOutMessages.get(message);
    normalised++;
    if (known !== undefined) {
      hits++;
      lineNo++;
      if (known === LEFT_OUT) leftOut();
      return;
    }
    const verdict = normalisePart(text.slice(start, lf));
    if (verdict === KEPT) return;
    if (leftOutMessages.size >= INTERNED) {
      // Full: when it served fewer lines than it holds, the log's messages do not repeat, and
      // remembering them (a copy and an insertion each) costs more than it saves. Stop.
      remember = hits >= INTERNED;
      hits = 0;
      leftOutMessages.clear();
      if (!remember) return;
    }
    leftOutMessages.set(detach(message), verdict);
  };

  /** Keeps a plain line's message (its prefixes already off), as the normaliser would. */
  const keepPlain = (line: string, text: string) => {
    if (keep === null) {
      push(text, line);
      return;
    }
    let entry = interned.get(line);
    if (entry === undefined) {
      entry = { raw: detach(line), texts: [detach(text)] };
      chars += line.length + text.length;
      if (chars > maxChars) refuse(`more than ${maxChars} characters of the lines coco reads`);
      if (interned.size >= INTERNED) interned.clear();
      interned.set(entry.raw, entry);
    }
    push(entry.texts[0] as string, entry.raw);
  };

  /** Refuses a chunk with a NUL byte, naming its line (the lines before it are all read or carried). */
  const refuseNul = (chunk: string) => {
    const nul = chunk.indexOf('\0');
    if (nul === -1) return;
    let before = 0;
    for (let at = chunk.indexOf('\n'); at !== -1 && at < nul; at = chunk.indexOf('\n', at + 1)) before++;
    throw new CocoError('KERNEL_LOG_INVALID', 'it contains a NUL byte, so it is not a text log', {
      input: source,
      location: `line ${lfLines + before + 1}`,
      fix: 'pass the text output of dmesg or journalctl -k, not a binary file',
    });
  };

  /** Reads the line `text[start, lf)` (no LF inside); `slow` sends it to the normaliser. */
  const readLine = (text: string, start: number, lf: number, slow: boolean) => {
    const message = slow ? null : plainMessage(text, start, lf);
    if (message === null) {
      normaliseLine(text, start, lf);
      return;
    }
    lineNo++;
    if (message === '') return;
    const normal = classify(message);
    if (normal === '') return;
    if (kept(normal)) keepPlain(text.slice(start, lf), normal);
    else leftOut();
  };

  /** Whether `text[start, lf)` holds one of the slow markers (searched in the line alone). */
  const hasMarker = (text: string, start: number, lf: number) => {
    const line = text.slice(start, lf);
    for (const marker of SLOW_MARKERS) if (line.includes(marker)) return true;
    return false;
  };

  /** Reads complete lines, every one of them: `text` ends with a line feed, or is the last line. */
  const readEveryLine = (text: string, last: boolean) => {
    let start = 0;
    const end = text.length;
    for (;;) {
      let lf = text.indexOf('\n', start);
      if (lf === -1) lf = end;
      readLine(text, start, lf, hasMarker(text, start, lf));
      if (lf === end) break;
      lfLines++;
      start = lf + 1;
      if (start === end && !last) break;
    }
  };

  let marks: number[] = [];

  /**
   * Reads the complete lines of `text[from, end)`, only those the chunk scan marks or sees start
   * slow, or that hold a second message's stamp (and, after a kept line, until one holds a message).
   */
  const readMarkedLines = (text: string, from: number, end: number, last: boolean) => {
    (scan as NonNullable<typeof scan>).mark(text, marks, from);
    if (marks.length > 1) marks.sort((x, y) => x - y);
    let mark = 0;
    let start = from;
    // The first `[` after the start of the line being read (or of an earlier line), -1 for none.
    let bracket = from;
    for (;;) {
      while (mark < marks.length && (marks[mark] as number) < start) mark++;
      let lf = text.indexOf('\n', start);
      if (lf === -1) lf = end;
      if (bracket !== -1 && bracket <= start) bracket = text.indexOf('[', start + 1);
      const marked =
        (mark < marks.length && (marks[mark] as number) <= lf) ||
        (scan as NonNullable<typeof scan>).startsSlow(text, start) ||
        (bracket !== -1 && bracket < lf && hasSecondStamp(text, bracket, lf));
      // After a kept line, lines are read until one holds a message (a prompt holds none), so that
      // the next kept line knows whether lines were left out in between.
      if (marked || (lines.length > 0 && !gap) || lf - start > MAX_LINE) {
        const line = marked && bytes ? text.slice(start, lf) : '';
        if (NON_ASCII.test(line)) normaliseLfLine(fromBytes(line));
        else readLine(text, start, lf, marked && hasMarker(text, start, lf));
      } else lineNo++;
      if (lf === end) break;
      lfLines++;
      start = lf + 1;
      if (start === end && !last) break;
    }
    marks = [];
  };

  /**
   * Reads the complete lines of `text[from, end)`: they end with a line feed, or the last is the
   * last line of the input. Reading a range of the chunk spares a copy of it.
   */
  const readLines = (text: string, from: number, end: number, last: boolean) => {
    if (scan !== null) readMarkedLines(text, from, end, last);
    else {
      const lines = from === 0 && end === text.length ? text : text.slice(from, end);
      readEveryLine(bytes ? fromBytes(lines) : lines, last);
    }
  };

  /**
   * Reads the lines of an over-long carried line that carriage returns have ended, so that a log
   * whose lines end with CR alone streams like any other, and cuts the line still open.
   */
  const readEndedLines = () => {
    let end = carry.length;
    while (end > 0 && carry.charCodeAt(end - 1) === 0x0d) end--;
    if (end < carry.length) {
      // Every line is complete: a run of CRs ends the last one whatever comes next.
      const text = carry.slice(0, end);
      normaliseLfLine(bytes ? fromBytes(text) : text, true);
      pendingCrs = carry.length - end;
      carry = '';
      return;
    }
    const cr = carry.lastIndexOf('\r');
    if (cr !== -1) {
      const text = carry.slice(0, cr);
      normaliseLfLine(bytes ? fromBytes(text) : text, true);
      carry = carry.slice(cr + 1);
    }
    if (carry.length > MAX_PHYSICAL_LINE) {
      carry = carry.slice(0, MAX_PHYSICAL_LINE);
      cutting = true;
    }
  };

  return {
    push(chunk: string) {
      if (finished) throw new Error('the kernel-log reader is finished');
      if (typeof chunk !== 'string') {
        throw new CocoError('KERNEL_LOG_INVALID', 'the kernel log is not text', {
          input: source,
          fix: 'pass the output of dmesg or journalctl -k as a string',
        });
      }
      refuseNul(chunk);
      let text = chunk;
      if (pendingCrs > 0) {
        NOT_CR.lastIndex = 0;
        const crs = NOT_CR.exec(text)?.index ?? text.length;
        pendingCrs += crs;
        text = text.slice(crs);
        if (text === '') return;
        if (text.charCodeAt(0) === 0x0a) {
          lfLines++;
          text = text.slice(1);
        } else lineNo += pendingCrs - 1;
        pendingCrs = 0;
      }
      if (cutting) {
        const cr = text.indexOf('\r');
        const lf = text.indexOf('\n');
        const end = cr === -1 || (lf !== -1 && lf < cr) ? lf : cr;
        if (end === -1) return;
        cutting = false;
        text = text.slice(end);
      }
      const lastLf = text.lastIndexOf('\n');
      if (lastLf === -1) {
        carry += text;
      } else {
        // The line carried from the last chunk ends at this chunk's first line feed; the lines
        // after it are read where they are, in the chunk.
        let from = 0;
        if (carry !== '') {
          from = text.indexOf('\n') + 1;
          readLines(carry + text.slice(0, from), 0, carry.length + from, false);
        }
        if (from <= lastLf) readLines(text, from, lastLf + 1, false);
        carry = text.slice(lastLf + 1);
      }
      if (carry.length > MAX_PHYSICAL_LINE) readEndedLines();
    },
    finish() {
      if (!finished) {
        finished = true;
        // As `text.split('\n')`: the text after the last line feed is one more line, even empty;
        // after CRs that ended a line already read, the log ends with that line.
        if (pendingCrs === 0) readLines(carry, 0, carry.length, true);
        carry = '';
      }
      return Object.freeze({ lines, linesRead: lineNo, linesNormalised: normalised });
    },
  };
}

/** Reads a whole kernel log with a {@link KernelLogReader}. */
export function readKernelLog(text: string, options: KernelLogReaderOptions = {}): KernelLogReading {
  const reader = createKernelLogReader(options);
  reader.push(text);
  return reader.finish();
}
