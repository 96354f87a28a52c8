// coco fleet decides each distinct evidence once (fleet/memo.ts): every record it gives from the
// memo must be byte for byte the record of deciding that machine in full, whatever the machine's
// identity, its path, the snapshot's format or what is wrong with it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Registry, toSnapshot } from '@coco/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES } from '../src/examples/index.js';
import type { FleetInput } from '../src/fleet/inputs.js';
import { decideMachine, type FleetLine } from '../src/fleet/machine.js';
import { DecisionMemo } from '../src/fleet/memo.js';
import { fleetBatch } from '../src/fleet/summary.js';
import { commandRegistry } from '../src/registry.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** A line's text, whether it came as text or as pieces of bytes and text. */
const textOf = (line: FleetLine) =>
  typeof line === 'string' ? line : line.map((p) => (typeof p === 'string' ? p : utf8.decode(p))).join('');
const linesOf = (results: readonly { line: FleetLine }[]) => results.map((r) => textOf(r.line));

let registry: Registry;
let dir: string;
let counter = 0;

/** Writes `text` to a new file whose name ends in `name`, in a directory called `folder`. */
function file(text: string, name = 'machine.json', folder = 'plain'): FleetInput {
  counter += 1;
  const where = join(dir, folder, String(counter));
  mkdirSync(where, { recursive: true });
  const path = join(where, name);
  writeFileSync(path, text);
  return { kind: 'snapshot', source: path };
}

const identity = (i: number) => ({
  hostname: `node-${i}`,
  capturedAt: `2026-11-${String(10 + (i % 20)).padStart(2, '0')}T06:20:00Z`,
  cocoVersion: '1.0.0',
});

/** Each bundled example as its snapshot (format 1 or 2, as bundled) and as `coco snapshot` writes it now. */
function exampleTexts(): { name: string; text: string }[] {
  return EXAMPLES.flatMap((e) => {
    const v2 = toSnapshot(registry.parseSnapshot(e.snapshot));
    return [
      { name: e.name, text: JSON.stringify(e.snapshot) },
      { name: `${e.name} (format 2)`, text: JSON.stringify(v2) },
    ];
  });
}

/** Decides `inputs` in order in full and with one memo; both lists of results. */
function bothWays(inputs: readonly FleetInput[], memo = new DecisionMemo()) {
  return {
    full: inputs.map((input) => decideMachine(input, registry)),
    memo: inputs.map((input) => decideMachine(input, registry, memo)),
    used: memo,
  };
}

beforeAll(async () => {
  registry = await commandRegistry([], process.cwd());
  dir = mkdtempSync(join(tmpdir(), 'coco-fleet-memo-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('coco fleet decides each distinct evidence once', () => {
  it('gives every example, twice over and under many identities, the record of deciding it in full', () => {
    const texts = exampleTexts();
    const inputs: FleetInput[] = [];
    texts.forEach(({ text }, t) => {
      for (let i = 0; i < 3; i++) {
        const doc = JSON.parse(text);
        // The first copy without an identity, the others each with its own.
        if (i > 0) doc.machine = identity(t * 10 + i);
        inputs.push(file(JSON.stringify(doc)));
      }
      inputs.push(file(text));
    });
    const { full, memo, used } = bothWays(inputs);
    expect(linesOf(memo)).toEqual(linesOf(full));
    expect(memo.map((r) => r.fact)).toEqual(full.map((r) => r.fact));
    for (const line of linesOf(full)) expect(JSON.parse(line).detection).toBeDefined();
    // The bytes a worker sends, as well as the text.
    expect(Buffer.from(fleetBatch(memo).ndjson).equals(Buffer.from(fleetBatch(full).ndjson))).toBe(true);
    // With and without an identity, one key each; every other copy came from the memo.
    expect(used.size).toBe(texts.length * 2);
    expect(used.hits).toBe(inputs.length - used.size);
  });

  it('names each machine by its own path and host name in every message of the detection', () => {
    const [first] = exampleTexts();
    const text = (first as { text: string }).text;
    const a = file(JSON.stringify({ ...JSON.parse(text), machine: identity(1) }), 'a.json', 'rack-a');
    const b = file(JSON.stringify({ ...JSON.parse(text), machine: identity(2) }), 'b.json', 'rack-b');
    const { memo } = bothWays([a, b]);
    const second = JSON.parse(linesOf(memo)[1] as string);
    expect(second.source).toBe(b.source);
    expect(second.machine.name).toBe('node-2');
    const says = JSON.stringify(second.detection);
    expect(says).toContain(b.source);
    expect(says).not.toContain(a.source);
    expect(says).not.toContain('coco-source-');
  });

  it('decides in full what it cannot vouch for: paths needing escapes, bad identities, bad JSON', () => {
    const [first] = exampleTexts();
    const text = (first as { text: string }).text;
    const doc = JSON.parse(text);
    const inputs = [
      file(text, 'quote".json'),
      file(text, 'back\\slash.json'),
      file(text, 'naïve ünïcode.json'),
      file(text, 'tab\there.json'),
      file(JSON.stringify({ ...doc, machine: { hostname: 'node 1' } })),
      file(JSON.stringify({ ...doc, machine: { owner: 'x' } })),
      file(JSON.stringify({ ...doc, machine: 'node-1' })),
      file(`${text.slice(0, -1)},"format":"coco-snapshot/2"}`),
      file(text.slice(0, -1)),
      file(`\ufeff${text}`),
      file(`${text.slice(0, -1)},"kernelLog":["x"],"kernelLog":["y"]}`),
      file(JSON.stringify({ ...doc, unknownKey: 1 })),
      file(JSON.stringify({ ...doc, format: 'coco-snapshot/3' })),
    ];
    const { full, memo } = bothWays(inputs);
    expect(linesOf(memo)).toEqual(linesOf(full));
    expect(memo.map((r) => r.fact)).toEqual(full.map((r) => r.fact));
    expect(full.filter((r) => r.fact.verdict === 'error').length).toBeGreaterThanOrEqual(6);
  });

  it('reads a file swapped for a FIFO or a device after the walk without blocking, and refuses it', () => {
    const fifo = join(dir, 'swapped.json');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    const results = ['/dev/zero', '/dev/null', fifo].map((source) =>
      decideMachine({ kind: 'snapshot', source }, registry, new DecisionMemo()),
    );
    expect(Date.now() - started).toBeLessThan(5000);
    for (const result of results) {
      expect(result.fact.code).toBe('FILE_UNREADABLE');
      expect(textOf(result.line)).toContain('it is not a regular file');
    }
    // An empty regular file is read (and is no snapshot); a file over the read buffer is read whole.
    expect(textOf(decideMachine(file(''), registry).line)).toContain('SNAPSHOT_INVALID');
    const [first] = exampleTexts();
    const doc = JSON.parse((first as { text: string }).text);
    const big = file(
      JSON.stringify({ ...doc, $schema: `https://example.com/${'s'.repeat(2000)}` }).padEnd(70_000, ' '),
    );
    expect(decideMachine(big, registry).fact.verdict).toBe('confidential');
  });

  it('keeps at most its limit of distinct evidence, and still decides the rest in full', () => {
    const texts = exampleTexts().map((t) => t.text);
    const inputs = texts.map((t) => file(t));
    const { full, memo, used } = bothWays([...inputs, ...inputs], new DecisionMemo({ limit: 3 }));
    expect(linesOf(memo)).toEqual(linesOf(full));
    expect(used.size).toBe(3);
    expect(used.hits).toBe(3);
  });

  it('gives machines whose log lines were printed at other times the detection of the first', () => {
    const withLogs = EXAMPLES.filter((e) => 'kernelLog' in e.snapshot);
    expect(withLogs.length).toBeGreaterThanOrEqual(5);
    const inputs: FleetInput[] = [];
    const printk = (seconds: number, micros: number) =>
      `[${String(seconds).padStart(5)}.${String(micros).padStart(6, '0')}]`;
    withLogs.forEach((e, k) => {
      for (let copy = 0; copy < 3; copy++) {
        const doc = JSON.parse(JSON.stringify(e.snapshot));
        // Every line that starts with a printk timestamp gets another one (12345.678901 and up
        // included: %5lu grows past five digits); the rest of each line is the same.
        doc.kernelLog = doc.kernelLog.map((line: string, i: number) =>
          line.replace(
            /^\[ *\d+\.\d{6}\]/,
            printk(copy * 6000 + i * 7 + k, (copy * 131_071 + i) % 1_000_000),
          ),
        );
        doc.machine = identity(k * 10 + copy);
        inputs.push(file(JSON.stringify(doc)));
      }
    });
    const memo = new DecisionMemo();
    const { full, memo: remembered } = bothWays(inputs, memo);
    expect(linesOf(remembered)).toEqual(linesOf(full));
    expect(memo.size).toBe(withLogs.length);
    expect(memo.hits).toBe(withLogs.length * 2);
  });

  it('keeps lines whole, timestamps included, when asked (a third-party plugin may read them)', () => {
    const example = EXAMPLES.find((e) => e.name === 'arm-cca-realm');
    const doc = JSON.parse(JSON.stringify(example?.snapshot));
    const other = { ...doc, kernelLog: doc.kernelLog.map((l: string) => l.replace('0.000000', '0.000001')) };
    expect(other.kernelLog).not.toEqual(doc.kernelLog);
    const inputs = [file(JSON.stringify(doc)), file(JSON.stringify(other))];
    const exact = new DecisionMemo({ exactLog: true });
    expect(linesOf(bothWays(inputs, exact).memo)).toEqual(linesOf(bothWays(inputs).full));
    expect(exact.size).toBe(2);
    const loose = new DecisionMemo();
    bothWays(inputs, loose);
    expect(loose.size).toBe(1);
  });

  it("keeps whole a line whose timestamp is not printk's own form, and a line that looks like a marked one", () => {
    const example = EXAMPLES.find((e) => e.name === 'arm-cca-realm');
    const doc = JSON.parse(JSON.stringify(example?.snapshot));
    const variants = [
      ['[0.5] RME: Using RSI version 1.0'],
      ['[0.6] RME: Using RSI version 1.0'],
      ['[    0.000000 <    0.000001>] RME: Using RSI version 1.0'],
      ['[    0.000000 <    0.000002>] RME: Using RSI version 1.0'],
      ['\u0001 RME: Using RSI version 1.0'],
      ['[    0.000000] RME: Using RSI version 1.0'],
      ['\u0002[    0.000000] RME: Using RSI version 1.0'],
    ];
    const inputs = variants.map((kernelLog) => file(JSON.stringify({ ...doc, kernelLog })));
    const memo = new DecisionMemo();
    const { full, memo: remembered } = bothWays(inputs, memo);
    expect(linesOf(remembered)).toEqual(linesOf(full));
    expect(memo.size).toBe(variants.length);
  });

  it('property: any identity and any plain path give the record of deciding in full', () => {
    const texts = exampleTexts().map((t) => t.text);
    const memo = new DecisionMemo();
    fc.assert(
      fc.property(
        fc.nat(texts.length - 1),
        fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,20}$/),
        fc.stringMatching(/^[ !#-[\]-~]{1,12}$/).filter((s) => !s.includes('/') && s !== '.' && s !== '..'),
        (which, host, name) => {
          const doc = { ...JSON.parse(texts[which] as string), machine: { hostname: host } };
          const input = file(JSON.stringify(doc), `${name}.json`);
          const inFull = decideMachine(input, registry);
          const fromMemo = decideMachine(input, registry, memo);
          expect(textOf(fromMemo.line)).toBe(textOf(inFull.line));
          expect(fromMemo.fact).toEqual(inFull.fact);
        },
      ),
      { numRuns: 200 },
    );
    expect(memo.hits).toBeGreaterThan(100);
  });
});
