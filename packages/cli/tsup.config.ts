import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};

// The @coco/* packages are bundled (from their TypeScript sources) so that `coco` starts by
// reading one small file tree instead of resolving five packages; commands are split into chunks
// loaded only when they run. The library entry shares those chunks. `@coco/cli/examples` is the
// bundled examples alone (pure data, browser-safe), for pages such as apps/inspector.
export default defineConfig({
  entry: ['src/index.ts', 'src/bin.ts', 'src/worker.ts', 'src/fleet-worker.ts', 'src/examples/index.ts'],
  format: ['esm'],
  dts: { entry: ['src/index.ts', 'src/examples/index.ts'] },
  clean: true,
  target: 'node20',
  platform: 'node',
  splitting: true,
  treeshake: true,
  noExternal: [/^@coco\//],
  define: { COCO_CLI_VERSION: JSON.stringify(version) },
  esbuildOptions(options) {
    options.conditions = ['@coco/source'];
  },
});
