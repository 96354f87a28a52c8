// Tests for code that no test reached in Stryker's fifth core run (docs/mutation.md, "NoCoverage"):
// hex registers spelled in capitals, the short lists and cut texts of messages, and the type cache.
import { checkParams, createTypeCache, parseHex32 } from '@coco/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shortHex } from '../src/evidence/hex.js';
import { namedFew } from '../src/list-few.js';
import { refusal, toyType } from './fixtures.js';

const WHERE = { input: 'cpuinfo', location: 'line 3', code: 'CPUINFO_INVALID' } as const;

describe('32-bit registers in hex', () => {
  it('read capital letters in the prefix and the digits, as /proc/cpuinfo and dumps may spell them', () => {
    expect(parseHex32('0XABCDEF01', WHERE)).toBe(0xabcdef01);
    expect(parseHex32('0xAbCdEf', WHERE)).toBe(0xabcdef);
    expect(parseHex32('0XF', WHERE)).toBe(15);
    expect(parseHex32('0x8000001F', WHERE)).toBe(0x8000001f);
  });

  it('read one to eight digits in any case on the fast path, and leave every other text to the full parser', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff_ffff }),
        fc.nat(7),
        fc.boolean(),
        fc.boolean(),
        (value, zeros, capitalX, upper) => {
          const digits = value.toString(16);
          const text = `0${capitalX ? 'X' : 'x'}${(upper ? digits.toUpperCase() : digits).padStart(Math.min(8, digits.length + zeros), '0')}`;
          expect(shortHex(text)).toBe(value);
          expect(parseHex32(text, WHERE)).toBe(value);
        },
      ),
    );
    for (const text of [
      '',
      '0x',
      '0',
      'x1',
      '1x1',
      '0y1',
      '0x123456789',
      '0x0000000001',
      '0x1g',
      '0x/',
      '0x:',
      '0x@',
      '0xG',
      '0x`',
    ]) {
      expect(shortHex(text), text).toBe(-1);
    }
    expect(shortHex('0x09afAF')).toBe(0x09afaf);
  });

  it('refuse a letter past F in either case', () => {
    for (const text of ['0xG1', '0XABCDEG', '0xabcdeg']) {
      expect(refusal(() => parseHex32(text, WHERE))).toMatchObject({
        code: 'CPUINFO_INVALID',
        input: 'cpuinfo',
      });
    }
  });
});

describe('names in messages', () => {
  it('joins one, two and three names as a sentence does', () => {
    expect(namedFew([])).toBe('');
    expect(namedFew(['a'])).toBe('"a"');
    expect(namedFew(['a', 'b'])).toBe('"a" and "b"');
    expect(namedFew(['a', 'b', 'c'])).toBe('"a", "b" and "c"');
    expect(namedFew(['a', 'b', 'c', 'd', 'e'])).toBe('"a", "b", "c" and 2 more');
    expect(namedFew(['a', 'b', 'c'], 2)).toBe('"a", "b" and 1 more');
  });

  it('cuts a name longer than 80 characters after 79, with an ellipsis', () => {
    expect(namedFew(['x'.repeat(80)])).toBe(`"${'x'.repeat(80)}"`);
    expect(namedFew(['x'.repeat(81)])).toBe(`"${'x'.repeat(79)}…"`);
  });
});

describe('parameter errors', () => {
  it('list the accepted values up to about 80 characters, then count them', () => {
    const values = Array.from({ length: 40 }, (_, i) => `value${i}`);
    const fix = refusal(() =>
      checkParams(
        { mode: { type: 'enum', values, description: 'the mode' } },
        { mode: 'other' },
        'type t params',
      ),
    ).fix as string;
    expect(fix).toMatch(/^give one of value0, value1, .*, … \(40 in all\) \(the mode\)$/);
    expect(fix.length).toBeLessThan(130);
    const few = refusal(() =>
      checkParams(
        { mode: { type: 'enum', values: ['a', 'b'], description: 'the mode' } },
        { mode: 'c' },
        't',
      ),
    );
    expect(few.fix).toBe('give one of a, b (the mode)');
  });

  it('cut a value longer than the list allows inside the first word', () => {
    const long = 'w'.repeat(100);
    const fix = refusal(() =>
      checkParams({ mode: { type: 'enum', values: [long], description: 'd' } }, { mode: 'x' }, 't'),
    ).fix;
    expect(fix).toBe(`give one of ${'w'.repeat(80)}… (d)`);
  });

  it('cut a description after 80 characters', () => {
    const description = `${'d'.repeat(80)}TAIL`;
    const fix = refusal(() => checkParams({ on: { type: 'boolean', description } }, { on: 1 }, 't')).fix;
    expect(fix).toBe(`give true or false (${'d'.repeat(80)}…)`);
  });

  it('name at most about 160 characters of known parameters for an unknown one', () => {
    const schema = Object.fromEntries(
      Array.from({ length: 30 }, (_, i) => [`parameter${i}`, { type: 'boolean', description: 'p' } as const]),
    );
    const fix = refusal(() => checkParams(schema, { nope: true }, 't')).fix as string;
    expect(fix).toMatch(/^use only parameter0, parameter1, .*, … \(30 in all\)$/);
    expect(fix.length).toBeLessThan(200);
  });
});

describe('the type cache', () => {
  it('builds a type once per key and hands the same one out again', () => {
    const cache = createTypeCache();
    let built = 0;
    const build = () => {
      built++;
      return toyType();
    };
    const first = cache('a', build);
    expect(cache('a', build)).toBe(first);
    expect(built).toBe(1);
    expect(cache('b', build)).not.toBe(first);
    expect(built).toBe(2);
  });

  it('starts over when it holds its limit, so memory stays bounded', () => {
    const cache = createTypeCache(2);
    let built = 0;
    const build = () => {
      built++;
      return toyType();
    };
    const a = cache('a', build);
    cache('b', build);
    expect(cache('a', build)).toBe(a);
    expect(built).toBe(2);
    // A third key finds the cache full: it starts over, so `a` is built again afterwards.
    cache('c', build);
    expect(built).toBe(3);
    expect(cache('c', build)).not.toBe(a);
    expect(built).toBe(3);
    expect(cache('a', build)).not.toBe(a);
    expect(built).toBe(4);
  });
});
