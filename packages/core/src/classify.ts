import { CocoError, CocoRangeError, describeValue } from './errors.js';
import { MASK_BIT_MAX, MASK_BIT_MIN, type Marking } from './marking.js';
import { checkSpan, countSpan, SEGMENT_ENTRIES, scanRun, wordGeometry, wordView } from './marking-words.js';

/** A maximal run of consecutive entries in the same state. */
export interface MarkingRun {
  /** Index of the first entry, counted from the first entry the classifier saw. */
  readonly start: number;
  /** How many entries the run holds (at least 1). */
  readonly length: number;
  readonly encrypted: boolean;
}

/**
 * Maximal runs in entry order, stored compactly (8 bytes per run, in fixed-size blocks that are
 * never copied as the list grows). Iterate it, or read `startOf(i)`/`lengthOf(i)` without
 * creating an object per run.
 */
export interface MarkingRunList extends Iterable<MarkingRun> {
  /** How many runs the list holds. */
  readonly count: number;
  /** The first entry index of run `index` (0-based); throws `CocoRangeError` outside the list. */
  startOf(index: number): number;
  /** The length of run `index`; throws `CocoRangeError` outside the list. */
  lengthOf(index: number): number;
  /** Run `index` as an object, or `undefined` outside the list. */
  at(index: number): MarkingRun | undefined;
  /** Every run as an object (allocates one per run). */
  toArray(): MarkingRun[];
}

/** What {@link classifyEntries} and {@link MarkingClassifier.finish} report. */
export interface MarkingClassification {
  /** How many entries were classified. */
  readonly entries: number;
  /** How many of them are encrypted. */
  readonly encrypted: number;
  /** How many of them are decrypted. */
  readonly decrypted: number;
  /** Every maximal run, both states alternating, in order (empty when runs were not collected). */
  readonly runs: MarkingRunList;
  /** The maximal runs of encrypted entries, in order. */
  readonly encryptedRuns: MarkingRunList;
  /** The maximal runs of decrypted entries, in order. */
  readonly decryptedRuns: MarkingRunList;
}

/** Options of {@link createClassifier}. */
export interface ClassifierOptions {
  /**
   * Keep the runs for the result (default `true`). With `false` the classifier only counts, at the
   * speed of {@link Marking.count}, and the result's run lists are empty.
   */
  readonly collectRuns?: boolean;
  /**
   * Called once per maximal run, in order, as soon as the run is known to have ended (the last
   * run is reported by `finish()`). Lets a caller stream runs out without keeping them. If it
   * throws, the error leaves `push` and the classifier refuses further use.
   */
  readonly onRun?: (start: number, length: number, encrypted: boolean) => void;
}

/**
 * Classifies a table of 64-bit entries that arrives in chunks: counts encrypted and decrypted
 * entries and finds maximal runs, merging runs across chunk boundaries and reporting indices
 * counted from the first entry pushed. Chunks are read in place, never copied, so a 1 GiB table can
 * be streamed through a small buffer or mapped piece by piece.
 */
export interface MarkingClassifier {
  /** Classifies `chunk[start..end)` as the next entries of the table; returns the classifier. */
  push(chunk: BigUint64Array, start?: number, end?: number): this;
  /** How many entries have been pushed so far. */
  readonly position: number;
  /** Ends the table and returns the counts and runs; later `push` or `finish` calls throw. */
  finish(): MarkingClassification;
}

const BLOCK_BITS = 13;
const BLOCK_SIZE = 1 << BLOCK_BITS; // run starts per block: 64 KiB of Float64

/** Run starts in never-copied blocks; run `k` ends where run `k + 1` starts, the last at `end`. */
class RunStarts {
  readonly blocks: Float64Array[] = [];
  count = 0;

  add(start: number): void {
    const slot = this.count & (BLOCK_SIZE - 1);
    if (slot === 0) this.blocks.push(new Float64Array(BLOCK_SIZE));
    this.blocks[this.blocks.length - 1]![slot] = start;
    this.count++;
  }

  get(k: number): number {
    return this.blocks[k >>> BLOCK_BITS]![k & (BLOCK_SIZE - 1)]!;
  }
}

function outsideList(index: number, count: number): CocoRangeError {
  return new CocoRangeError(`run ${describeValue(index)} is outside the list of ${count} runs`, {
    input: 'index',
    fix: count > 0 ? `use an integer from 0 to ${count - 1}` : 'the list is empty: check count first',
  });
}

/**
 * Run list `first, first + step, ...` over the run starts: `step` 1 lists every run, `step` 2
 * lists the runs of one state (states alternate, so they sit at every second index).
 */
function runList(
  starts: RunStarts,
  end: number,
  firstEncrypted: boolean,
  first: number,
  step: 1 | 2,
): MarkingRunList {
  const count = starts.count > first ? Math.floor((starts.count - first - 1) / step) + 1 : 0;
  const check = (index: number): number => {
    if (!Number.isInteger(index) || index < 0 || index >= count) throw outsideList(index, count);
    return first + index * step;
  };
  const startOf = (index: number): number => starts.get(check(index));
  const lengthOf = (index: number): number => {
    const k = check(index);
    return (k + 1 < starts.count ? starts.get(k + 1) : end) - starts.get(k);
  };
  const at = (index: number): MarkingRun | undefined => {
    if (!Number.isInteger(index) || index < 0 || index >= count) return undefined;
    const k = first + index * step;
    return {
      start: starts.get(k),
      length: (k + 1 < starts.count ? starts.get(k + 1) : end) - starts.get(k),
      encrypted: firstEncrypted === ((k & 1) === 0),
    };
  };
  return Object.freeze({
    count,
    startOf,
    lengthOf,
    at,
    toArray: () => Array.from({ length: count }, (_, i) => at(i)!),
    *[Symbol.iterator](): Iterator<MarkingRun> {
      for (let i = 0; i < count; i++) yield at(i)!;
    },
  });
}

function readMarking(marking: Marking): { maskBit: number; setWhenEncrypted: boolean } {
  const maskBit = (marking as Partial<Marking> | null)?.maskBit;
  const encryptedWhen = (marking as Partial<Marking> | null)?.encryptedWhen;
  if (
    typeof maskBit !== 'number' ||
    !Number.isInteger(maskBit) ||
    maskBit < MASK_BIT_MIN ||
    maskBit > MASK_BIT_MAX ||
    (encryptedWhen !== 'set' && encryptedWhen !== 'clear')
  ) {
    throw new CocoError('PARAMETER_INVALID', `${describeValue(marking)} is not a marking`, {
      input: 'marking',
      fix: 'pass a Marking from createMarking() or a type’s `marking`',
    });
  }
  return { maskBit, setWhenEncrypted: encryptedWhen === 'set' };
}

/**
 * Creates a streaming classifier for tables marked by `marking`. Push the table's chunks in order,
 * then call `finish()`:
 *
 * ```ts
 * const classifier = createClassifier(type.marking);
 * for (const chunk of chunks) classifier.push(chunk);
 * const { encrypted, decryptedRuns } = classifier.finish();
 * ```
 */
export function createClassifier(marking: Marking, options: ClassifierOptions = {}): MarkingClassifier {
  const { maskBit, setWhenEncrypted } = readMarking(marking);
  const collect = options?.collectRuns ?? true;
  const onRun = options?.onRun;
  if (onRun !== undefined && typeof onRun !== 'function') {
    throw new CocoError('PARAMETER_INVALID', `onRun ${describeValue(onRun)} is not a function`, {
      input: 'options.onRun',
      fix: 'pass a function (start, length, encrypted) => void, or leave onRun out',
    });
  }
  const trackRuns = collect || onRun !== undefined;
  const word = wordGeometry(maskBit);
  const starts = new RunStarts();
  let position = 0;
  let setCount = 0;
  // The run in progress: its start and whether the bit is set in it (-1: no entry seen yet).
  let runStart = 0;
  let runSet = -1;
  let firstSet = 0;
  let finished = false;

  const closeRun = (end: number): void => {
    if (runSet === 1) setCount += end - runStart;
    if (onRun) onRun(runStart, end - runStart, (runSet === 1) === setWhenEncrypted);
  };

  // Finds the run boundaries of one non-empty view; word i (i = 2e + offset) belongs to entry e of
  // the view, whose absolute index is position + (i >> 1).
  const scanSegment = (w: Int32Array): void => {
    const n = w.length;
    let i = word.offset;
    if (runSet === -1) {
      runSet = (w[i]! >>> word.shift) & 1;
      firstSet = runSet;
      runStart = position;
      if (collect) starts.add(position);
    }
    for (;;) {
      i = scanRun(w, i, word.mask, runSet === 1 ? word.mask : 0);
      if (i >= n) return;
      const at = position + (i >> 1);
      closeRun(at);
      runSet ^= 1;
      runStart = at;
      if (collect) starts.add(at);
    }
  };

  const classifier: MarkingClassifier = {
    get position() {
      return position;
    },
    push(chunk: BigUint64Array, start = 0, end = chunk?.length ?? 0) {
      if (finished) throw finishedError();
      const table = checkSpan(chunk, start, end);
      if (!trackRuns) {
        setCount += countSpan(table, start, end, word);
        position += end - start;
        return classifier;
      }
      try {
        for (let s = start; s < end; s += SEGMENT_ENTRIES) {
          const e = Math.min(end, s + SEGMENT_ENTRIES);
          scanSegment(wordView(table, s, e));
          position += e - s;
        }
      } catch (error) {
        // onRun threw part-way through a chunk: the counts no longer describe a prefix of the table.
        finished = true;
        throw error;
      }
      return classifier;
    },
    finish(): MarkingClassification {
      if (finished) throw finishedError();
      finished = true;
      if (trackRuns && runSet !== -1) closeRun(position);
      const set = setCount;
      const unset = position - set;
      const firstState = (firstSet === 1) === setWhenEncrypted;
      const empty = new RunStarts();
      const list = collect ? starts : empty;
      return Object.freeze({
        entries: position,
        encrypted: setWhenEncrypted ? set : unset,
        decrypted: setWhenEncrypted ? unset : set,
        runs: runList(list, position, firstState, 0, 1),
        encryptedRuns: runList(list, position, firstState, firstState ? 0 : 1, 2),
        decryptedRuns: runList(list, position, firstState, firstState ? 1 : 0, 2),
      });
    },
  };
  return classifier;
}

function finishedError(): CocoError {
  return new CocoError('PARAMETER_INVALID', 'the classifier has finished (or stopped when onRun threw)', {
    input: 'classifier',
    fix: 'create a new classifier with createClassifier() for another table',
  });
}

/**
 * Classifies `entries[start..end)` in one call: counts and maximal runs, with run starts counted
 * from `start`. For a table in several chunks use {@link createClassifier}.
 */
export function classifyEntries(
  marking: Marking,
  entries: BigUint64Array,
  start = 0,
  end = entries?.length ?? 0,
  options: ClassifierOptions = {},
): MarkingClassification {
  return createClassifier(marking, options).push(entries, start, end).finish();
}
