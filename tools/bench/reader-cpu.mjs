#!/usr/bin/env node
// The kernel-log reader's CPU time in process, to compare builds back to back (docs/performance.md,
// "Reading before and after the line walk"): writes the bench's log (the boot log once, then its
// undeclared lines repeated) and reads it as `coco detect --dmesg` does (1 MiB reads, 64 KiB latin1
// pieces, the CLI's plugins' patterns) with the core of each checkout in turn, the checkouts
// alternating. Prints the first pass (what one CLI run gets), the best and the median in MB/s of
// CPU, and what each build kept, so that a difference in the result shows. Not a test; needs builds.
//
//   node tools/bench/reader-cpu.mjs [--mb 50] [--runs 10] [CHECKOUT...]   (default: this checkout)
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, writeRepeated } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  if (at === -1) return fallback;
  const value = Number(args[at + 1]);
  args.splice(at, 2);
  return value;
};
const mb = option('--mb', 50);
const runs = option('--runs', 10);
const checkouts = (args.length > 0 ? args : [resolve(here, '..', '..')]).map((c) => resolve(c));
const load = (checkout, path) => import(pathToFileURL(join(checkout, 'packages', path)).href);

const cores = await Promise.all(checkouts.map((c) => load(c, 'core/dist/index.js')));
const { BUILTIN_PLUGINS } = await load(checkouts[0], 'cli/dist/builtin-plugins.js');
const registry = cores[0].createRegistry();
for (const plugin of BUILTIN_PLUGINS) registry.use(plugin);
registry.seal();
const keep = registry.logPatterns;

const fixture = readFileSync(join(here, 'fixtures', 'boot-dmesg.txt'), 'utf8');
const declared = (line) => keep.some((p) => p.test(line.replace(/^\[[ \d.]+\] /, '')));
const runtime = `${fixture
  .split('\n')
  .filter((l) => l !== '' && !declared(l))
  .join('\n')}\n`;
const dir = mkdtempSync(join(os.tmpdir(), 'coco-reader-'));
const file = join(dir, 'dmesg.log');
const size = writeRepeated(file, runtime, mb * 1e6, fixture);

const buffer = Buffer.allocUnsafe(2 ** 20);
/** One reading of the file: MB/s of CPU, and what was kept and counted. */
function read(core) {
  const before = process.cpuUsage();
  const reader = core.createKernelLogReader({ source: 'bench', keep, utf8Bytes: true });
  const fd = openSync(file, 'r');
  for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) {
    for (let at = 0; at < n; at += 65536) reader.push(buffer.toString('latin1', at, Math.min(at + 65536, n)));
  }
  closeSync(fd);
  const reading = reader.finish();
  const cpu = process.cpuUsage(before);
  const result = `${reading.lines.length} kept, ${reading.linesRead} read, ${reading.linesNormalised} normalised`;
  return { mbs: size / 1e3 / ((cpu.user + cpu.system) / 1e3), result };
}

try {
  const figures = checkouts.map(() => []);
  const results = checkouts.map(() => new Set());
  for (let i = 0; i < runs; i++) {
    cores.forEach((core, k) => {
      const { mbs, result } = read(core);
      figures[k].push(mbs);
      results[k].add(result);
    });
  }
  console.log(
    `${size} bytes, ${runs} runs each, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  checkouts.forEach((checkout, k) => {
    const [first] = figures[k];
    const best = Math.max(...figures[k]);
    console.log(
      `${checkout}: first ${first.toFixed(0)}, best ${best.toFixed(0)}, median ${median(figures[k]).toFixed(0)} MB/s of CPU; ${[...results[k]].join(' | ')}`,
    );
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
