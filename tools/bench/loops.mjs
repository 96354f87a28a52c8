#!/usr/bin/env node
// How the bulk-marking inner loop was chosen: candidate loops over the same 2^24 entries, medians
// of interleaved rounds, in memory (128 MiB) and in cache (16K entries repeated). Not a budget
// check; `node tools/bench/loops.mjs` after `pnpm build`. Figures go to docs/performance.md.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fillRandom, gbps, interleave } from './lib.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const coreDist = join(root, 'packages', 'core', 'dist', 'index.js');
if (!existsSync(coreDist)) {
  console.error('loops: packages/core/dist is missing. Fix: run `pnpm build` first.');
  process.exit(2);
}
const { createMarking } = await import(pathToFileURL(coreDist).href);

const BIT = 51;
const marking = createMarking({ maskBit: BIT, encryptedWhen: 'set' });
const mask = 1n << BigInt(BIT);
const wordMask = 1 << (BIT & 31);
const wordOffset = 1; // little-endian: bit 51 is in the high word
const byteIndex = BIT >> 3;
const byteMask = 1 << (BIT & 7);

/** An Int32Array loop unrolled by `k` entries (the library's shape when k = 64). */
function unrolled(k) {
  const body = Array.from({ length: k }, (_, j) => {
    const idx = j === 0 ? 'i' : `(i + ${2 * j}) | 0`;
    return `w[${idx}] = w[${idx}] | m;`;
  }).join(' ');
  return new Function(
    'a',
    'm',
    'o',
    `const w = new Int32Array(a.buffer, a.byteOffset, a.length * 2); const n = w.length; let i = o;
     for (; i < n - ${2 * k - 2}; i = (i + ${2 * k}) | 0) { ${body} }
     for (; i < n; i = (i + 2) | 0) w[i] = w[i] | m;`,
  );
}

const candidates = {
  'copy (TypedArray.prototype.set)': (a, b) => b.set(a),
  'BigUint64Array a[i] | mask': (a) => {
    for (let i = 0; i < a.length; i++) a[i] = a[i] | mask;
  },
  'BigUint64Array unrolled x4': (a) => {
    const n = a.length;
    let i = 0;
    for (; i + 3 < n; i += 4) {
      a[i] = a[i] | mask;
      a[i + 1] = a[i + 1] | mask;
      a[i + 2] = a[i + 2] | mask;
      a[i + 3] = a[i + 3] | mask;
    }
    for (; i < n; i++) a[i] = a[i] | mask;
  },
  'Uint32Array stride 2 (first version)': (a) => {
    const w = new Uint32Array(a.buffer, a.byteOffset, a.length * 2);
    for (let i = wordOffset; i < w.length; i += 2) w[i] = w[i] | wordMask;
  },
  'Uint8Array stride 8': (a) => {
    const w = new Uint8Array(a.buffer, a.byteOffset, a.length * 8);
    for (let i = byteIndex; i < w.length; i += 8) w[i] = w[i] | byteMask;
  },
  'DataView getInt32/setInt32': (a) => {
    const d = new DataView(a.buffer, a.byteOffset, a.length * 8);
    for (let o = wordOffset * 4; o < a.length * 8; o += 8)
      d.setInt32(o, d.getInt32(o, true) | wordMask, true);
  },
  'Int32Array unrolled x4': (
    (f) => (a) =>
      f(a, wordMask, wordOffset)
  )(unrolled(4)),
  'Int32Array unrolled x32': (
    (f) => (a) =>
      f(a, wordMask, wordOffset)
  )(unrolled(32)),
  'library encryptAll (Int32Array x64)': (a) => marking.encryptAll(a),
  'BigUint64Array count (a[i] & mask) !== 0n': (a) => {
    let c = 0;
    for (let i = 0; i < a.length; i++) if ((a[i] & mask) !== 0n) c++;
    return c;
  },
  'library count (Int32Array x64, masked sums)': (a) => marking.count(a),
};

for (const [label, entries, repeat] of [
  ['in memory: 2^24 entries (128 MiB)', 2 ** 24, 1],
  ['in cache: 2^14 entries (128 KiB) x 1024', 2 ** 14, 1024],
]) {
  const a = fillRandom(new BigUint64Array(entries));
  const b = new BigUint64Array(entries).fill(1n);
  const runs = Object.fromEntries(
    Object.entries(candidates).map(([name, f]) => [
      name,
      () => {
        for (let r = 0; r < repeat; r++) f(a, b);
      },
    ]),
  );
  const t = interleave(runs, { rounds: 9, warmup: 2 });
  const bytes = entries * 8 * repeat;
  console.log(`\n${label}`);
  for (const [name, { ms }] of Object.entries(t)) {
    console.log(`  ${name.padEnd(44)} ${ms.toFixed(2).padStart(8)} ms ${gbps(bytes, ms).padStart(7)} GB/s`);
  }
}
