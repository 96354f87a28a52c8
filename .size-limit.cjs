// Bundle budgets from the design (docs/releasing.md, "Package quality"): each check bundles what a user
// gets by importing everything from the package's public entry (`import * as x from '@coco/...'`),
// minifies it with esbuild and measures it gzipped. Plugins are measured without @coco/core, which
// they peer-depend on (the user's bundle holds one core for all of them).
// A raised budget needs its reason here and in the release note; never raise one silently.

const PEER = ['@coco/core'];

/** @param {string} dir @param {string} limit @param {string[]} ignore */
const entry = (dir, limit, ignore) => ({
  name: `@coco/${dir}`,
  path: `packages/${dir}/dist/index.js`,
  import: '*',
  limit,
  gzip: true,
  ignore,
});

module.exports = [
  entry('core', '6 kB', []),
  entry('tdx', '2.5 kB', PEER),
  entry('amd-cbit', '2.5 kB', PEER),
  entry('amd-vtom', '2.5 kB', PEER),
  entry('hyperv', '3 kB', PEER),
];
