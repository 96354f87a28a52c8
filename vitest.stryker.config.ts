import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import workspace from './tools/packaging/workspace.cjs';
import base from './vitest.config';

// Stryker runs the tests in a sandbox copy of the repository. The workspace links in each
// package's node_modules point back to the original sources, so mutants in @coco/core would be
// invisible to the backends' tests; these aliases send every @coco/* import to the sandbox's own
// (mutated) sources instead. Only the packages under mutation are tested here, not the CLI, the
// tools or the examples (their end-to-end tests spawn built files, which are never mutated).
const root = fileURLToPath(new URL('.', import.meta.url));
// The packages under mutation, discovered (tools/packaging/workspace.cjs): every published package but
// the CLI (role `app`), as directory names; stryker.config.mjs and tools/mutation/run.mjs use the same.
type Discovered = { name: string; dirName: string; role: string };
type Entry = { subpath: string; source?: string };
const packages = (workspace.discoverPackages() as Discovered[]).filter((p) => p.role !== 'app');
const mutated = packages.map((p) => p.dirName);
// Each public entry point (`@coco/core`, `@coco/core/testing`, ...) to its source in the sandbox.
const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const aliases = packages.flatMap((p) =>
  (workspace.entryPoints(p) as Entry[])
    .filter((e) => e.source)
    .map((e) => ({
      find: new RegExp(`^${literal(p.name + e.subpath.slice(1))}$`),
      replacement: `${root}packages/${p.dirName}/${e.source}`,
    })),
);
// With COCO_MUTATION_PACKAGE set (see stryker.config.mjs), only that package's tests run.
// biome-ignore lint/suspicious/noUndeclaredEnvVars: set by tools/mutation/run.mjs, never by a turbo task
const only = process.env.COCO_MUTATION_PACKAGE;

export default defineConfig({
  ...base,
  resolve: {
    ...base.resolve,
    alias: [
      // Property tests at a tenth of their runs (tools/mutation/fast-check.ts).
      { find: /^fast-check$/, replacement: `${root}tools/mutation/fast-check.ts` },
      ...aliases,
    ],
  },
  test: {
    ...base.test,
    include: (only ? [only] : mutated).map((name) => `packages/${name}/test/**/*.test.ts`),
  },
});
