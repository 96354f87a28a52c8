import { isCocoError, parseCpuinfo, parseKernelLog, parseSnapshot } from '@coco/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TOY_FACTS } from './fixtures.js';

// Every parser, on any input, either succeeds or throws a coco error: never a TypeError, a hang,
// or a stack overflow. fast-check shrinks any counterexample to the smallest input that breaks it.
function succeedsOrTypedError(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch (error) {
    if (isCocoError(error)) return true;
    throw error;
  }
}

const VALID_SNAPSHOT = JSON.stringify({
  format: 'coco-snapshot/1',
  cpuid: [{ leaf: '0x4000000c', subleaf: '0x0', eax: '0x1', ebx: '0xba2', ecx: '0x0', edx: '0x0' }],
  msr: { '0xc0010131': '0x103df' },
  tdx: { gpaw: 52 },
  kernelLog: ['[    0.000000] SEV: Status: vTom'],
  cpuinfoFlags: ['sev'],
  files: { '/dev/sev-guest': true },
});
const VALID_SNAPSHOT_2 = JSON.stringify({
  format: 'coco-snapshot/2',
  machine: { hostname: 'node-1', capturedAt: '2026-11-30T06:20:00Z', cocoVersion: '2.0.0' },
  facts: { 'toy.reg': { '0x1234': '0x33' }, 'toy.leaf': { '0x77': { a: 1, b: 2 } } },
  kernelLog: ['[    0.000000] Linux version 6.18.2 (builder@host) #1 SMP'],
  cpuinfo: { Features: 'fp asimd', 'CPU architecture': '8' },
  files: { '/sys/firmware/uv/prot_virt_guest': { exists: true, content: '1\n' }, '/dev/uv': true },
});

/** Mutations of a valid input: truncation, a deleted span, an inserted string, a flipped char. */
const mutated = (valid: string) =>
  fc.oneof(
    fc.nat(valid.length).map((n) => valid.slice(0, n)),
    fc.tuple(fc.nat(valid.length), fc.nat(20)).map(([at, n]) => valid.slice(0, at) + valid.slice(at + n)),
    fc
      .tuple(
        fc.nat(valid.length),
        fc.oneof(fc.string(), fc.constantFrom('0x', 'ffffffffffffffffff', '{', '"', '\n', '\0', '__proto__')),
      )
      .map(([at, s]) => valid.slice(0, at) + s + valid.slice(at)),
    fc
      .tuple(fc.nat(Math.max(0, valid.length - 1)), fc.integer({ min: 0, max: 0xffff }))
      .map(([at, code]) => valid.slice(0, at) + String.fromCharCode(code) + valid.slice(at + 1)),
  );

const garbage = fc.oneof(
  fc.string({ maxLength: 2000 }),
  fc.uint8Array({ maxLength: 2000 }).map((bytes) => String.fromCharCode(...bytes)),
  fc.json({ maxDepth: 6 }),
);

describe('parser robustness', () => {
  it('snapshot: random and mutated documents succeed or throw the typed error', () => {
    fc.assert(
      fc.property(fc.oneof(garbage, mutated(VALID_SNAPSHOT)), (text) =>
        succeedsOrTypedError(() => parseSnapshot(text)),
      ),
      {
        numRuns: 600,
      },
    );
  });

  it('snapshot: random JSON values as already parsed documents', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (value) => succeedsOrTypedError(() => parseSnapshot(value))),
      { numRuns: 400 },
    );
  });

  it('snapshot: very deep nesting and huge numbers finish with a typed error', () => {
    const deep = `{"format":"coco-snapshot/1","files":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(succeedsOrTypedError(() => parseSnapshot(deep))).toBe(true);
    const huge = `{"format":"coco-snapshot/1","msr":{"0x1":"0x${'f'.repeat(5000)}"}}`;
    expect(succeedsOrTypedError(() => parseSnapshot(huge))).toBe(true);
    expect(
      succeedsOrTypedError(() => parseSnapshot(`{"format":"coco-snapshot/1","tdx":{"gpaw":1e400}}`)),
    ).toBe(true);
  });

  it('kernel log and cpuinfo: random text, very long lines', () => {
    fc.assert(
      fc.property(garbage.map(String), (text) => {
        succeedsOrTypedError(() => parseKernelLog(text));
        return succeedsOrTypedError(() => parseCpuinfo(text));
      }),
      { numRuns: 400 },
    );
    const long = `[ ${' '.repeat(200_000)}0.1] ${'['.repeat(200_000)}`;
    expect(succeedsOrTypedError(() => parseKernelLog(long))).toBe(true);
    expect(succeedsOrTypedError(() => parseCpuinfo(`flags : ${'a '.repeat(200_000)}`))).toBe(true);
  });

  it('snapshot format 2: random and mutated documents succeed or throw the typed error', () => {
    fc.assert(
      fc.property(fc.oneof(garbage, mutated(VALID_SNAPSHOT_2)), (text) =>
        succeedsOrTypedError(() => parseSnapshot(text, { factKinds: TOY_FACTS })),
      ),
      { numRuns: 600 },
    );
  });
});
