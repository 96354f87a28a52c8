import { safeText } from '../render/safe-text.js';
import type { FleetFact, FleetResult, FleetVerdict } from './machine.js';
import { NdjsonBytes } from './ndjson.js';

/**
 * Counts of a fleet, as the summary table shows them. Workers count their batches; the main thread
 * adds the batches up in input order ({@link mergeSummary}), so the lists of names keep that order.
 */
export interface FleetSummary {
  readonly machines: number;
  readonly verdicts: Readonly<Record<FleetVerdict, number>>;
  readonly types: ReadonlyMap<string, number>;
  readonly variants: ReadonlyMap<string, number>;
  readonly labels: ReadonlyMap<string, number>;
  /** Names of the machines that could not be decided, conflicted, or could not be read. */
  readonly cannotTell: readonly string[];
  readonly conflicts: readonly string[];
  readonly errors: readonly string[];
}

/** The verdicts in the order the summary lists them. */
export const VERDICTS: readonly FleetVerdict[] = [
  'confidential',
  'not-confidential',
  'cannot-tell',
  'conflict',
  'error',
];

/** A summary being counted. */
interface Counting {
  machines: number;
  readonly verdicts: Record<FleetVerdict, number>;
  readonly types: Map<string, number>;
  readonly variants: Map<string, number>;
  readonly labels: Map<string, number>;
  readonly cannotTell: string[];
  readonly conflicts: string[];
  readonly errors: string[];
}

function counting(): Counting {
  return {
    machines: 0,
    verdicts: Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<FleetVerdict, number>,
    types: new Map(),
    variants: new Map(),
    labels: new Map(),
    cannotTell: [],
    conflicts: [],
    errors: [],
  };
}

const add = (map: Map<string, number>, key: string, n = 1) => map.set(key, (map.get(key) ?? 0) + n);

/** Builds the counts from every machine's fact, in order. */
export function summarise(facts: readonly FleetFact[]): FleetSummary {
  const s = counting();
  for (const f of facts) {
    s.machines += 1;
    s.verdicts[f.verdict] += 1;
    if (f.verdict === 'error') s.errors.push(`${f.name} (${f.code})`);
    else {
      add(s.types, f.type ?? '-');
      add(s.variants, f.type === null ? '-' : `${f.type}${f.variant ? ` ${f.variant}` : ''}`);
      add(s.labels, f.cvm ?? '-');
    }
    if (f.verdict === 'cannot-tell') s.cannotTell.push(f.name);
    if (f.verdict === 'conflict') s.conflicts.push(f.name);
  }
  return s;
}

/** The counts of consecutive parts of a fleet (batches, in input order), added up. */
export function mergeSummary(parts: readonly FleetSummary[]): FleetSummary {
  const s = counting();
  for (const part of parts) {
    s.machines += part.machines;
    for (const v of VERDICTS) s.verdicts[v] += part.verdicts[v];
    for (const [key, n] of part.types) add(s.types, key, n);
    for (const [key, n] of part.variants) add(s.variants, key, n);
    for (const [key, n] of part.labels) add(s.labels, key, n);
    for (const name of part.cannotTell) s.cannotTell.push(name);
    for (const name of part.conflicts) s.conflicts.push(name);
    for (const name of part.errors) s.errors.push(name);
  }
  return s;
}

/** One batch of machines done: its NDJSON lines as UTF-8 (each ending in a newline) and its counts. */
export interface FleetBatch {
  readonly ndjson: Uint8Array;
  readonly summary: FleetSummary;
}

/**
 * The batch of these results, in their order. Each line goes to bytes as it comes, so a result
 * need not live past its turn (`results` may be a generator deciding machine after machine).
 */
export function fleetBatch(results: Iterable<FleetResult>, capacity?: number): FleetBatch {
  const bytes = new NdjsonBytes(capacity);
  const facts: FleetFact[] = [];
  for (const r of results) {
    bytes.push(r.line);
    facts.push(r.fact);
  }
  return { ndjson: bytes.take(), summary: summarise(facts) };
}

const LIST_MAX = 20;

function names(list: readonly string[]): string {
  const shown = list.slice(0, LIST_MAX).map(safeText).join(', ');
  return list.length > LIST_MAX ? `${shown}, and ${list.length - LIST_MAX} more` : shown;
}

/** A two-column table; rows by count, most first (then by name), unless `keepOrder`. */
function table(title: string, rows: Iterable<[string, number]>, keepOrder = false): string {
  const sorted = keepOrder ? [...rows] : [...rows].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  if (sorted.length === 0) return '';
  const width = Math.max(title.length, ...sorted.map(([k]) => k.length)) + 2;
  return `  ${title.padEnd(width)}machines\n${sorted.map(([k, n]) => `  ${safeText(k).padEnd(width)}${n}\n`).join('')}\n`;
}

/** The summary table `coco fleet` prints on standard error. */
export function renderSummary(s: FleetSummary): string {
  const v = s.verdicts;
  let out = `coco fleet: ${s.machines} machine${s.machines === 1 ? '' : 's'}: ${v.confidential} confidential, ${v['not-confidential']} not confidential, ${v['cannot-tell']} cannot tell, ${v.conflict} conflicting, ${v.error} unreadable\n\n`;
  out += table(
    'verdict',
    VERDICTS.filter((k) => v[k] > 0).map((k) => [k, v[k]]),
    true,
  );
  out += table('type', s.types);
  out += table('type and variant', s.variants);
  out += table('label (--cvm)', s.labels);
  if (s.cannotTell.length > 0) out += `Cannot tell (${s.cannotTell.length}): ${names(s.cannotTell)}\n`;
  if (s.conflicts.length > 0) out += `Conflicting evidence (${s.conflicts.length}): ${names(s.conflicts)}\n`;
  if (s.errors.length > 0) out += `Unreadable (${s.errors.length}): ${names(s.errors)}\n`;
  return out;
}
