// Tests written from Stryker's mutants (docs/mutation.md) for the two scans a snapshot's text goes
// through around `JSON.parse`: the depth scan (before it) and the duplicate-key scan (after it).
// Objects past 16 keys switch from a list of keys to a set, which no other test reached.
import { describe, expect, it } from 'vitest';
import { tooDeepAt } from '../src/evidence/json-depth.js';
import { findDuplicateKey } from '../src/evidence/json-duplicates.js';

/** A JSON object of `keys` in order, each with the value 1. */
const object = (keys: readonly string[]) => `{${keys.map((k) => `${JSON.stringify(k)}:1`).join(',')}}`;
const distinct = (n: number) => Array.from({ length: n }, (_, i) => `k${i}`);

describe('the duplicate-key scan', () => {
  it('finds no duplicate among many distinct keys', () => {
    expect(findDuplicateKey(object(distinct(40)))).toBeNull();
  });

  it('finds a duplicate wherever it falls, before and after the 16th key', () => {
    for (const n of [2, 15, 16, 17, 18, 30]) {
      const keys = distinct(n);
      for (const twice of [keys[0], keys[n - 1]] as string[]) {
        expect(findDuplicateKey(object([...keys, twice])), `${twice} after ${n} keys`).toEqual({
          key: twice,
          path: '$',
        });
      }
    }
    // Between two keys that came after the switch to a set.
    expect(findDuplicateKey(object([...distinct(20), 'late', 'later', 'late']))).toEqual({
      key: 'late',
      path: '$',
    });
  });

  it('names the path of a nested object past 16 keys', () => {
    const inner = object([...distinct(20), 'k3']);
    expect(findDuplicateKey(`{"msr":${inner}}`)).toEqual({ key: 'k3', path: '$.msr' });
    expect(findDuplicateKey(`[0,{"a":[1,${inner}]}]`)).toEqual({ key: 'k3', path: '$[1].a[1]' });
  });

  it('starts each object afresh, however many keys the one before it had', () => {
    expect(findDuplicateKey(`[${object(distinct(20))},${object(distinct(20))}]`)).toBeNull();
    expect(findDuplicateKey(`[${object(distinct(20))},${object(['k1'])},${object(['k1', 'k1'])}]`)).toEqual({
      key: 'k1',
      path: '$[2]',
    });
  });
});

describe('the depth scan', () => {
  it('counts depth, not how many arrays or objects there are side by side', () => {
    expect(tooDeepAt(`[${'[],'.repeat(100)}{}]`, 64)).toBe(-1);
    expect(tooDeepAt(`{"a":[${'{},'.repeat(100)}[]]}`, 3)).toBe(-1);
    expect(tooDeepAt('[[[]]]', 2)).toBe(2);
  });

  it('stops at a string that never ends, leaving the verdict to JSON.parse', () => {
    expect(tooDeepAt(`{"a":"${'['.repeat(100)}`, 64)).toBe(-1);
    expect(tooDeepAt(`"${'['.repeat(100)}`, 64)).toBe(-1);
    // Brackets inside a string that ends do not count either.
    expect(tooDeepAt(`["${'['.repeat(100)}"]`, 64)).toBe(-1);
  });
});
