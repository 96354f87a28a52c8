#!/usr/bin/env node
// coco's benchmark (`pnpm bench`): bulk marking, counting, scalar marking, detection and the CLI,
// reported as throughput and as ratios against references measured in the same run, with the
// budgets of docs/performance.md. Exits 1 when a budget is missed. Not a test: run it on a quiet
// machine. Imports the built dist of each package (`pnpm bench` builds first).
//
//   node tools/bench/run.mjs [--json] [--log2 N] [--core-only]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { extraMemory, fillRandom, gbps, interleave, median, timeOnce } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const args = process.argv.slice(2);
const asJson = args.includes('--json');
// --log2 N: a smaller table for a quick try (budgets are defined for the default 24).
const log2At = args.indexOf('--log2');
const N = 2 ** (log2At >= 0 ? Number(args[log2At + 1]) : 24);
// --core-only: detection through a test-only plugin even when the backends are built.
const coreOnly = args.includes('--core-only');
const BYTES = N * 8;

const dist = (pkg) => join(root, 'packages', pkg, 'dist', 'index.js');
if (!existsSync(dist('core'))) {
  console.error(
    'bench: packages/core/dist is missing. Fix: run `pnpm bench` (it builds first) or `pnpm build`.',
  );
  process.exit(2);
}
const core = await import(pathToFileURL(dist('core')).href);
const { createMarking, classifyEntries, createRegistry, parseSnapshot, defineBackend, createType } = core;

const log = asJson ? () => {} : (line = '') => console.log(line);
const results = { machine: machine(), entries: N, figures: {}, budgets: [] };
const figure = (key, value, unit, note) => {
  results.figures[key] = { value, unit, ...(note ? { note } : {}) };
  log(`  ${key.padEnd(44)} ${String(value).padStart(10)} ${unit}${note ? `  (${note})` : ''}`);
};
const budget = (name, value, op, limit) => {
  const pass = value === null ? null : op === '>=' ? value >= limit : value <= limit;
  results.budgets.push({ name, value, op, limit, pass });
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
// 5. Memory held by the bulk operations beyond their input.
// ---------------------------------------------------------------------------------------------
log('\nmemory (bytes held after the operation, beyond the input; GC before, none after)');
const MiB = 2 ** 20;
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

// ---------------------------------------------------------------------------------------------
if (countSink === -1) log('unreachable');
let failed = 0;
log('\nbudgets');
for (const b of results.budgets) {
  const value = typeof b.value === 'number' ? b.value.toFixed(2) : String(b.value ?? 'n/a');
  const verdict = b.pass === null ? (typeof b.value === 'string' ? 'skip' : 'FAIL') : b.pass ? 'ok' : 'FAIL';
  if (verdict === 'FAIL') failed++;
  b.verdict = verdict;
  log(`  ${verdict.padEnd(4)} ${b.name.padEnd(66)} ${value.padStart(10)} ${b.op ?? ''} ${b.limit ?? ''}`);
}
results.failed = failed;
if (asJson) console.log(JSON.stringify(results, null, 2));
log(failed ? `\n${failed} budget(s) missed` : '\nall budgets met');
process.exit(failed ? 1 : 0);
