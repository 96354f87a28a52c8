#!/usr/bin/env node
// `node tools/mutation/events.mjs [package] [--survivors [file]]`: reads what Stryker's
// event-recorder reporter wrote to reports/mutation/events/<package>/ while a run went on, so a run stopped
// before its end (see docs/mutation.md, core) still gives per-file counts, the score of what was
// tested, and the surviving mutants with their source text.
import { readdirSync, readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const name = args.find((a) => !a.startsWith('--')) ?? 'core';
const dir = `reports/mutation/events/${name}`;
const survivorsAt = args.indexOf('--survivors');
const filter = survivorsAt === -1 ? undefined : (args[survivorsAt + 1] ?? '');
const short = (file) => file.replace(new RegExp(`.*packages/${name}/src/`), '');

const planFile = readdirSync(dir).find((f) => f.endsWith('onMutationTestingPlanReady.json'));
const plan = JSON.parse(readFileSync(`${dir}/${planFile}`, 'utf8'));
const results = new Map();
const planned = new Map();
for (const { plan: kind, mutant } of plan.mutantPlans) {
  planned.set(short(mutant.fileName), (planned.get(short(mutant.fileName)) ?? 0) + 1);
  if (kind === 'EarlyResult') results.set(mutant.id, mutant);
}
for (const file of readdirSync(dir).filter((f) => f.endsWith('onMutantTested.json'))) {
  const mutant = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8'));
  results.set(mutant.id, mutant);
}

const STATUSES = ['Killed', 'Timeout', 'Survived', 'NoCoverage', 'Ignored'];
const rows = new Map();
for (const m of results.values()) {
  const row = rows.get(short(m.fileName)) ?? Object.fromEntries(STATUSES.map((s) => [s, 0]));
  row[m.status] = (row[m.status] ?? 0) + 1;
  rows.set(short(m.fileName), row);
}
const score = (r) => {
  const detected = r.Killed + r.Timeout;
  const valid = detected + r.Survived + r.NoCoverage;
  return valid === 0 ? '-' : `${((100 * detected) / valid).toFixed(2)}% (${detected} / ${valid})`;
};

if (filter === undefined) {
  const total = Object.fromEntries(STATUSES.map((s) => [s, 0]));
  for (const [file, count] of [...planned].sort()) {
    const r = rows.get(file) ?? Object.fromEntries(STATUSES.map((s) => [s, 0]));
    const done = STATUSES.reduce((n, s) => n + r[s], 0);
    for (const s of STATUSES) total[s] += r[s];
    console.log(
      `${file.padEnd(32)} ${String(done).padStart(4)}/${String(count).padEnd(4)} ${done === count ? 'complete' : 'partial '} killed ${r.Killed}, timeout ${r.Timeout}, survived ${r.Survived}, no coverage ${r.NoCoverage}, static ${r.Ignored}  ${score(r)}`,
    );
  }
  console.log(
    `all: ${STATUSES.map((s) => `${s} ${total[s]}`).join(', ')} of ${[...planned.values()].reduce((a, b) => a + b, 0)}; score ${score(total)}`,
  );
} else {
  const lines = new Map();
  const survivors = [...results.values()]
    .filter(
      (m) => (m.status === 'Survived' || m.status === 'NoCoverage') && short(m.fileName).includes(filter),
    )
    .sort((a, b) => a.fileName.localeCompare(b.fileName) || a.location.start.line - b.location.start.line);
  for (const m of survivors) {
    if (!lines.has(m.fileName)) lines.set(m.fileName, readFileSync(m.fileName, 'utf8').split('\n'));
    const { start, end } = m.location;
    const text = lines.get(m.fileName)[start.line - 1] ?? '';
    const original =
      start.line === end.line
        ? text.slice(start.column - 1, end.column - 1)
        : `${text.slice(start.column - 1)} …`;
    console.log(
      `${short(m.fileName)}:${start.line}:${start.column} ${m.status === 'NoCoverage' ? '(no coverage) ' : ''}${m.mutatorName}: ${JSON.stringify(original.slice(0, 90))} -> ${JSON.stringify((m.replacement ?? '').slice(0, 90))}`,
    );
  }
}
