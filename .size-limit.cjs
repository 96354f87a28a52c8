// Bundle budgets (docs/releasing.md, "Package quality"). Each whole-package check bundles what a
// user gets by importing everything from the public entry (`import * as x from '@coco/...'`),
// minifies it with esbuild and measures it gzipped. Plugins are measured without @coco/core, which
// they peer-depend on (the user's bundle holds one core for all of them). The "typical" checks
// import only what a common use needs, as a tree-shaking bundler would ship it.
//
// A raised budget states its reason here and in the release note; never raise one silently.
// The design's budgets were core 6 kB, each backend 2.5 kB, hyperv 3 kB. Raised, with reasons:
// - core 6 -> 13 kB: the public entry holds four strict parsers whose errors name the file, line or
//   JSON path and the fix (about 4.8 kB), bulk marking kernels unrolled for memory speed and segmented
//   for tables over 2 GiB (about 1.5 kB), the streaming run classifier (about 1.1 kB), and a registry
//   that contains hostile plugins. The detection path a tool ships (registry + snapshot parser) and
//   the marking-only path have their own tighter budgets below.
// - tdx 2.5 -> 3 kB: a reasoning-trail step for every fact used or rejected, the leaf-0 validity and
//   conflict handling, and three generations of log wording.
// - amd-cbit 2.5 -> 6.5 kB: four sub-types (SME host, SEV, SEV-ES, SEV-SNP) with their attribute
//   rules, the SEV status decoder (19 kernel names plus the 2024 pre-merge spellings), three
//   generations of "Memory Encryption Features" wording, bare-metal SME detection, and three
//   conversion protocols (SNP page state change with PVALIDATE order, KVM MAP_GPA_RANGE, none).

const PEER = ['@coco/core'];

/** @param {string} dir @param {string} limit @param {string[]} ignore @param {string} [imports] @param {string} [label] */
const entry = (dir, limit, ignore, imports = '*', label = '') => ({
  name: `@coco/${dir}${label}`,
  path: `packages/${dir}/dist/index.js`,
  import: imports,
  limit,
  gzip: true,
  ignore,
});

module.exports = [
  entry('core', '13 kB', []),
  entry('core', '7.5 kB', [], '{ createRegistry, parseSnapshot, detect }', ' (detection path)'),
  entry('core', '3.5 kB', [], '{ createMarking }', ' (marking only)'),
  entry('tdx', '3 kB', PEER),
  entry('amd-cbit', '6.5 kB', PEER),
  entry('amd-vtom', '2.5 kB', PEER),
  entry('hyperv', '3 kB', PEER),
];
