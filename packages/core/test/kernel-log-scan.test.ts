// The chunk scan rewrites each declared pattern to find, in raw text, every line the pattern may
// match (kernel-log-scan.ts). A rewrite may match more than the pattern, never less: a line it
// missed would be dropped from the reading. Third-party plugins may declare any pattern, so each
// piece of syntax the rewrite handles is tried here, case-insensitive patterns above all (the
// bundled plugins' patterns use few of them).
import { readKernelLog } from '@coco/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createChunkScan, rawSource } from '../src/evidence/kernel-log-scan.js';
import { expected, plain, readInChunks } from './kernel-log-oracle.js';

/** Patterns that the scan can rewrite, one or more pieces of syntax each. */
const REWRITTEN: readonly RegExp[] = [
  /^SEV-[A-Z]{2,3}: active/i, // an upper-case range, folded
  /^[a-f0-9]{4} ok/i, // a lower-case range beside digits
  /^[^x]yz/i, // a negated class holding a letter
  /^node[\d_]+ up/i, // an escape inside a class
  /^[\]x]y/, // an escaped `]` inside a class
  /^ab(?<=b)c/, // a lookbehind
  /^ab(?<!x)d/, // a negative lookbehind
  /^(?<word>tdx): up$/, // a named group, then `$`
  /^foo(?=bar)/, // a lookahead
  /^foo(?!baz)q/, // a negative lookahead
  /^word\bnext/, // `\b`, which can never match here, still rewritten
  /^Gr[aeiou]up [A-Ca-c]$/i, // ranges of both cases in one class
  /^x[A-z]/i, // a range from upper to lower case: not folded, the flag kept instead
  /^\x41BC/i, // an escape that may name a letter: not folded, the flag kept instead
  /^[\x61-\x63]Q/i, // the same inside a class
  /^dot.all/s, // a flag of its own
];

/** Messages near the patterns above: some match one in some case, most match none. */
const MESSAGES = [
  'SEV-SNP: active',
  'sev-es: ACTIVE',
  'Sev-Xy: active',
  'SEV-1: active',
  'beef ok',
  'BEEF OK',
  '12aF ok',
  'xyzq ok',
  'ayz',
  'Xyz',
  'xyz',
  'AYZ',
  'node1_ up',
  'NODE_2 UP',
  'node up',
  ']y',
  'xy',
  'Xy',
  'abc',
  'abd',
  'tdx: up',
  'TDX: up',
  'tdx: up now',
  'foobar',
  'foobaz',
  'FOOBAR',
  'fooq',
  'fooQ',
  'wordnext',
  'Group a',
  'GROUP C',
  'group d',
  'xQ',
  'x_',
  'x[',
  'X^',
  'ABC',
  'abc',
  'aBc',
  'bQ',
  'dQ',
  'dot\rall',
  'dotXall',
];

describe('the rewrite of a declared pattern', () => {
  it('matches every message the pattern matches, whatever the case', () => {
    for (const pattern of REWRITTEN) {
      const fold = pattern.flags.includes('i');
      const folded = rawSource(pattern, fold);
      // A pattern that cannot be folded is rewritten as it is, and searched for with its `i` flag.
      const source = folded ?? rawSource(pattern, false);
      expect(source, String(pattern)).not.toBeNull();
      const flags = pattern.flags.replace(/[gymd]/g, '').replace(folded === null ? '' : 'i', '');
      const rewrite = new RegExp(`^(?:${source})`, flags);
      for (const message of MESSAGES) {
        if (pattern.test(message)) expect(rewrite.test(message), `${pattern} on ${message}`).toBe(true);
      }
    }
  });

  it('folds each letter of a case-insensitive pattern into both cases, so it runs without the flag', () => {
    const source = rawSource(/^SEV-[A-Z]{2}: on/i, true) as string;
    const rewrite = new RegExp(`^(?:${source})`);
    for (const message of ['SEV-ES: on', 'sev-es: ON', 'Sev-eS: oN'])
      expect(rewrite.test(message)).toBe(true);
    expect(rewrite.test('SEV-E1: on')).toBe(false);
    expect(rewrite.test('SEV-ES: of')).toBe(false);
  });

  it('keeps negation, escapes and ranges of a class as they are when folding', () => {
    const rewrite = (pattern: RegExp) => new RegExp(`^(?:${rawSource(pattern, true)})`);
    expect(rewrite(/^[^x]z/i).test('Xz')).toBe(false);
    expect(rewrite(/^[^x]z/i).test('yZ')).toBe(true);
    expect(rewrite(/^[\d-]z/i).test('-Z')).toBe(true);
    expect(rewrite(/^[\d-]z/i).test('aZ')).toBe(false);
    expect(rewrite(/^[b-d]/i).test('C')).toBe(true);
    expect(rewrite(/^[b-d]/i).test('e')).toBe(false);
    expect(rewrite(/^[0-9]/i).test('5')).toBe(true);
    expect(rewrite(/^[0-9]/i).test('a')).toBe(false);
    expect(rewrite(/^[!-#]/i).test('"')).toBe(true);
  });

  it('cannot fold what an escape or a mixed range may name, and says so', () => {
    for (const pattern of [
      /^\x41/i,
      /^\u0041/i,
      /^\cJ/i,
      /^\p{L}/iu,
      /^[\x41]/i,
      /^[\u0061]/i,
      /^[A-z]/i,
      /^[0-z]/i,
    ]) {
      expect(rawSource(pattern, true), String(pattern)).toBeNull();
      expect(rawSource(pattern, false), String(pattern)).not.toBeNull();
    }
  });

  it('cannot rewrite a pattern that may match past a message start, or refers back', () => {
    // biome-ignore lint/complexity/useRegexLiterals: a /v literal needs ES2024; the tests are type-checked for ES2022
    for (const pattern of [/tdx/, /^a|b/, /^(a)\1/, /^(?<n>a)\k<n>/, new RegExp('^a', 'v')]) {
      expect(rawSource(pattern, false), String(pattern)).toBeNull();
    }
    // An alternative inside a group is fine.
    expect(rawSource(/^(?:a|b)c/, false)).not.toBeNull();
    // Nor does the scan exist then: the reader reads every line.
    expect(createChunkScan([/^a|b/], false)).toBeNull();
    expect(createChunkScan(REWRITTEN, false)).not.toBeNull();
  });
});

/** A log of the messages above and some plain lines, in dmesg form and in other forms. */
const line = fc.oneof(
  fc
    .tuple(fc.nat(99_999), fc.constantFrom(...MESSAGES))
    .map(([t, m]) => `[${String(t).padStart(5)}.000000] ${m}`),
  fc.constantFrom(...MESSAGES).map((m) => `<6>${m}`),
  fc.constantFrom(...MESSAGES).map((m) => `Nov 30 17:00:00 host kernel: ${m}`),
  fc.constantFrom(...MESSAGES),
  fc.constant('[    1.000000] pci 0000:00:01.0: [1af4:1000] type 00 class 0x020000'),
);
const log = fc.array(line, { maxLength: 30 }).map((lines) => lines.join('\n'));

describe('reading with third-party patterns', () => {
  it('keeps exactly what parsing the whole log and filtering keeps', () => {
    fc.assert(
      fc.property(
        log,
        fc.subarray([...REWRITTEN], { minLength: 1 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        (text, keep, cuts) => {
          const want = plain(expected(text, keep));
          expect(plain(readKernelLog(text, { keep }).lines)).toEqual(want);
          expect(plain(readInChunks(text, cuts, keep).lines)).toEqual(want);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps the lines of each case-insensitive pattern in any case', () => {
    const text = [
      '[    1.000000] SEV-SNP: active',
      '[    2.000000] sev-es: ACTIVE',
      '[    3.000000] BEEF OK',
    ].join('\n');
    const lines = readKernelLog(text, { keep: REWRITTEN.slice(0, 2) }).lines.map((l) => l.text);
    expect(lines).toEqual(['SEV-SNP: active', 'sev-es: ACTIVE', 'BEEF OK']);
  });
});
