import {
  classifyEntries,
  createClassifier,
  createMarking,
  type EncryptedWhen,
  isCocoError,
  type Marking,
  type MarkingClassification,
} from '@coco/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const U64_MAX = 0xffff_ffff_ffff_ffffn;

interface Run {
  start: number;
  length: number;
  encrypted: boolean;
}

/** The naive reference: one entry at a time, the state read bit by bit from the facts' polarity. */
function naive(values: readonly bigint[], bit: number, when: EncryptedWhen, offset = 0) {
  const runs: Run[] = [];
  let encrypted = 0;
  values.forEach((v, i) => {
    const set = ((v >> BigInt(bit)) & 1n) === 1n;
    const enc = when === 'set' ? set : !set;
    if (enc) encrypted++;
    const last = runs[runs.length - 1];
    if (last && last.encrypted === enc) last.length++;
    else runs.push({ start: offset + i, length: 1, encrypted: enc });
  });
  return { encrypted, decrypted: values.length - encrypted, runs };
}

function plain(c: MarkingClassification) {
  return {
    encrypted: c.encrypted,
    decrypted: c.decrypted,
    runs: c.runs.toArray().map((r) => ({ ...r })),
  };
}

const marking = fc
  .tuple(fc.integer({ min: 12, max: 51 }), fc.constantFrom<EncryptedWhen>('set', 'clear'))
  .map(([maskBit, encryptedWhen]) => createMarking({ maskBit, encryptedWhen }));

/** Tables with runs: a few random lengths of either state, so runs of 1 and of 40+ both occur. */
const table = (m: Marking) =>
  fc
    .array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 45 }), fc.bigInt({ min: 0n, max: U64_MAX })), {
      maxLength: 12,
    })
    .map((pieces) => {
      const values: bigint[] = [];
      for (const [enc, length, seed] of pieces) {
        for (let i = 0; i < length; i++) {
          const v = (seed ^ (BigInt(i) * 0x9e37_79b9_7f4a_7c15n)) & U64_MAX;
          values.push(enc ? m.encrypt(v) : m.decrypt(v));
        }
      }
      return values;
    });

const markedTable = marking.chain((m) => fc.tuple(fc.constant(m), table(m)));

/** Cut points for a random chunking of `length` entries. */
function chunks(length: number, cuts: readonly number[]): [number, number][] {
  const points = [...new Set(cuts.map((c) => c % (length + 1)))].sort((a, b) => a - b);
  const out: [number, number][] = [];
  let from = 0;
  for (const p of [...points, length]) {
    out.push([from, p]);
    from = p;
  }
  return out;
}

describe('classifyEntries', () => {
  it('counts and runs equal the naive reference (random bits)', () => {
    fc.assert(
      fc.property(
        marking,
        fc.array(fc.bigInt({ min: 0n, max: U64_MAX }), { maxLength: 200 }),
        (m, values) => {
          const c = classifyEntries(m, BigUint64Array.from(values));
          expect(plain(c)).toEqual(naive(values, m.maskBit, m.encryptedWhen));
          expect(c.entries).toBe(values.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('counts and runs equal the naive reference (long runs)', () => {
    fc.assert(
      fc.property(markedTable, ([m, values]) => {
        const c = classifyEntries(m, BigUint64Array.from(values));
        const ref = naive(values, m.maskBit, m.encryptedWhen);
        expect(plain(c)).toEqual(ref);
        expect(c.encryptedRuns.toArray()).toEqual(ref.runs.filter((r) => r.encrypted));
        expect(c.decryptedRuns.toArray()).toEqual(ref.runs.filter((r) => !r.encrypted));
        // The same count as the counting-only path.
        expect(m.count(BigUint64Array.from(values))).toEqual({
          encrypted: ref.encrypted,
          decrypted: ref.decrypted,
        });
      }),
      { numRuns: 300 },
    );
  });

  it('a range reports indices counted from its start', () => {
    fc.assert(
      fc.property(markedTable, fc.nat(), fc.nat(), ([m, values], a, b) => {
        const start = a % (values.length + 1);
        const end = start + (b % (values.length - start + 1));
        const c = classifyEntries(m, BigUint64Array.from(values), start, end);
        expect(plain(c)).toEqual(naive(values.slice(start, end), m.maskBit, m.encryptedWhen));
      }),
      { numRuns: 200 },
    );
  });

  it('a hand-written table: C-bit 51, encrypted when set', () => {
    const m = createMarking({ maskBit: 51, encryptedWhen: 'set' });
    const e = 0x8008000123456063n; // encrypted (C-bit set)
    const d = 0x8000000123456063n; // decrypted
    const c = classifyEntries(m, BigUint64Array.from([e, e, d, e, d, d, d]));
    expect([c.entries, c.encrypted, c.decrypted]).toEqual([7, 3, 4]);
    expect(c.encryptedRuns.toArray()).toEqual([
      { start: 0, length: 2, encrypted: true },
      { start: 3, length: 1, encrypted: true },
    ]);
    expect(c.decryptedRuns.toArray()).toEqual([
      { start: 2, length: 1, encrypted: false },
      { start: 4, length: 3, encrypted: false },
    ]);
    expect(c.runs.count).toBe(4);
    expect([c.runs.startOf(3), c.runs.lengthOf(3)]).toEqual([4, 3]);
    expect([...c.decryptedRuns].map((r) => r.start)).toEqual([2, 4]);
    expect(c.runs.at(4)).toBeUndefined();
  });

  it('the same table under TDX polarity swaps the states', () => {
    const m = createMarking({ maskBit: 51, encryptedWhen: 'clear' });
    const shared = 0x0008000000001000n;
    const c = classifyEntries(m, BigUint64Array.from([shared, 0x2000n, 0x3000n]));
    expect([c.encrypted, c.decrypted]).toEqual([2, 1]);
    expect(c.encryptedRuns.toArray()).toEqual([{ start: 1, length: 2, encrypted: true }]);
  });

  it('an empty table has no runs', () => {
    const c = classifyEntries(createMarking({ maskBit: 47, encryptedWhen: 'clear' }), new BigUint64Array(0));
    expect([c.entries, c.encrypted, c.decrypted, c.runs.count, c.encryptedRuns.count]).toEqual([
      0, 0, 0, 0, 0,
    ]);
    expect([...c.runs]).toEqual([]);
  });
});

describe('createClassifier streams chunks', () => {
  it('chunked runs equal unchunked runs for random chunkings', () => {
    fc.assert(
      fc.property(markedTable, fc.array(fc.nat(), { maxLength: 8 }), ([m, values], cuts) => {
        const arr = BigUint64Array.from(values);
        const whole = plain(classifyEntries(m, arr));
        const classifier = createClassifier(m);
        for (const [from, to] of chunks(values.length, cuts)) {
          // Each chunk as its own array (as read from a file) or as a range of the same array.
          if (from % 2 === 0) classifier.push(arr.slice(from, to));
          else classifier.push(arr, from, to);
        }
        expect(classifier.position).toBe(values.length);
        expect(plain(classifier.finish())).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('onRun reports every run once, in order, as the collected list', () => {
    fc.assert(
      fc.property(markedTable, fc.array(fc.nat(), { maxLength: 6 }), ([m, values], cuts) => {
        const arr = BigUint64Array.from(values);
        const seen: Run[] = [];
        const classifier = createClassifier(m, {
          collectRuns: false,
          onRun: (start, length, encrypted) => seen.push({ start, length, encrypted }),
        });
        for (const [from, to] of chunks(values.length, cuts)) classifier.push(arr, from, to);
        const c = classifier.finish();
        const ref = naive(values, m.maskBit, m.encryptedWhen);
        expect(seen).toEqual(ref.runs);
        expect(c.runs.count).toBe(0);
        expect([c.encrypted, c.decrypted]).toEqual([ref.encrypted, ref.decrypted]);
      }),
      { numRuns: 200 },
    );
  });

  it('counting only (collectRuns: false) gives the same counts', () => {
    fc.assert(
      fc.property(markedTable, fc.array(fc.nat(), { maxLength: 6 }), ([m, values], cuts) => {
        const arr = BigUint64Array.from(values);
        const classifier = createClassifier(m, { collectRuns: false });
        for (const [from, to] of chunks(values.length, cuts)) classifier.push(arr, from, to);
        const c = classifier.finish();
        const ref = naive(values, m.maskBit, m.encryptedWhen);
        expect([c.entries, c.encrypted, c.decrypted, c.runs.count]).toEqual([
          values.length,
          ref.encrypted,
          ref.decrypted,
          0,
        ]);
      }),
      { numRuns: 200 },
    );
  });

  it('runs stay exact past one storage block (8192 runs) and across many chunks', () => {
    const m = createMarking({ maskBit: 12, encryptedWhen: 'set' });
    const n = 20_000;
    // Run k has length 1 + (k % 3) and alternates, starting encrypted.
    const values: bigint[] = [];
    for (let k = 0; values.length < n; k++) {
      for (let j = 0; j < 1 + (k % 3) && values.length < n; j++) values.push(k % 2 === 0 ? 0x1000n : 0n);
    }
    const ref = naive(values, 12, 'set');
    const arr = BigUint64Array.from(values);
    const classifier = createClassifier(m);
    for (let from = 0; from < n; from += 777) classifier.push(arr, from, Math.min(n, from + 777));
    const c = classifier.finish();
    expect(c.runs.count).toBe(ref.runs.length);
    expect(c.runs.count).toBeGreaterThan(8192);
    expect(plain(c)).toEqual(ref);
  });

  it('an onRun that throws stops the classifier instead of leaving it half-updated', () => {
    const m = createMarking({ maskBit: 51, encryptedWhen: 'set' });
    const classifier = createClassifier(m, {
      onRun: () => {
        throw new Error('consumer failed');
      },
    });
    const table = BigUint64Array.from([m.encrypt(0n), m.decrypt(0n)]);
    expect(() => classifier.push(table)).toThrow('consumer failed');
    let code = '';
    try {
      classifier.push(table);
    } catch (e) {
      code = isCocoError(e) ? e.code : 'untyped';
    }
    expect(code).toBe('PARAMETER_INVALID');
  });

  it('refuses pushes after finish, bad chunks and bad markings with typed errors', () => {
    const m = createMarking({ maskBit: 51, encryptedWhen: 'set' });
    const classifier = createClassifier(m);
    classifier.finish();
    const codes: string[] = [];
    const attempt = (f: () => unknown) => {
      try {
        f();
        codes.push('none');
      } catch (e) {
        codes.push(isCocoError(e) ? e.code : 'untyped');
      }
    };
    attempt(() => classifier.push(new BigUint64Array(1)));
    attempt(() => classifier.finish());
    attempt(() => createClassifier(m).push([1n] as unknown as BigUint64Array));
    attempt(() => createClassifier(m).push(new BigUint64Array(2), 1, 3));
    attempt(() => createClassifier({ maskBit: 64, encryptedWhen: 'set' } as Marking));
    attempt(() => createClassifier(null as unknown as Marking));
    attempt(() => createClassifier(m, { onRun: 'x' as unknown as () => void }));
    attempt(() => classifyEntries(m, new BigUint64Array(3)).runs.startOf(0));
    attempt(() => classifyEntries(m, new BigUint64Array(3)).runs.lengthOf(1));
    attempt(() => classifyEntries(m, new BigUint64Array(0)).encryptedRuns.startOf(0));
    expect(codes).toEqual([
      'PARAMETER_INVALID',
      'PARAMETER_INVALID',
      'PARAMETER_INVALID',
      'VALUE_OUT_OF_RANGE',
      'PARAMETER_INVALID',
      'PARAMETER_INVALID',
      'PARAMETER_INVALID',
      'none',
      'VALUE_OUT_OF_RANGE',
      'VALUE_OUT_OF_RANGE',
    ]);
  });
});
