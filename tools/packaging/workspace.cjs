// Package discovery: the one place the repository tooling learns which packages exist and what each
// one is. Nothing here names a backend: the packaging checks, the size budgets, the install proofs,
// the release dry run and rehearsal, the API docs and the mutation runs all read packages/*/package.json
// through this module, so a new backend is picked up by adding its package (and registering it in the
// CLI), not by editing lists. CommonJS so that .size-limit.cjs can require it; the ESM tools import it.
//
// What a package is, read from its manifest:
//   - core: the package the plugin world is built around (CORE, by name: every plugin peer-depends on
//     it, so it is the one name the tooling has to know);
//   - shared: a library other plugins depend on (`dependencies`) and that peer-depends on core itself,
//     such as the x86 evidence package; measured on its own, never a plugin;
//   - plugin: peer-depends on core and is not shared (backends and hypervisor plugins);
//   - app: has a `bin` (the CLI), which bundles what it depends on;
//   - other: anything else that is published.
// Private packages (`"private": true`) are never discovered: they are not published.
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const repoRoot = resolve(__dirname, '..', '..');
const CORE = '@coco/core';

/** The names of the @coco packages a manifest lists in `field`. */
const cocoDeps = (json, field) => Object.keys(json[field] ?? {}).filter((n) => n.startsWith('@coco/'));

/**
 * Every published package under `root/packages`, sorted by directory: `{ name, version, dir, dirName,
 * json, role }` (see the header for the roles).
 */
function discoverPackages(root = repoRoot) {
  const base = join(root, 'packages');
  const all = readdirSync(base)
    .sort()
    .map((d) => ({ dirName: d, dir: join(base, d), file: join(base, d, 'package.json') }))
    .filter((p) => existsSync(p.file))
    .map((p) => ({ ...p, json: JSON.parse(readFileSync(p.file, 'utf8')) }))
    .filter((p) => !p.json.private);
  const peersOfCore = all.filter((p) => cocoDeps(p.json, 'peerDependencies').includes(CORE));
  const shared = new Set(
    peersOfCore.flatMap((p) => cocoDeps(p.json, 'dependencies')).filter((n) => n !== CORE),
  );
  return all.map(({ dirName, dir, json }) => {
    let role = 'other';
    if (json.name === CORE) role = 'core';
    else if (json.bin) role = 'app';
    else if (shared.has(json.name)) role = 'shared';
    else if (peersOfCore.some((p) => p.json.name === json.name)) role = 'plugin';
    return { name: json.name, version: json.version, dir, dirName, json, role };
  });
}

/**
 * The public entry points of a package that a bundler or TypeDoc would start from: every `exports`
 * subpath with an `import` target in dist (not `./package.json`, not a file pattern such as
 * `./schemas/*`). `{ subpath, dist, source }`, where `source` is the `@coco/source` condition.
 */
function entryPoints(pkg) {
  const exports = pkg.json.exports ?? {};
  const out = [];
  for (const [subpath, target] of Object.entries(exports)) {
    if (subpath.includes('*') || typeof target !== 'object' || target === null) continue;
    const dist = target.import ?? target.default;
    if (typeof dist !== 'string') continue;
    out.push({
      subpath,
      dist: dist.replace(/^\.\//, ''),
      source: target['@coco/source']?.replace(/^\.\//, ''),
    });
  }
  return out;
}

/**
 * The @coco packages a user's bundle already holds when it imports `pkg`: its peers (core) and the
 * shared libraries it depends on. The size budgets measure a package without them.
 */
function sharedWith(pkg) {
  return [...cocoDeps(pkg.json, 'peerDependencies'), ...cocoDeps(pkg.json, 'dependencies')].sort();
}

module.exports = { CORE, cocoDeps, discoverPackages, entryPoints, repoRoot, sharedWith };
