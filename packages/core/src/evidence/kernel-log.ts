import { CocoError } from '../errors.js';
import { kernelMessages } from './kernel-log-formats.js';
import { lineMessages, readKernelLog } from './kernel-log-reader.js';
import { type Evidence, EvidenceBuilder, type LogLine } from './model.js';
import type { ParseOptions } from './snapshot.js';

/**
 * A kernel log line's normal form: exactly what the kernel's printk produced, trimmed, whatever
 * surrounded it. What is taken off, at the start and in any order:
 *
 * - `dmesg` timestamps: `[    0.000000]`, `-d` `[    0.000000 <    0.000123>]` and `[<    0.000123>]`,
 *   `-T` `[Wed Feb 14 16:16:55 2024]` (also with ` <delta>`), `-e` `[Feb14 16:16]` and
 *   `[  +0.000123]`, `--time-format iso` `2024-02-14T16:16:55,123456+00:00`; printk caller ids
 *   (`[    T0]`, `[  C1]`); `-x` `kern  :info  : `; `-r` and syslog(2) `<6>`; `--color=always`
 *   escape sequences (every CSI sequence anywhere in the line, then any stray ESC);
 * - journal and syslog headers ending in `kernel:`: `Feb 14 16:16:55[.123456] host kernel:`,
 *   `2024-02-14T16:16:55[.123456]+0000|+00:00 host kernel:`, `[    0.000000] host kernel:`,
 *   `1707927415.123456 host kernel:`, `Wed 2024-02-14 16:16:55 UTC host kernel:`, with or without
 *   the host; a bare `kernel:`; `/dev/kmsg` record headers (`6,101,0,-;`);
 * - a `journalctl -o json` record (a JSON object with an own `MESSAGE`) becomes its MESSAGE (a
 *   string, or a byte array decoded as UTF-8); a record whose `_TRANSPORT` is present and not
 *   `kernel` is dropped; any other line, JSON or not, is text;
 * - ticket quoting: indentation, `> ` markers, `**bold**`, `__bold__` and `` `code` `` markers
 *   around the line or part of it.
 *
 * Dropped (''): blank lines, markdown code fences, shell prompts (`$ …`, `# dmesg…`,
 * `user@host:~$ …`, `[root@host ~]# …`) and journalctl's `-- Boot … --` lines. An elision
 * (`...`, `…`, `[...]`, `<snip>`, `-- snip --`) becomes `...`. A line holding two messages whose
 * newline was lost (`…AMD SEV[    0.140001] SEV: …`) is split before the second one's exact
 * printk timestamp `[%5lu.%06lu]`; the messages are then joined by `\n` here, and are separate
 * lines from {@link normaliseKernelLog} and {@link parseKernelLog}. Normalising twice changes
 * nothing more.
 */
export function normaliseKernelLogLine(raw: string): string {
  return kernelMessages(raw).join('\n');
}

/** Normalises lines already split (a snapshot's `kernelLog`); blank lines are dropped. */
export function normaliseKernelLog(lines: readonly string[], options: ParseOptions = {}): LogLine[] {
  const source = options.source ?? 'kernel log';
  const out: LogLine[] = [];
  lines.forEach((raw, i) => {
    for (const text of lineMessages(raw)) out.push({ text, raw, line: i + 1, source });
  });
  return out;
}

/**
 * Parses a kernel log (`dmesg`, `journalctl -k`, `/dev/kmsg`, a syslog file, or lines quoted in a
 * bug report) into normalised lines. Backends and plugins extract their own facts from them.
 */
export function parseKernelLog(text: string, options: ParseOptions = {}): LogLine[] {
  const source = options.source ?? 'kernel log';
  if (typeof text !== 'string') {
    throw new CocoError('KERNEL_LOG_INVALID', 'the kernel log is not text', {
      input: source,
      fix: 'pass the output of dmesg or journalctl -k as a string',
    });
  }
  // The streaming reader's code, keeping every line (it refuses a NUL byte with its line).
  return readKernelLog(text, { source, maxKeptLines: Number.POSITIVE_INFINITY }).lines as LogLine[];
}

/** Parses a kernel log straight into evidence. */
export function parseKernelLogEvidence(text: string, options: ParseOptions = {}): Evidence {
  return new EvidenceBuilder().addLogLines(parseKernelLog(text, options)).build();
}
