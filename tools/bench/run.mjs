#!/usr/bin/env node
// coco's benchmark (`pnpm bench`): bulk marking, counting, scalar marking, detection and the CLI,
// reported as throughput and as ratios against references measured in the same run, with the
// budgets of docs/performance.md. Exits 1 when a budget is missed. Not a test: run it on a quiet
// machine. Imports the built dist of each package (`pnpm bench` builds first).
//
//   node tools/bench/run.mjs [--json] [--log2 N] [--core-only] [--log-mb 50,500] [--fleet 100000]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { extraMemory, fillRandom, gbps, interleave, median, timeOnce, toEre, writeRepeated } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const args = process.argv.slice(2);
const asJson = args.includes('--json');
// --log2 N: a smaller table for a quick try (budgets are defined for the default 24).
const log2At = args.indexOf('--log2');
const N = 2 ** (log2At >= 0 ? Number(args[log2At + 1]) : 24);
// --core-only: detection through a test-only plugin even when the backends are built.
const coreOnly = args.includes('--core-only');
// --log-mb A,B: the sizes of the generated kernel logs (budgets are defined for 50 and 500).
const logMbAt = args.indexOf('--log-mb');
const LOG_MB = (logMbAt >= 0 ? args[logMbAt + 1] : '50,500').split(',').map(Number);
// --fleet N: the number of snapshots of the fleet figure (the budget is defined for 100,000).
const fleetAt = args.indexOf('--fleet');
const FLEET = fleetAt >= 0 ? Number(args[fleetAt + 1]) : 100_000;
const BYTES = N * 8;
const MiB = 2 ** 20;

const dist = (pkg) => join(root, 'packages', pkg, 'dist', 'index.js');
if (!existsSync(dist('core'))) {
  console.error(
    'bench: packages/core/dist is missing. Fix: run `pnpm bench` (it builds first) or `pnpm build`.',
  );
  process.exit(2);
}
const core = await import(pathToFileURL(dist('core')).href);
const {
  createEntryTable,
  createMarking,
  isSimdTable,
  classifyEntries,
  createRegistry,
  parseSnapshot,
  defineBackend,
  createType,
  parseKernelLogEvidence,
} = core;

const log = asJson ? () => {} : (line = '') => console.log(line);
/**
 * Budgets this code does not meet yet (docs/performance.md, "Left"): measured and printed like the
 * others, shown as OPEN when missed, and not counted as failures until met. Every budget of issue
 * 14 is met and enforced since 30 Nov 2026 (the fleet's last).
 */
const OPEN_TARGETS = new Set();
const results = { machine: machine(), entries: N, figures: {}, budgets: [] };
const figure = (key, value, unit, note) => {
  results.figures[key] = { value, unit, ...(note ? { note } : {}) };
  log(`  ${key.padEnd(44)} ${String(value).padStart(10)} ${unit}${note ? `  (${note})` : ''}`);
};
const budget = (name, value, op, limit) => {
  const pass = value === null ? null : op === '>=' ? value >= limit : value <= limit;
  results.budgets.push({ name, value, op, limit, pass, open: OPEN_TARGETS.has(name) });
};

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform} ${process.arch}`,
    loadAverage: os.loadavg().map((l) => l.toFixed(2)),
  };
}

log(
  `coco bench: ${N} entries (${BYTES / 2 ** 20} MiB), ${results.machine.cpu}, ${results.machine.cores} cores, Node ${process.version}, load average ${results.machine.loadAverage.join(' ')}`,
);

// ---------------------------------------------------------------------------------------------
// 1. Bulk marking and counting against the memory-bandwidth copy and the hand-written loops.
// ---------------------------------------------------------------------------------------------
const cbit = createMarking({ maskBit: 51, encryptedWhen: 'set' }); // encrypt = OR, decrypt = AND
const mask = cbit.mask;
const notMask = 0xffff_ffff_ffff_ffffn ^ mask;
const table = fillRandom(new BigUint64Array(N));
const copyTarget = new BigUint64Array(N).fill(1n); // touched, so the copy pays no page faults

// The loops an expert writes by hand over the same BigUint64Array, each in one function.
function inlineOr(a, m) {
  for (let i = 0; i < a.length; i++) a[i] = a[i] | m;
}
function inlineOrUnrolled(a, m) {
  const n = a.length;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    a[i] = a[i] | m;
    a[i + 1] = a[i + 1] | m;
    a[i + 2] = a[i + 2] | m;
    a[i + 3] = a[i + 3] | m;
  }
  for (; i < n; i++) a[i] = a[i] | m;
}
function inlineAnd(a, m) {
  for (let i = 0; i < a.length; i++) a[i] = a[i] & m;
}
function inlineAndUnrolled(a, m) {
  const n = a.length;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    a[i] = a[i] & m;
    a[i + 1] = a[i + 1] & m;
    a[i + 2] = a[i + 2] & m;
    a[i + 3] = a[i + 3] & m;
  }
  for (; i < n; i++) a[i] = a[i] & m;
}
function scalarPerEntry(a, marking) {
  for (let i = 0; i < a.length; i++) a[i] = marking.encrypt(a[i]);
}
let countSink = 0;

log('\nbulk marking (median of interleaved rounds)');
const bulk = interleave(
  {
    copy: () => copyTarget.set(table),
    encryptAll: () => cbit.encryptAll(table),
    decryptAll: () => cbit.decryptAll(table),
    count: () => {
      countSink += cbit.count(table).encrypted;
    },
    inlineOr: () => inlineOr(table, mask),
    inlineOrUnrolled: () => inlineOrUnrolled(table, mask),
    inlineAnd: () => inlineAnd(table, notMask),
    inlineAndUnrolled: () => inlineAndUnrolled(table, notMask),
    scalarPerEntry: { run: () => scalarPerEntry(table, cbit), rounds: 3 },
  },
  { rounds: 11, warmup: 2 },
);
const ms = (k) => bulk[k].ms;
for (const k of Object.keys(bulk)) figure(`${k} ms`, ms(k).toFixed(2), `ms  ${gbps(BYTES, ms(k))} GB/s`);
const bestInlineOr = Math.min(ms('inlineOr'), ms('inlineOrUnrolled'));
const bestInlineAnd = Math.min(ms('inlineAnd'), ms('inlineAndUnrolled'));
const r = {
  encryptVsCopy: ms('copy') / ms('encryptAll'),
  decryptVsCopy: ms('copy') / ms('decryptAll'),
  encryptVsInline: bestInlineOr / ms('encryptAll'),
  decryptVsInline: bestInlineAnd / ms('decryptAll'),
  bulkVsScalar: ms('scalarPerEntry') / ms('encryptAll'),
  countVsCopy: ms('copy') / ms('count'),
};
figure('encryptAll throughput', (N / ms('encryptAll') / 1e3).toFixed(0), 'M entries/s');
figure('count throughput', (N / ms('count') / 1e3).toFixed(0), 'M entries/s');
budget('bulk encrypt vs TypedArray.prototype.set copy', r.encryptVsCopy, '>=', 0.5);
budget('bulk decrypt vs TypedArray.prototype.set copy', r.decryptVsCopy, '>=', 0.5);
budget('bulk encrypt vs best inline a[i] | mask loop', r.encryptVsInline, '>=', 0.9);
budget('bulk decrypt vs best inline a[i] & ~mask loop', r.decryptVsInline, '>=', 0.9);
budget('bulk encrypt vs scalar encrypt per entry', r.bulkVsScalar, '>=', 10);
budget('count vs TypedArray.prototype.set copy', r.countVsCopy, '>=', 0.5);

// The same in-place OR in C (-O3), compiled with the system's C compiler when there is one. Both
// sides are measured alike: 2 warm-up passes then 11 back-to-back passes over the same in-place
// table (mark.c's 2^N entries), the best pass of each; three alternations of C then JavaScript,
// the best of each kept, so that load from other processes hits both. JavaScript marks two tables
// of the same random entries: one from createEntryTable (a WebAssembly.Memory, where marking runs
// as WebAssembly SIMD: the budget) and the ordinary BigUint64Array above (the JavaScript loop).
const simdTable = createEntryTable(N);
simdTable.set(table);
if (!isSimdTable(simdTable)) throw new Error('bench: createEntryTable gave no SIMD table on this engine');
const cMark = compileC();
if (cMark.ms === null) {
  figure('C -O3 in-place OR', 'skipped', '', cMark.note);
  results.budgets.push({
    name: 'bulk encrypt vs C -O3 in-place loop',
    value: `skipped: ${cMark.note}`,
    pass: null,
  });
} else {
  const passes = (entries) => {
    const times = [];
    for (let r = -2; r < 11; r++) {
      const t = timeOnce(() => cbit.encryptAll(entries));
      if (r >= 0) times.push(t);
    }
    return times;
  };
  let cBest = Math.min(cMark.ms, cMark.min);
  let cMedian = cMark.median;
  let simdTimes = passes(simdTable);
  let plainTimes = passes(table);
  for (let i = 1; i < 3; i++) {
    const again = cMark.run();
    if (again) {
      cBest = Math.min(cBest, again.min);
      cMedian = Math.min(cMedian, again.median);
    }
    simdTimes = simdTimes.concat(passes(simdTable));
    plainTimes = plainTimes.concat(passes(table));
  }
  const simdBest = Math.min(...simdTimes);
  const plainBest = Math.min(...plainTimes);
  figure(
    'C -O3 in-place OR ms',
    cBest.toFixed(2),
    `ms  ${gbps(BYTES, cBest)} GB/s`,
    `${cMark.note}; best pass, median ${cMedian.toFixed(2)} ms`,
  );
  figure(
    'encryptAll, createEntryTable ms',
    simdBest.toFixed(2),
    `ms  ${gbps(BYTES, simdBest)} GB/s`,
    `WebAssembly SIMD; best pass, median ${median(simdTimes).toFixed(2)} ms`,
  );
  figure(
    'encryptAll, BigUint64Array ms',
    plainBest.toFixed(2),
    `ms  ${gbps(BYTES, plainBest)} GB/s`,
    `JavaScript loop; best pass, median ${median(plainTimes).toFixed(2)} ms`,
  );
  figure(
    'encryptAll (entry table) vs C -O3 in-place OR',
    (cBest / simdBest).toFixed(2),
    'x (time of C / time of encryptAll, best passes)',
  );
  figure('  the same, medians', (cMedian / median(simdTimes)).toFixed(2), 'x');
  figure('encryptAll (BigUint64Array) vs C -O3', (cBest / plainBest).toFixed(2), 'x (best passes)');
  figure('TypedArray.prototype.set vs C -O3 in-place OR', (cBest / ms('copy')).toFixed(2), 'x');
  budget('bulk encrypt vs C -O3 in-place loop', cBest / simdBest, '>=', 0.8);
  // The JavaScript loop's own floor, to catch a regression (0.55 to 0.84 measured under load).
  budget('bulk encrypt (BigUint64Array) vs C -O3 in-place loop', cBest / plainBest, '>=', 0.4);
}

// Runs on a page-table-like table: runs of 1..1024 entries alternating, other bits random.
const paged = fillRandom(new BigUint64Array(N), 0x2545f491);
let runsMade = 0;
for (let at = 0, enc = true, seed = 12345; at < N; enc = !enc, runsMade++) {
  seed = (Math.imul(seed, 1103515245) + 12345) | 0;
  const end = Math.min(N, at + 1 + ((seed >>> 8) & 1023));
  if (enc) cbit.encryptAll(paged, at, end);
  else cbit.decryptAll(paged, at, end);
  at = end;
}
const runsTiming = interleave({ classify: () => classifyEntries(cbit, paged) }, { rounds: 5, warmup: 1 });
figure(
  'classify with runs (page-table-like)',
  runsTiming.classify.ms.toFixed(2),
  `ms  ${gbps(BYTES, runsTiming.classify.ms)} GB/s, ${runsMade} runs`,
);

// ---------------------------------------------------------------------------------------------
// 2. Scalar encrypt against the bare expression, on the same values, same loop shape.
// ---------------------------------------------------------------------------------------------
const VALUES = 4096;
const values = Array.from(fillRandom(new BigUint64Array(VALUES), 0x1234567));
const out = new Array(VALUES).fill(0n);
const PASSES = 128;
function bareExpression(vals, dst, m) {
  for (let p = 0; p < PASSES; p++) for (let i = 0; i < vals.length; i++) dst[i] = vals[i] | m;
}
function libraryScalar(vals, dst, marking) {
  for (let p = 0; p < PASSES; p++) for (let i = 0; i < vals.length; i++) dst[i] = marking.encrypt(vals[i]);
}
const scalar = interleave(
  { bare: () => bareExpression(values, out, mask), library: () => libraryScalar(values, out, cbit) },
  { rounds: 41, warmup: 5 },
);
const perOp = (k) => (scalar[k].ms * 1e6) / (PASSES * VALUES);
log('\nscalar marking');
figure('bare v | mask', perOp('bare').toFixed(1), 'ns per value');
figure('marking.encrypt(v)', perOp('library').toFixed(1), 'ns per value');
budget('scalar encrypt time vs bare v | mask', scalar.library.ms / scalar.bare.ms, '<=', 1.5);

// ---------------------------------------------------------------------------------------------
// 3. Detection from a snapshot, with the real backends when built (else a test-only plugin).
// ---------------------------------------------------------------------------------------------
log('\ndetection');
const plugins = [];
for (const [pkg, name] of [
  ['tdx', 'tdxBackend'],
  ['amd-cbit', 'amdCbitBackend'],
  ['amd-vtom', 'amdVtomBackend'],
  ['hyperv', 'hypervPlugin'],
]) {
  if (coreOnly || !existsSync(dist(pkg))) continue;
  const mod = await import(pathToFileURL(dist(pkg)).href);
  if (mod[name]) plugins.push(mod[name]);
}
const registry = createRegistry();
let backendsNote = `${plugins.length} plugins: ${plugins.map((p) => p.id).join(', ')}`;
if (plugins.length === 0) {
  backendsNote = coreOnly ? 'a test-only plugin (--core-only)' : 'no backend built: a test-only plugin';
  registry.use(
    defineBackend({
      interfaceVersion: core.PLUGIN_INTERFACE_VERSION,
      kind: 'backend',
      id: 'bench-only',
      packageName: 'bench-only',
      variants: [{ variant: null, title: 'bench only', attributes: ['mem-encrypt'], cvm: 'none' }],
      params: {},
      logPatterns: [/Memory Encryption Features active/],
      createType: () => benchType(),
      // Core knows no MSR since interface 2 (they are @coco/x86's facts): the kernel log stands in.
      detect: (evidence, ctx) => {
        const line = evidence.kernelLog.find((l) => l.text.includes('Memory Encryption Features active'));
        if (!line) return null;
        ctx.step('kernel-log', line.text);
        return { type: benchType() };
      },
    }),
  );
} else {
  for (const p of plugins) registry.use(p);
}
registry.seal();
function benchType() {
  return createType({
    id: 'bench-only',
    title: 'bench only',
    attributes: ['mem-encrypt'],
    encryptedWhen: 'set',
    maskBit: 51,
    maskName: 'bit',
    cvm: 'none',
  });
}
const fixtures = {
  'sev-snp': { expect: plugins.length ? 'amd-cbit' : 'bench-only' },
  'azure-snp-paravisor': { expect: plugins.length ? 'amd-vtom' : null },
};
for (const [name, f] of Object.entries(fixtures)) {
  const text = readFileSync(join(here, 'fixtures', `${name}.json`), 'utf8');
  const once = () => registry.detect(parseSnapshot(text));
  const got = once().type?.id ?? null;
  const CALLS = 200;
  const timing = interleave(
    {
      detect: () => {
        for (let i = 0; i < CALLS; i++) once();
      },
    },
    { rounds: 31, warmup: 5 },
  );
  const us = (timing.detect.ms * 1000) / CALLS;
  figure(
    `detect ${name}`,
    us.toFixed(1),
    'µs per call',
    `parse + detect, ${backendsNote}; type ${got}${got === f.expect ? '' : `, expected ${f.expect}`}`,
  );
  budget(
    `detection from snapshot ${name} (µs, microseconds not milliseconds)`,
    got === f.expect ? us : null,
    '<=',
    1000,
  );
}

// ---------------------------------------------------------------------------------------------
// 4. The CLI's wall time against an empty Node process.
// ---------------------------------------------------------------------------------------------
log('\nCLI');
const bin = join(root, 'packages', 'cli', 'dist', 'bin.js');
if (!existsSync(bin)) {
  figure('coco detect --snapshot', 'skipped', '', 'CLI not built');
  results.budgets.push({
    name: 'coco detect --snapshot F vs node -e ""',
    value: 'skipped: CLI not built',
    pass: null,
  });
} else {
  const snapshot = join(here, 'fixtures', 'sev-snp.json');
  const spawnMs = (argv) => {
    let status = 0;
    const t = timeOnce(() => {
      status = spawnSync(process.execPath, argv, { stdio: 'ignore' }).status;
    });
    return { t, status };
  };
  const cli = [];
  const bare = [];
  const statuses = new Set();
  for (let i = -2; i < 11; i++) {
    const a = spawnMs([bin, 'detect', '--snapshot', snapshot]);
    const b = spawnMs(['-e', '']);
    statuses.add(a.status);
    if (i >= 0) {
      cli.push(a.t);
      bare.push(b.t);
    }
  }
  const ok = statuses.size === 1 && statuses.has(0);
  figure(
    'coco detect --snapshot sev-snp.json',
    median(cli).toFixed(1),
    'ms wall',
    ok ? undefined : `exit ${[...statuses].join('/')}`,
  );
  figure('node -e ""', median(bare).toFixed(1), 'ms wall');
  budget(
    'coco detect --snapshot F wall time vs node -e ""',
    ok ? median(cli) / median(bare) : null,
    '<=',
    2.5,
  );
}

// ---------------------------------------------------------------------------------------------
// 5. Kernel logs at fleet scale: `coco detect --dmesg` on generated logs against `grep -cE` over
//    the same patterns, the peak memory of the process, and the trail of a repeated line.
// ---------------------------------------------------------------------------------------------
log(
  '\nkernel logs (coco detect --dmesg vs grep -cE; a real boot log, then its other lines repeated: one boot of a long-running machine)',
);
if (!existsSync(bin)) {
  figure('coco detect --dmesg', 'skipped', '', 'CLI not built');
  results.budgets.push({ name: 'kernel-log detection', value: 'skipped: CLI not built', pass: null });
} else {
  const fixture = readFileSync(join(here, 'fixtures', 'boot-dmesg.txt'), 'utf8');
  // The lines no plugin reads: what a kernel logs after boot is of that kind.
  const declared = (line) => registry.logPatterns.some((p) => p.test(line.replace(/^\[[ \d.]+\] /, '')));
  const runtime = `${fixture
    .split('\n')
    .filter((l) => l !== '' && !declared(l))
    .join('\n')}\n`;
  const eres = toEre(registry.logPatterns);
  const grepOk = spawnSync('grep', ['-cE', '-e', 'x', '/dev/null']).status !== null;
  const GREP_LIMIT_MS = 90_000;
  const rss = join(here, 'rss.mjs');
  const peak = (stderr) => Number(/coco-bench-maxrss (\d+)/.exec(stderr)?.[1] ?? Number.NaN) * 1024;
  const baseline = median(
    [0, 1, 2].map(() => peak(spawnSync(process.execPath, [rss], { encoding: 'utf8' }).stderr)),
  );
  figure('node alone, peak RSS', (baseline / MiB).toFixed(1), 'MiB (the baseline)');
  const dir = mkdtempSync(join(os.tmpdir(), 'coco-bench-'));
  const peaks = {};
  // The fixed cost of a `coco detect --dmesg` run (process start, modules, one real boot log of
  // 25 KB, detection, output): the throughput of reading is the log's size over the time above it.
  const bootOnly = join(dir, 'boot.log');
  writeFileSync(bootOnly, fixture);
  const fixedMs = median(
    [0, 1, 2, 3, 4].map(() =>
      timeOnce(() =>
        spawnSync(process.execPath, [bin, 'detect', '--dmesg', bootOnly, '--json'], { stdio: 'ignore' }),
      ),
    ),
  );
  figure(
    'coco detect --dmesg, one boot log (25 KB)',
    fixedMs.toFixed(0),
    'ms wall: process start, modules, detection',
  );
  try {
    for (const mb of LOG_MB) {
      const file = join(dir, `dmesg-${mb}.log`);
      const size = writeRepeated(file, runtime, mb * 1e6, fixture);
      const rounds = mb > 100 ? 1 : 3;
      const cocoMs = [];
      const grepMs = [];
      let grepStopped = false;
      let memory = 0;
      let status = 'ok';
      for (let i = 0; i < rounds; i++) {
        let run;
        cocoMs.push(
          timeOnce(() => {
            run = spawnSync(process.execPath, [rss, bin, 'detect', '--dmesg', file, '--json'], {
              encoding: 'utf8',
              maxBuffer: 64 * MiB,
            });
          }),
        );
        memory = Math.max(memory, peak(run.stderr));
        const type = run.status === 0 ? JSON.parse(run.stdout).type : null;
        if (type !== (plugins.length ? 'amd-vtom' : null)) status = `exit ${run.status}, type ${type}`;
        // grep in the C locale (its fastest: bytes, no multibyte decoding), stopped after
        // GREP_LIMIT_MS: then its time is a lower bound, and so is the ratio of coco to it.
        if (grepOk && !grepStopped) {
          let ran;
          grepMs.push(
            timeOnce(() => {
              ran = spawnSync('grep', ['-cE', ...eres.flatMap((e) => ['-e', e]), file], {
                env: { ...process.env, LC_ALL: 'C' },
                timeout: GREP_LIMIT_MS,
                stdio: 'ignore',
              });
            }),
          );
          if (ran.signal !== null || ran.error) grepStopped = true;
        }
      }
      const mbps = (ms) => size / 1e3 / ms;
      const coco = mbps(median(cocoMs));
      const reading = (size - Buffer.byteLength(fixture)) / 1e3 / Math.max(1, median(cocoMs) - fixedMs);
      figure(
        `coco detect --dmesg ${mb} MB`,
        coco.toFixed(0),
        `MB/s  (${median(cocoMs).toFixed(0)} ms wall, process start included)`,
        status === 'ok' ? undefined : status,
      );
      figure(
        `  reading throughput ${mb} MB`,
        reading.toFixed(0),
        `MB/s  (the time above one boot log's ${fixedMs.toFixed(0)} ms)`,
      );
      if (grepOk)
        figure(
          `grep -cE same patterns ${mb} MB`,
          `${grepStopped ? '< ' : ''}${mbps(median(grepMs)).toFixed(grepStopped ? 1 : 0)}`,
          `MB/s  (${grepStopped ? 'stopped after ' : ''}${median(grepMs).toFixed(0)} ms wall, LC_ALL=C)`,
        );
      figure(`peak memory ${mb} MB log above node alone`, ((memory - baseline) / MiB).toFixed(1), 'MiB');
      peaks[mb] = memory - baseline;
      budget(`kernel-log reading throughput ${mb} MB (MB/s)`, status === 'ok' ? reading : null, '>=', 200);
      if (grepOk)
        budget(
          `kernel-log detection vs grep -cE ${mb} MB (speed ratio)`,
          status === 'ok' ? coco / mbps(median(grepMs)) : null,
          '>=',
          0.2,
        );
      else
        results.budgets.push({
          name: `kernel-log detection vs grep -cE ${mb} MB`,
          value: 'skipped: no grep',
          pass: null,
        });
      budget(
        `peak memory ${mb} MB log above node alone (MiB)`,
        status === 'ok' ? (memory - baseline) / MiB : null,
        '<=',
        64,
      );
      rmSync(file, { force: true });
    }
    // Whole boots repeated (journalctl -k over many boots): every boot's declared lines are kept,
    // so memory grows with their number (reported, no budget; the reader refuses more than 200,000).
    const boots = join(dir, 'boots.log');
    const size = writeRepeated(boots, fixture, 50e6);
    let run;
    const wall = timeOnce(() => {
      run = spawnSync(process.execPath, [rss, bin, 'detect', '--dmesg', boots, '--json'], {
        encoding: 'utf8',
        maxBuffer: 64 * MiB,
      });
    });
    const kept = Math.round(size / fixture.length) * fixture.split('\n').filter(declared).length;
    figure(
      'whole boots repeated, 50 MB',
      (size / 1e3 / wall).toFixed(0),
      `MB/s, peak ${((peak(run.stderr) - baseline) / MiB).toFixed(1)} MiB above node alone, ${kept} lines kept (exit ${run.status})`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (LOG_MB.length === 2) {
    const [a, b] = LOG_MB;
    figure(`peak memory growth ${a} MB -> ${b} MB`, ((peaks[b] - peaks[a]) / MiB).toFixed(1), 'MiB');
    // "The same for 50 MB and 500 MB": within 8 MiB (page and heap-growth granularity).
    budget(`peak memory growth ${a} MB -> ${b} MB (MiB)`, (peaks[b] - peaks[a]) / MiB, '<=', 8);
  }
  // The trail of a line repeated 100,000 times is the trail of the line read 10 times.
  const line = '[    0.100000] SEV: Status: SEV SEV-ES SEV-SNP \n';
  const trailOf = (n) => {
    const detection = registry.detect(parseKernelLogEvidence(line.repeat(n)));
    return { steps: detection.trail.length, bytes: JSON.stringify(detection.toJSON()).length };
  };
  const few = trailOf(10);
  const many = trailOf(100_000);
  figure('trail, a line repeated 10 times', few.steps, `steps, ${few.bytes} bytes of JSON`);
  figure('trail, a line repeated 100,000 times', many.steps, `steps, ${many.bytes} bytes of JSON`);
  budget('trail steps for 100,000 repeats vs 10 repeats (ratio)', many.steps / few.steps, '<=', 1);
}

// ---------------------------------------------------------------------------------------------
// 5b. A fleet in one process: `coco fleet DIR` over FLEET snapshots (the CLI's bundled examples,
//     in turn), both cores, against a shell loop of `coco detect --snapshot F` over 100 of them.
// ---------------------------------------------------------------------------------------------
log(`\nfleet (coco fleet over ${FLEET} snapshot files vs a shell loop of coco detect over 100)`);
const examplesModule = join(root, 'packages', 'cli', 'dist', 'examples', 'index.js');
if (!existsSync(bin) || !existsSync(examplesModule) || plugins.length === 0) {
  figure('coco fleet', 'skipped', '', 'CLI or backends not built');
  results.budgets.push({ name: 'fleet machines per second', value: 'skipped: CLI not built', pass: null });
} else {
  const { EXAMPLES } = await import(pathToFileURL(examplesModule).href);
  // The bundled examples as `coco snapshot` writes them (format 2), each machine with its own
  // identity (host name, capture time), 100 machines a directory as fleets file them (by rack).
  const kinds = EXAMPLES.map((e) => core.toSnapshot(registry.parseSnapshot(e.snapshot)));
  // Each machine boots at its own pace: the printk timestamps of its log lines are its own.
  const printk = (micros) =>
    `[${String(Math.floor(micros / 1e6)).padStart(5)}.${String(micros % 1e6).padStart(6, '0')}]`;
  const bootedAt = (line, i) =>
    line.replace(/^\[ *(\d+)\.(\d{6})\]/, (_, s, us) =>
      printk(Number(s) * 1e6 + Number(us) + ((i * 7919) % 250_000)),
    );
  const snapshotOf = (i, distinct) => {
    const doc = { ...kinds[i % kinds.length] };
    if (doc.kernelLog) doc.kernelLog = doc.kernelLog.map((line) => bootedAt(line, i));
    doc.machine = {
      hostname: `node-${String(i).padStart(6, '0')}`,
      capturedAt: `2026-11-${String(1 + (i % 28)).padStart(2, '0')}T06:20:00Z`,
      cocoVersion: '1.0.0',
    };
    // Every machine's evidence distinct: a line of its own (another time is not enough: the memo
    // reads a line without its printk timestamp).
    if (distinct) {
      doc.kernelLog = [
        ...(doc.kernelLog ?? []),
        `[    2.000000] Freeing unused kernel image (initmem) memory: ${2048 + i}K`,
      ];
    }
    return JSON.stringify(doc);
  };
  const writeFleet = (count, distinct) => {
    const dir = mkdtempSync(join(os.tmpdir(), 'coco-bench-fleet-'));
    const files = [];
    for (let i = 0; i < count; i++) {
      const rack = join(dir, `rack-${String(Math.floor(i / 100)).padStart(4, '0')}`);
      if (i % 100 === 0) mkdirSync(rack);
      const file = join(rack, `node-${String(i).padStart(6, '0')}.json`);
      writeFileSync(file, snapshotOf(i, distinct));
      if (i < 100) files.push(file);
    }
    // Written back before the clock starts: the kernel's writeback of what the bench just wrote
    // would otherwise share the two cores with the run (a fleet's snapshots were written long before).
    spawnSync('sync', { stdio: 'ignore' });
    return { dir, files };
  };
  // The faster of two runs, both printed: another process on the two cores only ever slows a run
  // down (the kernel-log figures take the median of three pairs for the same reason).
  const FLEET_RUNS = 2;
  const runFleet = (dir, count) => {
    const runs = [];
    for (let i = 0; i < FLEET_RUNS; i++) {
      let run;
      const ms = timeOnce(() => {
        run = spawnSync(process.execPath, [bin, 'fleet', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
      });
      runs.push({ ms, ok: run.status === 0, status: run.status });
    }
    const failed = runs.find((r) => !r.ok);
    const best = runs.reduce((a, b) => (b.ms < a.ms ? b : a));
    const all = runs.map((r) => `${(r.ms / 1e3).toFixed(1)}`).join(' and ');
    return { rate: count / (best.ms / 1e3), ms: best.ms, all, ok: !failed, status: failed?.status ?? 0 };
  };
  const fleetFigure = (label, r) =>
    figure(
      label,
      r.rate.toFixed(0),
      `machines/s  (the faster of ${r.all} s wall, ${os.cpus().length} cores)`,
      r.ok ? undefined : `exit ${r.status}`,
    );
  const same = writeFleet(FLEET, false);
  try {
    const fleet = runFleet(same.dir, FLEET);
    fleetFigure(`coco fleet, ${FLEET} snapshots (${kinds.length} kinds of machine)`, fleet);
    const loop = `for f in "$@"; do "${process.execPath}" "${bin}" detect --snapshot "$f" --json > /dev/null; done`;
    const loopMs = timeOnce(() => spawnSync('sh', ['-c', loop, 'sh', ...same.files], { stdio: 'ignore' }));
    const loopRate = same.files.length / (loopMs / 1e3);
    figure(
      'shell loop of coco detect, 100 snapshots',
      loopRate.toFixed(1),
      `machines/s  (${(loopMs / 1e3).toFixed(1)} s wall, ${(loopMs / same.files.length).toFixed(0)} ms per machine)`,
    );
    figure('coco fleet vs the shell loop', (fleet.rate / loopRate).toFixed(0), 'x');
    budget(`fleet machines per second, ${FLEET} snapshots`, fleet.ok ? fleet.rate : null, '>=', 20_000);
  } finally {
    rmSync(same.dir, { recursive: true, force: true });
  }
  // The worst case: no two machines with the same evidence, each decided in full.
  const DISTINCT = Math.min(FLEET, 20_000);
  const distinct = writeFleet(DISTINCT, true);
  try {
    const fleet = runFleet(distinct.dir, DISTINCT);
    fleetFigure(`coco fleet, ${DISTINCT} snapshots, every machine's evidence distinct`, fleet);
    budget(
      `fleet machines per second, ${DISTINCT} distinct (regression floor)`,
      fleet.ok ? fleet.rate : null,
      '>=',
      2_000,
    );
  } finally {
    rmSync(distinct.dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// 6. Memory held by the bulk operations beyond their input.
// ---------------------------------------------------------------------------------------------
log('\nmemory (bytes held after the operation, beyond the input; GC before, none after)');
for (const [name, op] of [
  ['encryptAll', () => cbit.encryptAll(table)],
  ['decryptAll', () => cbit.decryptAll(table)],
  ['count', () => cbit.count(table)],
]) {
  const m = extraMemory(op);
  figure(`extra memory ${name}`, m.bytes, 'bytes');
  budget(`extra memory of ${name} over ${N} entries (bytes)`, m.bytes, '<=', MiB);
}
{
  const m = extraMemory(() => classifyEntries(cbit, paged));
  const runs = m.result.runs.count;
  const storage = Math.ceil(runs / 8192) * 8192 * 8; // 8 bytes per run start, blocks of 8192
  figure('extra memory classify with runs', m.bytes, 'bytes', `${runs} runs, run storage ${storage} bytes`);
  budget('extra memory of listing runs beyond the run storage (bytes)', m.bytes - storage, '<=', MiB);
}

/**
 * Compiles and runs mark.c (the C -O3 reference of bulk marking): `ms` (the best pass), `median`
 * and `min` of the first run, and `run()` to run it again; `ms` is null without a compiler.
 */
function compileC() {
  const cc = ['cc', 'gcc', 'clang'].find(
    (c) => c && spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0,
  );
  if (!cc) return { ms: null, note: 'no C compiler (cc, gcc, clang) found' };
  const dir = mkdtempSync(join(os.tmpdir(), 'coco-bench-c-'));
  const exe = join(dir, 'mark');
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const built = spawnSync(cc, ['-O3', '-o', exe, join(here, 'mark.c')], { encoding: 'utf8' });
  if (built.status !== 0) return { ms: null, note: `${cc} -O3 failed: ${built.stderr.split('\n')[0]}` };
  const run = () => {
    const ran = spawnSync(exe, [String(Math.log2(N)), '11'], { encoding: 'utf8' });
    const median = Number(/median-ms ([\d.]+)/.exec(ran.stdout)?.[1]);
    const min = Number(/min-ms ([\d.]+)/.exec(ran.stdout)?.[1]);
    return Number.isFinite(median) && Number.isFinite(min) ? { median, min } : null;
  };
  const first = run();
  return first
    ? {
        ms: first.min,
        min: first.min,
        median: first.median,
        run,
        note: `${cc} -O3, best of 11 passes x 3 runs`,
      }
    : { ms: null, note: 'mark.c did not run' };
}

// ---------------------------------------------------------------------------------------------
if (countSink === -1) log('unreachable');
let failed = 0;
let open = 0;
log('\nbudgets');
for (const b of results.budgets) {
  const value = typeof b.value === 'number' ? b.value.toFixed(2) : String(b.value ?? 'n/a');
  const missed = b.open ? 'OPEN' : 'FAIL';
  const verdict = b.pass === null ? (typeof b.value === 'string' ? 'skip' : missed) : b.pass ? 'ok' : missed;
  if (verdict === 'FAIL') failed++;
  if (verdict === 'OPEN') open++;
  b.verdict = verdict;
  log(`  ${verdict.padEnd(4)} ${b.name.padEnd(66)} ${value.padStart(10)} ${b.op ?? ''} ${b.limit ?? ''}`);
}
results.failed = failed;
if (asJson) console.log(JSON.stringify(results, null, 2));
results.open = open;
if (open) log(`\n${open} open target(s) of issue 14 not met yet (not counted as failures)`);
log(failed ? `\n${failed} budget(s) missed` : '\nall budgets met');
process.exit(failed ? 1 : 0);
