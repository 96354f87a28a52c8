import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources through the `@coco/source` export condition,
// so no package has to be built first; end-to-end tests spawn the built `dist` themselves.
export default defineConfig({
  resolve: { conditions: ['@coco/source'] },
  ssr: { resolve: { conditions: ['@coco/source'] } },
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'tools/**/test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
    ],
    testTimeout: 30_000,
    pool: 'threads',
  },
});
