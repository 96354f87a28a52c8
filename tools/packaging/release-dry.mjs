#!/usr/bin/env node
// The release path without publishing (build first: the tarballs hold `dist`):
//   1. copies the workspace (no node_modules, no .git) to a throwaway directory;
//   2. runs `changeset version` there, with the pending changesets;
//   3. packs every published package with `pnpm pack`, as `changeset publish` would;
//   4. inspects each packed package.json and file list:
//      - no `workspace:` range is left, and every @coco range is a real range that the sibling's
//        new version satisfies (peers as `^X.Y.Z`);
//      - the version is the one `changeset version` wrote, and the changelog has its section;
//      - the files the manifest points at are in the tarball (exports, bin), with the README;
//      - description, license, keywords, repository (with this package's directory), engines;
//      - policy: @coco/core's CORE_MAJOR (the default-registry key) equals its major, and a new
//        core major makes every package that depends on core take a major too.
// The real tree is never touched. Prints one line per finding; exits 1 on any failure.
// Options: --keep DIR  keeps the versioned tarballs in DIR (e.g. for prove-installs --tarballs DIR);
//          --bump NAME=KIND[,NAME=KIND]  adds a changeset to the copy only (what would a core major do?).
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { packedManifest, packPackages, repoRoot, tarballFiles, workspacePackages } from './pack.mjs';
import { bumpKind, parseVersion, satisfies } from './semver.mjs';

const SKIP = new Set(['node_modules', '.git', '.turbo', '.vitest', '.tmp', 'coverage']);
const DEP_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'];
const PUBLISHED_DEP_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies'];

const keepArg = process.argv.indexOf('--keep');
const keep = keepArg > 0 ? resolve(process.argv[keepArg + 1] ?? '') : null;
const bumpArg = process.argv.indexOf('--bump');
const extraBumps = bumpArg > 0 ? (process.argv[bumpArg + 1] ?? '').split(',').filter(Boolean) : [];

let failures = 0;
let warnings = 0;
const ok = (line) => console.log(`ok   ${line}`);
const fail = (line) => {
  failures += 1;
  console.log(`FAIL ${line}`);
};
const warn = (line) => {
  warnings += 1;
  console.log(`warn ${line}`);
};

/** Every workspace package directory of a copy (packages/*, tools/*, examples/*) with its manifest. */
function allProjects(root) {
  const out = [];
  for (const group of ['packages', 'tools', 'examples']) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const d of readdirSync(base)) {
      const file = join(base, d, 'package.json');
      if (existsSync(file)) out.push({ dir: join(base, d), json: JSON.parse(readFileSync(file, 'utf8')) });
    }
  }
  return out;
}

/** Links each project's @coco dependencies to their copies, as `pnpm install` would. */
function linkWorkspace(root) {
  const projects = allProjects(root);
  const byName = new Map(projects.map((p) => [p.json.name, p.dir]));
  for (const p of projects) {
    for (const field of DEP_FIELDS) {
      for (const [dep, range] of Object.entries(p.json[field] ?? {})) {
        if (!String(range).startsWith('workspace:')) continue;
        const target = byName.get(dep);
        if (!target)
          throw new Error(`${p.json.name}: ${dep} is ${range} but no workspace package has that name`);
        const link = join(p.dir, 'node_modules', dep);
        if (existsSync(link)) continue;
        mkdirSync(join(link, '..'), { recursive: true });
        symlinkSync(relative(join(link, '..'), target), link, 'dir');
      }
    }
  }
}

/** Every string leaf of an exports map, e.g. `./dist/index.js`. */
function exportTargets(exports) {
  if (typeof exports === 'string') return [exports];
  if (exports === null || typeof exports !== 'object') return [];
  return Object.values(exports).flatMap(exportTargets);
}

const scratch = mkdtempSync(join(tmpdir(), 'coco-release-dry-'));
try {
  const copy = join(scratch, 'repo');
  const before = new Map(workspacePackages().map((p) => [p.name, p.version]));
  cpSync(repoRoot, copy, { recursive: true, filter: (src) => !SKIP.has(basename(src)) });
  if (extraBumps.length > 0) {
    const lines = extraBumps.map((b) => {
      const [pkgName, kind] = b.split('=');
      if (!before.has(pkgName) || !['major', 'minor', 'patch'].includes(kind)) {
        throw new Error(`--bump ${b}: expected NAME=major|minor|patch with a published package name`);
      }
      return `${JSON.stringify(pkgName)}: ${kind}`;
    });
    writeFileSync(
      join(copy, '.changeset', 'release-dry-extra.md'),
      `---\n${lines.join('\n')}\n---\n\nDry run.\n`,
    );
  }
  const pending = readdirSync(join(copy, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md');
  console.log(`release dry run in ${copy}: ${pending.length} pending changeset(s)`);

  execFileSync(join(repoRoot, 'node_modules', '.bin', 'changeset'), ['version'], {
    cwd: copy,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const after = workspacePackages(copy);
  for (const p of after) {
    const kind = bumpKind(before.get(p.name), p.version);
    console.log(
      `     ${p.name} ${before.get(p.name)} -> ${p.version}${kind === 'none' ? ' (unchanged)' : ` (${kind})`}`,
    );
  }
  const versions = new Map(after.map((p) => [p.name, p.version]));

  linkWorkspace(copy);
  const out = keep ?? join(scratch, 'tarballs');
  const tarballs = packPackages(out, undefined, { root: copy });

  for (const pkg of after) {
    const tarball = tarballs.get(pkg.name);
    const manifest = packedManifest(tarball);
    const files = new Set(tarballFiles(tarball));
    const name = pkg.name;
    const dirName = relative(copy, pkg.dir);

    const text = JSON.stringify(manifest);
    if (text.includes('workspace:')) fail(`${name}: the packed package.json still holds a workspace: range`);
    else ok(`${name}: no workspace: range in the packed package.json`);

    if (!parseVersion(manifest.version)) fail(`${name}: version ${manifest.version} is not semver`);
    else if (manifest.version !== pkg.version)
      fail(`${name}: packed ${manifest.version}, versioned ${pkg.version}`);
    else ok(`${name}: version ${manifest.version}`);

    for (const field of PUBLISHED_DEP_FIELDS) {
      for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
        if (!dep.startsWith('@coco/')) continue;
        const sibling = versions.get(dep);
        const verdict = sibling ? satisfies(sibling, range) : { ok: false, reason: 'no such package' };
        const caret = field !== 'peerDependencies' || range.startsWith('^');
        if (!verdict.ok)
          fail(`${name}: ${field} ${dep} ${range} does not admit ${dep}@${sibling} (${verdict.reason})`);
        else if (!caret) fail(`${name}: peer ${dep} ${range} should be a caret range (workspace:^)`);
        else ok(`${name}: ${field} ${dep} ${range} (admits ${sibling})`);
      }
    }

    const wanted = [
      'package.json',
      'README.md',
      ...exportTargets(manifest.exports),
      ...Object.values(typeof manifest.bin === 'string' ? { b: manifest.bin } : (manifest.bin ?? {})),
      ...['main', 'module', 'types'].filter((k) => manifest[k]).map((k) => manifest[k]),
    ].map((f) => f.replace(/^\.\//, ''));
    // A subpath pattern (`./schemas/*`) needs at least one packed file under its prefix.
    const present = (f) =>
      f.includes('*') ? [...files].some((x) => x.startsWith(f.slice(0, f.indexOf('*')))) : files.has(f);
    const absent = [...new Set(wanted)].filter((f) => !present(f));
    if (absent.length > 0) fail(`${name}: missing from the tarball: ${absent.join(', ')}`);
    else ok(`${name}: ${files.size} files, holds README.md and every exports/bin target`);
    if (!files.has('CHANGELOG.md')) warn(`${name}: CHANGELOG.md is not in the tarball (add it to "files")`);

    const changelog = join(pkg.dir, 'CHANGELOG.md');
    if (!existsSync(changelog)) fail(`${name}: no CHANGELOG.md in ${dirName}`);
    else if (
      bumpKind(before.get(name), pkg.version) !== 'none' &&
      !readFileSync(changelog, 'utf8').includes(`## ${pkg.version}\n`)
    ) {
      fail(`${name}: CHANGELOG.md has no "## ${pkg.version}" section`);
    }

    const meta = [];
    if (typeof manifest.description !== 'string' || manifest.description === '') meta.push('description');
    if (typeof manifest.license !== 'string' || manifest.license === '') meta.push('license');
    if (!Array.isArray(manifest.keywords) || manifest.keywords.length === 0) meta.push('keywords');
    if (manifest.repository?.directory !== dirName || !manifest.repository?.url) meta.push('repository');
    if (!manifest.engines?.node) meta.push('engines.node');
    if (manifest.type !== 'module') meta.push('type: module');
    if (meta.length > 0) fail(`${name}: package.json lacks or has a wrong ${meta.join(', ')}`);
    else ok(`${name}: description, license, keywords, repository, engines, type`);
  }

  // Policy: the default registry is keyed by CORE_MAJOR, which must follow core's own major.
  const core = after.find((p) => p.name === '@coco/core');
  if (core) {
    const major = parseVersion(core.version)?.major;
    const sources = readdirSync(join(core.dir, 'dist'), { recursive: true })
      .filter((f) => String(f).endsWith('.js'))
      .map((f) => readFileSync(join(core.dir, 'dist', String(f)), 'utf8'));
    const found = sources.flatMap((s) =>
      [...s.matchAll(/\bCORE_MAJOR\s*=\s*(\d+)/g)].map((m) => Number(m[1])),
    );
    if (found.length !== 1) fail(`@coco/core: expected one CORE_MAJOR in dist, found ${found.length}`);
    else if (major === 0) ok(`@coco/core: ${core.version} is unreleased; CORE_MAJOR is ${found[0]}`);
    else if (found[0] !== major) {
      fail(
        `@coco/core: CORE_MAJOR is ${found[0]} but the version is ${core.version}; set it in src/registry.ts`,
      );
    } else ok(`@coco/core: CORE_MAJOR ${found[0]} matches ${core.version}`);

    if (bumpKind(before.get('@coco/core'), core.version) === 'major') {
      for (const p of after) {
        const json = JSON.parse(readFileSync(join(p.dir, 'package.json'), 'utf8'));
        const usesCore = PUBLISHED_DEP_FIELDS.some((f) => json[f]?.['@coco/core']);
        if (!usesCore) continue;
        if (bumpKind(before.get(p.name), p.version) !== 'major') {
          fail(`${p.name}: @coco/core takes a major, so must ${p.name} (add a major changeset for it)`);
        } else ok(`${p.name}: takes a major with @coco/core`);
      }
    }
  }
  if (keep) console.log(`     tarballs kept in ${keep}`);
} catch (error) {
  fail(`release dry run stopped: ${error instanceof Error ? error.message : String(error)}`);
  if (error?.stderr) console.log(String(error.stderr));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
console.log(
  failures === 0
    ? `release dry run: passed${warnings ? ` (${warnings} warning(s))` : ''}`
    : `release dry run: ${failures} failed`,
);
process.exit(failures === 0 ? 0 : 1);
