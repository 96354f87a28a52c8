#!/usr/bin/env node
// `pnpm mutation [package...]`: runs Stryker (stryker.config.mjs) once per package, mutating that
// package's sources against its own tests, then prints the mutation score of each package and
// exits 1 when one is under the break threshold (80%). Results are kept in reports/mutation/
// (JSON and HTML per package) and reused incrementally; `--force` re-tests every mutant;
// `--ignore-static` leaves static mutants untested (Stryker's `ignoreStatic`, see docs/mutation.md);
// `--mutate=GLOB,GLOB` mutates only those files.
// Each result is also written to reports/mutation/events/<package>/ as it comes
// (tools/mutation/events.mjs reads it, even from a run stopped before its end).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import config, { packages as all } from '../../stryker.config.mjs';

const args = process.argv.slice(2).filter((a) => a !== '--');
const force = args.includes('--force');
const ignoreStatic = args.includes('--ignore-static');
// `--mutate=GLOB,GLOB`: only these of the package's files (Stryker's `--mutate`), to run a package
// in parts (docs/mutation.md, core's run 5).
const mutate = args.find((a) => a.startsWith('--mutate='))?.slice('--mutate='.length);
const asked = args.filter((a) => !a.startsWith('--'));
const unknown = asked.filter((p) => !all.includes(p));
if (unknown.length > 0) {
  console.error(`unknown package(s): ${unknown.join(', ')}; choose from ${all.join(', ')}`);
  process.exit(2);
}
const packages = asked.length > 0 ? asked : all;
const threshold = config.thresholds.break;

// Stryker's mutation score: detected (killed, timed out) over valid mutants (detected, survived,
// not covered). Compile and runtime errors and ignored mutants do not count.
function score(report) {
  const counts = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0 };
  for (const file of Object.values(report.files)) {
    for (const mutant of file.mutants) {
      if (mutant.status in counts) counts[mutant.status] += 1;
    }
  }
  const detected = counts.Killed + counts.Timeout;
  const valid = detected + counts.Survived + counts.NoCoverage;
  return { ...counts, valid, score: valid === 0 ? 100 : (100 * detected) / valid };
}

const rows = [];
for (const name of packages) {
  const started = Date.now();
  console.log(`\n== @coco/${name} ==`);
  const report = `reports/mutation/${name}.json`;
  rmSync(report, { force: true });
  const flags = [
    ...(force ? ['--force'] : []),
    ...(ignoreStatic ? ['--ignoreStatic'] : []),
    ...(mutate ? ['--mutate', mutate] : []),
  ];
  const run = spawnSync('pnpm', ['exec', 'stryker', 'run', ...flags], {
    stdio: 'inherit',
    env: { ...process.env, COCO_MUTATION_PACKAGE: name },
  });
  const seconds = Math.round((Date.now() - started) / 1000);
  let result;
  try {
    result = score(JSON.parse(readFileSync(report, 'utf8')));
  } catch {
    result = undefined;
  }
  // Stryker exits 1 both when it fails and when the score is under `break`: tell them apart.
  rows.push({
    name,
    result,
    seconds,
    crashed: result === undefined || (run.status !== 0 && result.score >= threshold),
  });
}

console.log('\nMutation score per package (break below %d%%):', threshold);
let failed = false;
for (const { name, result, seconds, crashed } of rows) {
  if (crashed || result === undefined) {
    failed = true;
    console.log(`  @coco/${name.padEnd(9)} stryker failed (${seconds}s)`);
    continue;
  }
  const ok = result.score >= threshold;
  failed ||= !ok;
  console.log(
    `  @coco/${name.padEnd(9)} ${result.score.toFixed(2).padStart(6)}%  killed ${result.Killed}, timeout ${result.Timeout}, survived ${result.Survived}, no coverage ${result.NoCoverage}  (${seconds}s)${ok ? '' : '  UNDER THRESHOLD'}`,
  );
}
process.exit(failed ? 1 : 0);
