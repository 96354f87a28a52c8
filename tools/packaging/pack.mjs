// Packs workspace packages into tarballs the way they would be published (`pnpm pack` turns
// `workspace:` ranges into real ones). Build first: the tarballs hold `dist`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Every publishable package: `{ name, dir, version }`, from packages/*. */
export function workspacePackages() {
  const base = join(repoRoot, 'packages');
  return readdirSync(base)
    .map((d) => join(base, d))
    .map((dir) => ({ dir, json: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ json }) => !json.private)
    .map(({ dir, json }) => ({ name: json.name, version: json.version, dir }));
}

/**
 * Packs the named packages (all when `names` is omitted) into `destination`; returns a map from
 * package name to tarball path.
 */
export function packPackages(destination, names) {
  mkdirSync(destination, { recursive: true });
  const wanted = names ? new Set(names) : null;
  const tarballs = new Map();
  for (const pkg of workspacePackages()) {
    if (wanted && !wanted.has(pkg.name)) continue;
    const out = execFileSync('pnpm', ['pack', '--pack-destination', destination], {
      cwd: pkg.dir,
      encoding: 'utf8',
    });
    const file = out.trim().split('\n').pop().trim();
    tarballs.set(pkg.name, resolve(pkg.dir, file));
  }
  if (wanted)
    for (const n of wanted) if (!tarballs.has(n)) throw new Error(`no workspace package named ${n}`);
  return tarballs;
}
