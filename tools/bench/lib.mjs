// Timing and memory helpers for the benchmark: warm-up, interleaved rounds, medians.
import { closeSync, openSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';

/** `gc()` without asking the user for --expose-gc. */
export const gc = (() => {
  if (typeof globalThis.gc === 'function') return globalThis.gc;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc');
})();

/** The median of a list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Milliseconds `fn` takes once. */
export function timeOnce(fn) {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

/**
 * Runs every candidate once per round, `warmup` rounds unrecorded then `rounds` recorded, rotating
 * the order each round so that no candidate always runs after the same neighbour (cache and
 * frequency effects spread evenly). A candidate may limit itself to fewer recorded rounds with
 * `rounds` (slow reference loops). Returns the median milliseconds per candidate.
 */
export function interleave(candidates, { rounds, warmup }) {
  const names = Object.keys(candidates);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = -warmup; r < rounds; r++) {
    const order = names.map((_, i) => names[(i + Math.max(r, 0)) % names.length]);
    for (const name of order) {
      const c = candidates[name];
      const fn = typeof c === 'function' ? c : c.run;
      const limit = typeof c === 'function' ? rounds : (c.rounds ?? rounds);
      if (r >= limit) continue;
      if (r < 0 && typeof c !== 'function' && c.warmup === false) continue;
      const ms = timeOnce(fn);
      if (r >= 0) samples[name].push(ms);
    }
  }
  return Object.fromEntries(names.map((n) => [n, { ms: median(samples[n]), samples: samples[n] }]));
}

/**
 * Extra memory an operation holds when it returns: heap and ArrayBuffer bytes after it minus
 * before it, with a full GC before (not after, so garbage it made still counts). Returns the
 * operation's result too, kept alive until the second reading.
 */
export function extraMemory(op) {
  gc();
  gc();
  const before = process.memoryUsage();
  const result = op();
  const after = process.memoryUsage();
  return {
    bytes: after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers),
    heap: after.heapUsed - before.heapUsed,
    arrayBuffers: after.arrayBuffers - before.arrayBuffers,
    result,
  };
}

/** Fills a BigUint64Array with pseudo-random 64-bit values (xorshift32 on its 32-bit words). */
export function fillRandom(entries, seed = 0x9e3779b9) {
  const words = new Int32Array(entries.buffer, entries.byteOffset, entries.length * 2);
  let x = seed | 0;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x;
  }
  return entries;
}

/** Formats bytes per millisecond as GB/s. */
export function gbps(bytes, ms) {
  return (bytes / ms / 1e6).toFixed(2);
}

/**
 * JavaScript line patterns (a registry's `logPatterns`) as POSIX extended regular expressions for
 * `grep -E -e …`, the reference of the kernel-log figures. grep reads raw lines, so a leading `^`
 * becomes `^` and an optional dmesg timestamp; `(?:` becomes `(`, `\d` `[0-9]`, `\s`
 * `[[:space:]]`; a case-insensitive pattern spells each letter as `[xX]`; assertions grep lacks
 * (`\b`) are dropped.
 */
export function toEre(patterns) {
  return patterns
    .map((pattern) => {
      const src = pattern.source;
      const fold = pattern.flags.includes('i');
      let out = '';
      let inClass = false;
      for (let i = 0; i < src.length; i++) {
        const c = src[i];
        if (c === '\\') {
          const n = src[++i];
          if (n === 'd') out += inClass ? '0-9' : '[0-9]';
          else if (n === 's') out += inClass ? '[:space:]' : '[[:space:]]';
          else if (n === 'S') out += '[^[:space:]]';
          else if (n === 'b' || n === 'B') out += '';
          else if (/[A-Za-z0-9/]/.test(n)) out += n;
          else out += inClass ? n : `\\${n}`;
        } else if (inClass) {
          if (c === ']') inClass = false;
          out += c;
        } else if (c === '[') {
          inClass = true;
          out += c;
        } else if (c === '(' && src[i + 1] === '?') {
          const kind = src.slice(i, i + 4);
          if (kind.startsWith('(?:')) i += 2;
          else if (/^\(\?<[^=!]/.test(kind)) i = src.indexOf('>', i);
          else return null; // lookaround: no ERE equivalent
          out += '(';
        } else if (c === '^' && i === 0) {
          out += '^(\\[[ 0-9.]*\\] )?';
        } else if (fold && /[A-Za-z]/.test(c)) {
          out += `[${c.toLowerCase()}${c.toUpperCase()}]`;
        } else out += c;
      }
      return out;
    })
    .filter((e) => e !== null);
}

/**
 * Writes `head` once, then `text` repeated, to `path` until the file holds at least `bytes` bytes;
 * returns its size.
 */
export function writeRepeated(path, text, bytes, head = '') {
  const block = Buffer.from(text.repeat(Math.max(1, Math.floor((8 * 2 ** 20) / Buffer.byteLength(text)))));
  const fd = openSync(path, 'w');
  let size = head === '' ? 0 : writeSync(fd, head);
  try {
    while (size < bytes) size += writeSync(fd, block);
  } finally {
    closeSync(fd);
  }
  return size;
}
