#!/usr/bin/env node
// Fleet throughput: writes N snapshots (the bundled examples in turn, each with its own host name
// and capture time) into a temp dir, runs the built `coco fleet DIR` on them and prints machines
// per second, measured from the command's start to its end (walk, workers' start, parse, detect,
// NDJSON written to a file). Build first (pnpm exec turbo run build --filter=@coco/cli...).
//   node tools/bench/fleet.mjs [N=10000] [--jobs J] [--keep]
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));
const args = process.argv.slice(2);
const count = Number(args.find((a) => /^\d+$/.test(a)) ?? 10_000);
const jobsAt = args.indexOf('--jobs');
const jobs = jobsAt >= 0 ? ['--jobs', args[jobsAt + 1]] : [];
const keep = args.includes('--keep');

const { EXAMPLES } = await import(new URL('../../packages/cli/dist/index.js', import.meta.url).href);
const dir = mkdtempSync(join(tmpdir(), 'coco-fleet-bench-'));
try {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const example = EXAMPLES[i % EXAMPLES.length];
    // 100 machines a directory, as a fleet's snapshots are often filed (by rack, by day).
    const sub = join(dir, `rack-${String(Math.floor(i / 100)).padStart(4, '0')}`);
    if (i % 100 === 0) mkdirSync(sub);
    const hostname = `node-${String(i).padStart(6, '0')}`;
    const snapshot = {
      ...example.snapshot,
      machine: { hostname, capturedAt: '2026-11-30T06:20:00Z', cocoVersion: '1.0.0' },
    };
    writeFileSync(join(sub, `${hostname}.json`), JSON.stringify(snapshot));
  }
  const written = performance.now() - t0;
  const out = join(dir, 'fleet.ndjson');
  const fd = openSync(out, 'w');
  const t1 = performance.now();
  const run = spawnSync(process.execPath, [bin, 'fleet', dir, ...jobs], {
    stdio: ['ignore', fd, 'pipe'],
    encoding: 'utf8',
  });
  const seconds = (performance.now() - t1) / 1000;
  closeSync(fd);
  if (run.status !== 0) {
    console.error(`coco fleet exited ${run.status}: ${run.stderr}`);
    process.exit(1);
  }
  const bytes = statSync(out).size;
  console.log(
    `coco fleet: ${count} snapshots (written in ${(written / 1000).toFixed(1)} s) decided in ${seconds.toFixed(2)} s: ` +
      `${Math.round(count / seconds)} machines/s on ${availableParallelism()} cores ${jobs.join(' ')}; ` +
      `${(bytes / 1e6).toFixed(1)} MB of NDJSON`,
  );
} finally {
  if (keep) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
