import { CocoError } from '../errors.js';
import { type Evidence, EvidenceBuilder, type LogLine } from './model.js';
import type { ParseOptions } from './snapshot.js';

// Each pattern is anchored and bounded, so a hostile line costs linear time at worst.
const SYSLOG_PREFIX = /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d{1,9})? \S{1,255} kernel: ?/;
const ISO_PREFIX = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)? \S{1,255} kernel: ?/;
const KERNEL_TAG = /^kernel: ?/;
const PRIORITY = /^<\d{1,3}>/;
const KMSG_RECORD = /^\d{1,3},\d{1,20},\d{1,20},[^;]{0,64};/;
const TIMESTAMP =
  /^\[(?:\s{0,12}\d{1,12}\.\d{1,9}|\s{0,4}\+\d{1,12}\.\d{1,9}|[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}|[A-Z][a-z]{2}\d{1,2} \d\d:\d\d(?::\d\d)?)\] ?/;
const CALLER_ID = /^\[\s{0,8}[TC]\d{1,8}\] ?/;

/** Lines longer than this are cut before matching: no kernel message comes close. */
const MAX_LINE = 4096;

/**
 * Strips what surrounds a kernel message: quoting indentation, journal or syslog prefixes
 * (`Feb 14 16:16:55 host kernel: `), `/dev/kmsg` record headers, `<6>` priorities,
 * `[    1.234567]` and `dmesg -T` timestamps, and printk caller ids (`[    T0]`).
 */
export function normaliseKernelLogLine(raw: string): string {
  let text = (raw.length > MAX_LINE ? raw.slice(0, MAX_LINE) : raw).trimStart();
  text = text.replace(SYSLOG_PREFIX, '').replace(ISO_PREFIX, '').replace(KERNEL_TAG, '');
  text = text.replace(PRIORITY, '').replace(KMSG_RECORD, '');
  text = text.replace(TIMESTAMP, '').trimStart().replace(CALLER_ID, '');
  return text.trim();
}

/** Normalises lines already split (a snapshot's `kernelLog`); blank lines are dropped. */
export function normaliseKernelLog(lines: readonly string[], options: ParseOptions = {}): LogLine[] {
  const source = options.source ?? 'kernel log';
  const out: LogLine[] = [];
  lines.forEach((raw, i) => {
    const text = normaliseKernelLogLine(raw);
    if (text !== '') out.push({ text, raw, line: i + 1, source });
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
  const nul = text.indexOf('\0');
  if (nul !== -1) {
    const line = text.slice(0, nul).split('\n').length;
    throw new CocoError('KERNEL_LOG_INVALID', 'it contains a NUL byte, so it is not a text log', {
      input: source,
      location: `line ${line}`,
      fix: 'pass the text output of dmesg or journalctl -k, not a binary file',
    });
  }
  return normaliseKernelLog(text.split(/\r?\n/), options);
}

/** Parses a kernel log straight into evidence. */
export function parseKernelLogEvidence(text: string, options: ParseOptions = {}): Evidence {
  return new EvidenceBuilder().addLogLines(parseKernelLog(text, options)).build();
}
