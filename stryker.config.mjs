// Mutation testing of @coco/core, @coco/x86 and the backends (see docs/mutation.md).
// `pnpm mutation` (tools/mutation/run.mjs) runs Stryker once per package with
// COCO_MUTATION_PACKAGE set: that package's sources are mutated and only that package's own tests
// run (vitest.stryker.config.ts), which keeps the many static mutants (module-level tables and
// constants, which need every test) affordable on two cores. It prints the score per package.
import workspace from './tools/packaging/workspace.cjs';

// Every published package but the CLI, discovered from the manifests (as directory names).
export const packages = workspace
  .discoverPackages()
  .filter((p) => p.role !== 'app')
  .map((p) => p.dirName);
// biome-ignore lint/suspicious/noUndeclaredEnvVars: set by tools/mutation/run.mjs, never by a turbo task
const only = process.env.COCO_MUTATION_PACKAGE;
if (only !== undefined && !packages.includes(only)) {
  throw new Error(`COCO_MUTATION_PACKAGE=${only}: not one of ${packages.join(', ')}`);
}
const name = only ?? 'all';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'pnpm',
  testRunner: 'vitest',
  // pnpm keeps Stryker's own node_modules apart, so its plugin search finds nothing: name it.
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.stryker.config.ts', related: false },
  mutate: [`packages/${only ?? `{${packages.join(',')}}`}/src/**/*.ts`, '!**/*.d.ts'],
  ignorePatterns: ['packages/cli', 'examples', 'docs', 'reports'],
  coverageAnalysis: 'perTest',
  // Two cores: one vitest worker per core.
  concurrency: 2,
  timeoutMS: 10_000,
  incremental: true,
  incrementalFile: `reports/mutation/${name}.incremental.json`,
  // event-recorder: one file per tested mutant as it comes (tools/mutation/events.mjs reads them).
  reporters: ['clear-text', 'progress-append-only', 'json', 'html', 'event-recorder'],
  eventReporter: { baseDir: `reports/mutation/events/${name}` },
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  clearTextReporter: { allowColor: false, reportMutants: false, reportTests: false },
  thresholds: { high: 80, low: 60, break: 80 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
