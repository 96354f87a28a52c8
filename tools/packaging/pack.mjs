// Packs workspace packages into tarballs the way they would be published (`pnpm pack` turns
// `workspace:` ranges into real ones). Build first: the tarballs hold `dist`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Every publishable package: `{ name, dir, version }`, from packages/*. `root` defaults to this
 * repository; the release dry run passes its throwaway copy.
 */
export function workspacePackages(root = repoRoot) {
  const base = join(root, 'packages');
  return readdirSync(base)
    .sort()
    .map((d) => join(base, d))
    .map((dir) => ({ dir, json: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ json }) => !json.private)
    .map(({ dir, json }) => ({ name: json.name, version: json.version, dir }));
}

/**
 * Packs the named packages (all when `names` is omitted) into `destination`; returns a map from
 * package name to tarball path. `options.root` packs another copy of the workspace.
 */
export function packPackages(destination, names, options = {}) {
  mkdirSync(destination, { recursive: true });
  const wanted = names ? new Set(names) : null;
  const tarballs = new Map();
  for (const pkg of workspacePackages(options.root)) {
    if (wanted && !wanted.has(pkg.name)) continue;
    const out = execFileSync('pnpm', ['pack', '--pack-destination', destination], {
      cwd: pkg.dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const file = out.trim().split('\n').pop().trim();
    tarballs.set(pkg.name, resolve(pkg.dir, file));
  }
  if (wanted)
    for (const n of wanted) if (!tarballs.has(n)) throw new Error(`no workspace package named ${n}`);
  return tarballs;
}

/** The paths inside a packed tarball, relative to its `package/` folder. */
export function tarballFiles(tarball) {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.startsWith('package/') && !l.endsWith('/'))
    .map((l) => l.slice('package/'.length))
    .sort();
}

/** The `package.json` a tarball would publish, parsed. */
export function packedManifest(tarball) {
  return JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
}

/** Extracts a tarball's `package/` folder into `destination` (created). */
export function unpackTarball(tarball, destination) {
  mkdirSync(destination, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', destination, '--strip-components=1']);
  return destination;
}

/**
 * Every @coco/* package installed under `dir/node_modules`, at any depth, sorted by name:
 * `{ name, version, path }`. The install proofs and the release rehearsal check with it that a user
 * gets exactly the packages they asked for and one copy of core.
 */
export function installedCocoPackages(dir) {
  const found = [];
  const walk = (modules) => {
    if (!existsSync(modules)) return;
    for (const entry of readdirSync(modules)) {
      const dirs = entry.startsWith('@')
        ? readdirSync(join(modules, entry)).map((e) => join(modules, entry, e))
        : [join(modules, entry)];
      for (const d of dirs) {
        const manifest = join(d, 'package.json');
        if (!existsSync(manifest)) continue;
        const json = JSON.parse(readFileSync(manifest, 'utf8'));
        if (String(json.name).startsWith('@coco/'))
          found.push({ name: json.name, version: json.version, path: d });
        walk(join(d, 'node_modules'));
      }
    }
  };
  walk(join(dir, 'node_modules'));
  return found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
