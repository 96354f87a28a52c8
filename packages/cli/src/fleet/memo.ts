import { randomUUID } from 'node:crypto';
import { type MachineIdentity, type Registry, readMachineIdentity, readSnapshotJson } from '@coco/core';
import type { FleetVerdict } from './machine.js';

/** What a fleet record says of a detection, kept with it. */
export interface DecidedSummary {
  readonly verdict: Exclude<FleetVerdict, 'error'>;
  readonly type: string | null;
  readonly variant: string | null;
  readonly cvm: string | null;
}

/** One machine decided by the memo. */
export interface MemoHit {
  /** The snapshot's `machine` member, read as `parseSnapshot` reads it (`readMachineIdentity`). */
  readonly identity: MachineIdentity | undefined;
  /**
   * The `coco-detection/1` document as JSON naming this machine's source: UTF-8 bytes (kept once
   * per distinct evidence, never encoded again) and text, in order.
   */
  readonly detection: readonly (string | Uint8Array)[];
  readonly summary: DecidedSummary;
}

interface Decided {
  /** The detection's JSON as UTF-8, cut where {@link DecisionMemo.placeholder} stood for the source. */
  readonly around: readonly Uint8Array[];
  readonly summary: DecidedSummary;
}

/** Distinct evidence kept per worker: about 4 KB each (the key and the detection's JSON). */
const MEMO_ENTRIES = 1024;
/** Larger snapshots (long kernel logs) seldom repeat; they are decided in full. */
const MEMO_MAX_TEXT = 64 * 1024;
/**
 * Sources whose JSON text is themselves: printable ASCII without quote or backslash. Another source
 * could appear escaped once or twice in a detection (a quoted name inside a message), so a text
 * replacement could not put it back as the full path would be written; such machines are decided
 * in full.
 */
const PLAIN_SOURCE = /^[ !#-[\]-~]{1,4096}$/;
/**
 * A printk timestamp `[%5lu.%06lu]` at the start of a kernel-log line. Core takes it off whatever
 * its value (the line's text, which plugins read, is the same), so a snapshot's lines count as the
 * same evidence when only these differ: machines of one kind boot at slightly different times.
 */
const PRINTK_STAMP = /^\[(?: {4}\d| {3}\d\d| {2}\d{3}| \d{4}|\d{5,12})\.\d{6}\]/;

/**
 * The kernel log as the memo's key holds it: a line that starts with a printk timestamp without
 * the timestamp's value, every other line whole (each marked, so that the two never meet).
 */
function keyLog(lines: unknown): unknown {
  if (!Array.isArray(lines)) return lines;
  return lines.map((line: unknown) => {
    if (typeof line !== 'string') return line;
    return PRINTK_STAMP.test(line) ? `\u0001${line.slice(line.indexOf(']') + 1)}` : `\u0002${line}`;
  });
}

/** Options of {@link DecisionMemo}. */
export interface DecisionMemoOptions {
  /** Distinct evidence kept at most; 1,024 unless given. */
  readonly limit?: number;
  /**
   * Keep kernel-log lines whole in the key, timestamps included: with a third-party plugin, which
   * may read a line's raw text (`LogLine.raw`, timestamp and all), where the built-in plugins read
   * only its text.
   */
  readonly exactLog?: boolean;
}

/** The verdict a fleet record counts for a detection document. */
export function summaryOf(json: {
  readonly conflicts: readonly unknown[];
  readonly confidential: boolean | null;
  readonly type: string | null;
  readonly variant: string | null;
  readonly cvm: string | null;
}): DecidedSummary {
  const verdict =
    json.conflicts.length > 0
      ? 'conflict'
      : json.confidential === null
        ? 'cannot-tell'
        : json.confidential
          ? 'confidential'
          : 'not-confidential';
  return { verdict, type: json.type, variant: json.variant, cvm: json.cvm };
}

/**
 * Decides each distinct evidence of a fleet once. A fleet is machines of a few kinds, and machines
 * of one kind give snapshots that differ only in their `machine` member (host name, capture time);
 * a detection depends on the evidence and the registry alone, never on that member, so the second
 * machine with the same evidence gets the first one's detection, with its own source and identity.
 *
 * Evidence counts as the same when the snapshot's JSON, read with every check of the text
 * ({@link readSnapshotJson}: size, depth, syntax, entry counts, duplicate keys) and without its
 * `machine` member, is the same JSON, but for the values of the printk timestamps that start its
 * kernel-log lines (unless `exactLog`). The detection is made with a placeholder source, unguessable
 * (a random UUID per worker), which each machine's source replaces. Whatever this cannot vouch
 * for (a snapshot that fails a check, a source that needs escaping, a large snapshot) returns
 * `undefined`: the caller decides that machine in full, which gives the same record. A full memo
 * keeps what it has; new evidence is then decided from the document already read.
 */
export class DecisionMemo {
  /** What stands for the source while the detection is made, and in the kept JSON. */
  readonly placeholder = `coco-source-${randomUUID()}`;
  readonly #decided = new Map<string, Decided>();
  readonly #limit: number;
  readonly #exactLog: boolean;
  #hits = 0;

  constructor(options: DecisionMemoOptions = {}) {
    this.#limit = options.limit ?? MEMO_ENTRIES;
    this.#exactLog = options.exactLog ?? false;
  }

  /** Distinct evidence decided so far. */
  get size(): number {
    return this.#decided.size;
  }

  /** Machines given a detection decided for an earlier machine. */
  get hits(): number {
    return this.#hits;
  }

  /**
   * This machine's detection: from the memo when an earlier machine had its evidence, else decided
   * from the document already read (and kept while there is room). `undefined` when the caller must
   * decide it in full: a source that needs escaping, a large snapshot, or a snapshot with something
   * wrong, whose error the full path names.
   */
  decide(text: string, source: string, registry: Registry): MemoHit | undefined {
    if (text.length > MEMO_MAX_TEXT || !PLAIN_SOURCE.test(source)) return undefined;
    try {
      const doc = readSnapshotJson(text, { source });
      const { machine, ...evidence }: { [key: string]: unknown } = doc;
      const hasMachine = Object.hasOwn(doc, 'machine');
      if (!this.#exactLog && Object.hasOwn(evidence, 'kernelLog'))
        evidence.kernelLog = keyLog(evidence.kernelLog);
      const key = `${hasMachine ? 'm' : '-'}${JSON.stringify(evidence)}`;
      const known = this.#decided.get(key);
      if (!known && this.#decided.size >= this.#limit) return this.#decideOnce(doc, source, registry);
      const decided = known ?? this.#learn(key, doc, registry);
      const identity = hasMachine ? readMachineIdentity(machine, { source }) : undefined;
      if (known) this.#hits += 1;
      const detection: (string | Uint8Array)[] = [];
      decided.around.forEach((bytes, i) => {
        if (i > 0) detection.push(source);
        detection.push(bytes);
      });
      return { identity, detection, summary: decided.summary };
    } catch {
      return undefined;
    }
  }

  #learn(key: string, doc: { readonly [key: string]: unknown }, registry: Registry): Decided {
    const evidence = registry.parseSnapshot(doc, { source: this.placeholder });
    const json = registry.detect(evidence).toJSON();
    const around = JSON.stringify(json)
      .split(this.placeholder)
      .map((part) => Buffer.from(part, 'utf8'));
    const decided: Decided = { around, summary: summaryOf(json) };
    this.#decided.set(key, decided);
    return decided;
  }

  /** A machine with new evidence once the memo is full: decided from its document, not kept. */
  #decideOnce(doc: { readonly [key: string]: unknown }, source: string, registry: Registry): MemoHit {
    const evidence = registry.parseSnapshot(doc, { source });
    const json = registry.detect(evidence).toJSON();
    return { identity: evidence.machine, detection: [JSON.stringify(json)], summary: summaryOf(json) };
  }
}
