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
// Raised again in round 2 ("verdicts users can trust"), measured after the change:
// - core 13 -> 16.5 kB (16.15 kB) and its detection path 7.5 -> 10 kB (9.87 kB): the kernel-log
//   normaliser reads about 30 dmesg, journalctl and syslog formats, journal JSON records, ticket
//   quoting and joined lines (about 1.5 kB, and parseSnapshot needs it); the three-valued verdict
//   with each plugin's reason, the checks a claim passes before it counts, and the hook that runs
//   systemd's --cvm procedure (about 0.8 kB); the duplicate-key scanner and the not-read notes of
//   snapshots; the boot-log shape (banner, elisions) that lets a whole log prove a type absent.
// - tdx 3 -> 3.6 kB (3.32, with the CPU-vendor and leaf-0x21 contradictions), amd-vtom 2.5 -> 2.8 kB (2.71), hyperv 3 -> 3.6 kB (3.51): each says why
//   the evidence rules its type out or cannot tell; hyperv reports the contradictions the kernel's
//   boot path would not accept (isolation type against the CPU vendor, "not isolated" flags against
//   the isolation config line, an SNP/TDX guest its backend rules out).
// - core 16.5 -> 19 kB (17.89 kB) and its detection path 10 -> 12.5 kB (11.35 kB), later in the same
//   round ("robust under hostile plugins"; "fits where users work"): read-only evidence views,
//   own-property reads wherever core reads an object it did not build, a claim checked in full before
//   it counts (about 0.9 kB); machine readers, structured conflicts and step facts, the TEE name
//   (about 0.3 kB); declared log patterns and private snapshots. Headroom for the fleet and streaming
//   parsers of the same round.
// - amd-vtom 2.8 -> 3 kB (2.91 kB): it warns when a vTOM status comes from outside an isolated
//   Hyper-V guest, which the kernel refuses to boot (snp_check_features).
// - @coco/x86 (new, 4 -> 5 kB; 4.01 kB): its declared log patterns, and the hypervisor names of
//   systemd-detect-virt that the machine reader adds.
// - @coco/x86 (new, 4 kB, 3.82 kB): the one SEV status decoder, the memory-encryption and SEV status
//   line decoders for every kernel wording with pr_cont splits joined, CPUID readers, and systemd's
//   x86 --cvm procedure. The x86 plugins share it, so they are measured without it.

const PEER = ['@coco/core'];
// The x86 plugins share one copy of @coco/x86 (their evidence library), measured on its own.
const X86_PEER = ['@coco/core', '@coco/x86'];

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
  entry('core', '19 kB', []),
  entry('core', '12.5 kB', [], '{ createRegistry, parseSnapshot, detect }', ' (detection path)'),
  entry('core', '3.5 kB', [], '{ createMarking }', ' (marking only)'),
  entry('x86', '5 kB', PEER),
  entry('tdx', '3.6 kB', X86_PEER),
  entry('amd-cbit', '6.5 kB', X86_PEER),
  entry('amd-vtom', '3 kB', X86_PEER),
  entry('hyperv', '3.6 kB', X86_PEER),
];
