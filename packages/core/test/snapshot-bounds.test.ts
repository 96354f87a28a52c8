// Hostile snapshots within the size limit: nesting millions deep, hundreds of thousands of
// entries or unknown kinds. Each is refused or summarised in time and memory that do not grow with
// what the document holds (found by a hostile review: 22 s and 776 MB for 3M levels of `[`).
import { createRegistry, isCocoError, parseSnapshot, SNAPSHOT_MAX_DEPTH } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { toyBackend } from './fixtures.js';

const refusal = (text: string) => {
  try {
    parseSnapshot(text, { source: 'hostile.json' });
  } catch (error) {
    if (isCocoError(error)) return error;
    throw error;
  }
  throw new Error('accepted');
};

describe('snapshot bounds', () => {
  it('refuses nesting deeper than SNAPSHOT_MAX_DEPTH before parsing, at once', () => {
    const levels = 3_000_000;
    const started = Date.now();
    const error = refusal(`${'['.repeat(levels)}${']'.repeat(levels)}`);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(error.code).toBe('SNAPSHOT_INVALID');
    expect(error.message).toContain(
      `more than ${SNAPSHOT_MAX_DEPTH} deep (at character ${SNAPSHOT_MAX_DEPTH})`,
    );
  });

  it('counts only structure: brackets inside strings, escaped quotes included, are text', () => {
    const value = JSON.stringify(`\\"${'['.repeat(1000)}`);
    const doc = `{"format":"coco-snapshot/2","facts":{"toy.note":{"a":${value}}}}`;
    expect(parseSnapshot(doc).storedFacts.get('toy.note')?.size).toBe(1);
  });

  it('ends a string where JSON does, after any run of backslashes', () => {
    const deep = `${'['.repeat(SNAPSHOT_MAX_DEPTH)}${']'.repeat(SNAPSHOT_MAX_DEPTH)}`;
    for (let slashes = 0; slashes <= 5; slashes++) {
      // An even run escapes itself and the quote closes the string: the brackets after it are
      // structure. An odd run escapes the quote: they stay text.
      const key = `k${'\\'.repeat(slashes)}`;
      const doc = `{"format":"coco-snapshot/2","facts":{"toy.note":{"${key}":${deep}}}}`;
      const closes = slashes % 2 === 0;
      if (closes) expect(refusal(doc).message).toContain(`more than ${SNAPSHOT_MAX_DEPTH} deep`);
      else expect(refusal(doc).message).not.toContain('deep');
    }
  });

  it('accepts nesting exactly at the limit inside a fact', () => {
    const inner = `${'['.repeat(SNAPSHOT_MAX_DEPTH - 3)}${']'.repeat(SNAPSHOT_MAX_DEPTH - 3)}`;
    const doc = `{"format":"coco-snapshot/2","facts":{"toy.deep":{"k":${inner}}}}`;
    expect(parseSnapshot(doc).storedFacts.get('toy.deep')?.size).toBe(1);
    const over = `{"format":"coco-snapshot/2","facts":{"toy.deep":{"k":[${inner}]}}}`;
    expect(refusal(over).code).toBe('SNAPSHOT_INVALID');
  });

  it.each([
    [
      'facts of one kind',
      (n: number) => ({
        facts: { 'toy.k': Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 1])) },
      }),
      '$.facts',
    ],
    [
      'fact kinds',
      (n: number) => ({
        facts: Object.fromEntries(Array.from({ length: n }, (_, i) => [`acme.k${i}`, { a: 1 }])),
      }),
      '$.facts',
    ],
    [
      'files',
      (n: number) => ({ files: Object.fromEntries(Array.from({ length: n }, (_, i) => [`/f${i}`, true])) }),
      '$.files',
    ],
    [
      'cpuinfo fields',
      (n: number) => ({ cpuinfo: Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, 'x'])) }),
      '$.cpuinfo',
    ],
    [
      'top-level keys',
      (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`x${i}`, 1])),
      '$',
    ],
  ])('refuses more than 65,536 %s, naming where', (_what, make, at) => {
    const error = refusal(JSON.stringify({ format: 'coco-snapshot/2', ...make(70_000) }));
    expect(error.code).toBe('SNAPSHOT_INVALID');
    expect(error.location).toBe(at);
    expect(error.message).toContain('more than 65536');
  });

  it('says in one warning that many kinds are read by no plugin, and one per kind for a few', () => {
    const registry = createRegistry().use(toyBackend);
    const many = parseSnapshot(
      JSON.stringify({
        format: 'coco-snapshot/2',
        facts: Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`acme.k${i}`, { a: 1 }])),
      }),
    );
    const started = Date.now();
    const warnings = registry.detect(many).warnings.filter((w) => w.includes('read by no registered plugin'));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(warnings).toEqual([
      '60000 facts of 60000 kinds ("acme.k0", "acme.k1", "acme.k2" and 59997 more) are read by no registered plugin (a newer coco or a plugin not installed wrote them): kept, not used',
    ]);
    const few = parseSnapshot(
      JSON.stringify({ format: 'coco-snapshot/2', facts: { 'acme.a': { x: 1, y: 2 } } }),
      {
        source: 'a.json',
      },
    );
    expect(registry.detect(few).warnings.filter((w) => w.includes('no registered plugin'))).toEqual([
      '2 facts of kind "acme.a" (from snapshot a.json) are read by no registered plugin (a newer coco or a plugin not installed wrote them): kept, not used',
    ]);
  });

  it('names a few unknown top-level keys in one warning', () => {
    const evidence = parseSnapshot(JSON.stringify({ format: 'coco-snapshot/2', a: 1, b: 2, c: 3, d: 4 }), {
      source: 's.json',
    });
    expect(evidence.warnings).toEqual([
      's.json: unknown keys "a", "b", "c" and 1 more (a newer coco may have written them): not read',
    ]);
  });
});
