#!/usr/bin/env node
// Where a `coco fleet` run's CPU goes, by thread (Linux: /proc/PID/task/*/stat, polled every 20 ms
// while the run lasts; the last few milliseconds of a thread can be missed). The main thread is the
// one whose id is the process's; the fleet workers are the busiest others; the rest are V8's and
// libuv's helper threads (garbage collection, compilation). Build first.
//   node tools/bench/fleet-cpu.mjs DIR [--bin path/to/bin.js] [-- node flags...]
import { spawn } from 'node:child_process';
import { openSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const dashes = args.indexOf('--');
const nodeFlags = dashes >= 0 ? args.slice(dashes + 1) : [];
const own = dashes >= 0 ? args.slice(0, dashes) : args;
const binAt = own.indexOf('--bin');
const bin =
  binAt >= 0 ? own[binAt + 1] : fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));
const dir = own.find((a, i) => !a.startsWith('--') && own[i - 1] !== '--bin');
if (!dir) {
  console.error('usage: node tools/bench/fleet-cpu.mjs DIR [--bin BIN] [-- node flags]');
  process.exit(2);
}
const ticks = 100; // USER_HZ on Linux
const started = performance.now();
const child = spawn(process.execPath, [...nodeFlags, bin, 'fleet', dir], {
  stdio: ['ignore', openSync('/dev/null', 'w'), 'inherit'],
});
const threads = new Map();
const poll = () => {
  try {
    for (const tid of readdirSync(`/proc/${child.pid}/task`)) {
      const stat = readFileSync(`/proc/${child.pid}/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      threads.set(Number(tid), (Number(f[11]) + Number(f[12])) / ticks);
    }
  } catch {
    // The process (or a thread) ended between two reads.
  }
};
const timer = setInterval(poll, 20);
child.on('exit', (code) => {
  clearInterval(timer);
  const wall = (performance.now() - started) / 1000;
  const main = threads.get(child.pid) ?? 0;
  const others = [...threads].filter(([tid]) => tid !== child.pid).map(([, s]) => s);
  others.sort((a, b) => b - a);
  const workers = others.slice(0, 2);
  const helpers = others.slice(2).reduce((a, b) => a + b, 0);
  const total = main + workers.reduce((a, b) => a + b, 0) + helpers;
  const s = (v) => `${v.toFixed(2)} s`;
  console.log(
    `coco fleet ${dir}: exit ${code}, ${wall.toFixed(1)} s wall, ${s(total)} CPU: main ${s(main)}, ` +
      `workers ${workers.map(s).join(' + ')}, other threads ${s(helpers)}`,
  );
});
