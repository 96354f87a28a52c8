// What the streaming kernel-log reader must give, computed the slow way (the whole log parsed, then
// filtered), and the ways the tests feed it a log: whole, cut into chunks, or as UTF-8 bytes.
import { createKernelLogReader, type LogLine, parseKernelLog } from '@coco/core';

export const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The line that stands for lines left out between two kept ones (LEFT_OUT_TEXT). */
export const LEFT_OUT = 'coco: lines left out';

/**
 * What the reader must keep: the whole log parsed, then filtered, with one LEFT_OUT line before a
 * kept line wherever lines were left out since the previous kept one.
 */
export const expected = (log: string, keep: readonly RegExp[]) => {
  const out: LogLine[] = [];
  let gap = false;
  for (const l of parseKernelLog(log)) {
    if (!keep.some((r) => r.test(l.text))) gap = true;
    else {
      if (gap && out.length > 0) out.push({ text: LEFT_OUT, raw: LEFT_OUT, line: l.line, source: l.source });
      gap = false;
      out.push(l);
    }
  }
  return out;
};

type Codecs = {
  TextEncoder: new () => { encode(s: string): Uint8Array };
  TextDecoder: new (label: string, o: { ignoreBOM: boolean }) => { decode(b: Uint8Array): string };
};
const { TextEncoder: Encoder, TextDecoder: Decoder } = globalThis as unknown as Codecs;

/** `log` as UTF-8 bytes (a byte-order mark at its start dropped, as the caller does) and as decoded back. */
export function utf8Of(log: string): { bytes: Uint8Array; text: string } {
  const bytes = new Encoder().encode(log.startsWith('\uFEFF') ? log.slice(1) : log);
  return { bytes, text: new Decoder('utf-8', { ignoreBOM: true }).decode(bytes) };
}

const latin1 = (bytes: Uint8Array) => {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
};

/** Reads `bytes` one character per byte, in chunks cut at `cuts` (byte positions, any order). */
export function readBytesInChunks(bytes: Uint8Array, cuts: readonly number[], keep: readonly RegExp[]) {
  const reader = createKernelLogReader({ keep, utf8Bytes: true });
  let at = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)) {
    reader.push(latin1(bytes.subarray(at, cut)));
    at = cut;
  }
  reader.push(latin1(bytes.subarray(at)));
  return reader.finish();
}

export const plain = (lines: readonly LogLine[]) => lines.map((l) => ({ ...l }));

/** Reads `log` cut at `cuts` (positions, any order). */
export function readInChunks(log: string, cuts: readonly number[], keep: readonly RegExp[]) {
  const reader = createKernelLogReader({ keep });
  let at = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (log.length + 1)))].sort((a, b) => a - b)) {
    reader.push(log.slice(at, cut));
    at = cut;
  }
  reader.push(log.slice(at));
  return reader.finish();
}
