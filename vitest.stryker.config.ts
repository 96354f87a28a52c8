import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import base from './vitest.config';

// Stryker runs the tests in a sandbox copy of the repository. The workspace links in each
// package's node_modules point back to the original sources, so mutants in @coco/core would be
// invisible to the backends' tests; these aliases send every @coco/* import to the sandbox's own
// (mutated) sources instead. Only the packages under mutation are tested here, not the CLI, the
// tools or the examples (their end-to-end tests spawn built files, which are never mutated).
const root = fileURLToPath(new URL('.', import.meta.url));
const mutated = ['core', 'x86', 'tdx', 'amd-cbit', 'amd-vtom', 'hyperv'];
// With COCO_MUTATION_PACKAGE set (see stryker.config.mjs), only that package's tests run.
// biome-ignore lint/suspicious/noUndeclaredEnvVars: set by tools/mutation/run.mjs, never by a turbo task
const only = process.env.COCO_MUTATION_PACKAGE;

export default defineConfig({
  ...base,
  resolve: {
    ...base.resolve,
    alias: [
      { find: /^@coco\/core\/testing$/, replacement: `${root}packages/core/src/testing/index.ts` },
      ...mutated.map((name) => ({
        find: new RegExp(`^@coco/${name}$`),
        replacement: `${root}packages/${name}/src/index.ts`,
      })),
    ],
  },
  test: {
    ...base.test,
    include: (only ? [only] : mutated).map((name) => `packages/${name}/test/**/*.test.ts`),
  },
});
