import { safeText } from '../render/safe-text.js';
import type { FleetFact, FleetVerdict } from './machine.js';

/** Counts of a fleet, as the summary table shows them. */
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

/** Builds the counts from every machine's fact. */
export function summarise(facts: readonly FleetFact[]): FleetSummary {
  const verdicts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<FleetVerdict, number>;
  const types = new Map<string, number>();
  const variants = new Map<string, number>();
  const labels = new Map<string, number>();
  const cannotTell: string[] = [];
  const conflicts: string[] = [];
  const errors: string[] = [];
  const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  for (const f of facts) {
    verdicts[f.verdict] += 1;
    if (f.verdict === 'error') errors.push(`${f.name} (${f.code})`);
    else {
      add(types, f.type ?? '-');
      add(variants, f.type === null ? '-' : `${f.type}${f.variant ? ` ${f.variant}` : ''}`);
      add(labels, f.cvm ?? '-');
    }
    if (f.verdict === 'cannot-tell') cannotTell.push(f.name);
    if (f.verdict === 'conflict') conflicts.push(f.name);
  }
  return { machines: facts.length, verdicts, types, variants, labels, cannotTell, conflicts, errors };
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
