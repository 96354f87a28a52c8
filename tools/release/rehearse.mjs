#!/usr/bin/env node
// Release rehearsal: four releases in a row against a real npm registry on this machine, installed
// the way users install them. Needs no build of the working tree: everything happens in a copy.
//   0. installs the pinned Verdaccio (tools/release/verdaccio) into a cache outside the repository
//      and starts it on 127.0.0.1 with throwaway storage, no uplinks and one publishing user;
//      copies the repository (no node_modules, .git or build output) to a temp dir, makes it a git
//      repository and installs it (pnpm, from the store).
//   1. release 1: `pnpm version-packages` and `pnpm release` in the copy (build, package checks,
//      `changeset publish`) with the registry set to the local one; every public package is there
//      with its version, `latest` tag, README, LICENSE, CHANGELOG section and real @coco ranges;
//      users install from the registry only: core + one backend, the CLI through npx, core + two
//      backends + the Hyper-V plugin; each detects bundled example machines.
//   2. release 2: a patch of @coco/amd-cbit (a README line): only it is republished; `npm update`
//      takes it and the projects still hold exactly one @coco/core.
//   3. release 3: a minor of @coco/core (a new export): no backend is republished, their peer
//      ranges admit it, `npm update` takes it, detection still works.
//   4. release 4: a major of @coco/core with CORE_MAJOR moved to match and @coco/cli named major
//      (docs/releasing.md): every package that depends on core takes a major, plugins' peer ranges
//      move; projects on the old major keep it; a fresh install pinned to the old major still
//      works; npm refuses to mix a new core with an old plugin; two majors in one process keep
//      separate default registries.
// Prints one line per fact proved; exits 1 on the first surprise. The server and the temp dirs go
// away however it ends (error, Ctrl-C, SIGTERM). Options: --keep leaves the temp dir for inspection.
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import {
  installedCocoPackages,
  packedManifest,
  repoRoot,
  tarballFiles,
  workspacePackages,
} from '../packaging/pack.mjs';
import { bumpKind, parseVersion, satisfies } from '../packaging/semver.mjs';
import { cleanEnv, ensureVerdaccio, killRunning, run, startRegistry } from './registry.mjs';

const keep = process.argv.includes('--keep');
const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;

class Surprise extends Error {}
const check = (condition, message) => {
  if (!condition) throw new Surprise(message);
};
let facts = 0;
const ok = (line) => {
  facts += 1;
  console.log(`ok   ${line}`);
};
const note = (line) => console.log(`     ${line}`);

const SKIP = new Set(['node_modules', '.git', '.turbo', '.vitest', '.tmp', 'coverage', 'dist']);
const PLUGIN_EXPORTS = {
  '@coco/tdx': 'tdxBackend',
  '@coco/amd-cbit': 'amdCbitBackend',
  '@coco/amd-vtom': 'amdVtomBackend',
  '@coco/hyperv': 'hypervPlugin',
};

// ---------------------------------------------------------------------------------------------
// Cleanup, whatever happens.

let registry = null;
let scratch = null;
let cleaning = null;
async function cleanup() {
  cleaning ??= (async () => {
    killRunning();
    if (registry) await registry.stop();
    if (scratch && !keep) rmSync(scratch, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    if (scratch && keep) console.log(`kept ${scratch}`);
  })();
  return cleaning;
}
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
]) {
  process.on(signal, () => {
    console.log(
      `FAIL release rehearsal interrupted by ${signal}; stopping the registry and removing ${scratch}`,
    );
    cleanup().finally(() => process.exit(code));
  });
}

// ---------------------------------------------------------------------------------------------
// Helpers.

/** Runs a command that must succeed; returns its stdout. */
async function must(command, args, options, what = `${command} ${args.join(' ')}`) {
  const r = await run(command, args, options);
  check(
    r.status === 0,
    `${what} failed (exit ${r.status}) in ${options.cwd}:\n${tail(r.stderr || r.stdout)}`,
  );
  return r.stdout;
}
const tail = (text, lines = 40) => String(text).trimEnd().split('\n').slice(-lines).join('\n');

const installedCoco = installedCocoPackages;
const list = (pkgs) => pkgs.map((p) => `${p.name}@${p.version}`).join(', ');

// ---------------------------------------------------------------------------------------------
// The rehearsal.

let exitCode = 0;
const published = []; // [{ step, versions: Map name -> version }]
try {
  scratch = realpathSync(mkdtempSync(join(tmpdir(), 'coco-rehearsal-')));
  check(relative(repoRoot, scratch).startsWith('..'), `temp dir ${scratch} is inside the workspace`);

  // ---- the registry
  const verdaccio = await ensureVerdaccio();
  note(
    `verdaccio ${verdaccio.pinned} ${verdaccio.cached ? 'from the cache' : 'installed (npm ci) into'} ${verdaccio.modules}`,
  );
  const copy = join(scratch, 'repo');
  const gitEnv = {
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'coco release rehearsal',
    GIT_AUTHOR_EMAIL: 'rehearsal@invalid',
    GIT_COMMITTER_NAME: 'coco release rehearsal',
    GIT_COMMITTER_EMAIL: 'rehearsal@invalid',
  };
  // The copy is installed while the registry starts.
  const copied = (async () => {
    cpSync(repoRoot, copy, {
      recursive: true,
      filter: (src) => !SKIP.has(basename(src)) && !src.endsWith('.tgz'),
    });
    const env = cleanEnv(gitEnv);
    await must('git', ['init', '-q', '-b', 'main'], { cwd: copy, env });
    await must('git', ['add', '-A'], { cwd: copy, env });
    await must('git', ['commit', '-q', '-m', 'rehearsal: the working tree'], { cwd: copy, env });
    await must(
      'pnpm',
      ['install', '--frozen-lockfile', '--prefer-offline'],
      { cwd: copy, env },
      'pnpm install in the copy',
    );
  })();
  registry = await startRegistry(verdaccio.modules, join(scratch, 'registry'));
  const url = registry.url;
  ok(
    `registry: verdaccio ${verdaccio.pinned} listening on ${url} (pid ${registry.pid}), storage in the temp dir`,
  );
  await copied;
  ok(`copy: ${copy} (a git repository, installed by pnpm), the working tree untouched`);

  const publisherNpmrc = join(scratch, 'publisher.npmrc');
  writeFileSync(
    publisherNpmrc,
    `registry=${url}\n//127.0.0.1:${registry.port}/:_authToken=${registry.token}\n`,
  );
  const userNpmrc = join(scratch, 'user.npmrc');
  writeFileSync(userNpmrc, `registry=${url}\n`);
  const releaseEnv = cleanEnv({
    ...gitEnv,
    npm_config_userconfig: publisherNpmrc,
    npm_config_registry: url,
    npm_config_cache: join(scratch, 'npm-cache-publisher'),
    TURBO_TELEMETRY_DISABLED: '1',
    DO_NOT_TRACK: '1',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
  });
  const userEnv = cleanEnv({
    npm_config_userconfig: userNpmrc,
    npm_config_registry: url,
    npm_config_cache: join(scratch, 'npm-cache-user'),
    npm_config_prefer_online: 'true',
    NO_COLOR: '1',
  });
  const npm = (args, cwd) => run('npm', args, { cwd, env: userEnv });

  /** `npm view NAME[@VERSION] --json` against the local registry; null on E404. */
  async function view(spec) {
    const r = await npm(['view', spec, '--json', '--registry', url], scratch);
    if (r.status !== 0) {
      check(/E404/.test(r.stderr + r.stdout), `npm view ${spec} failed:\n${tail(r.stderr)}`);
      return null;
    }
    return JSON.parse(r.stdout);
  }

  // ---- no uplinks: nothing is proxied to the public registry
  check((await view('left-pad')) === null, 'left-pad was found: the registry proxies the public one');
  check((await view('@coco/core')) === null, '@coco/core exists before release 1');
  ok('registry: no uplinks (left-pad is a 404) and no @coco package before release 1');
  const whoami = await run('npm', ['whoami', '--registry', url], { cwd: scratch, env: releaseEnv });
  check(whoami.status === 0 && whoami.stdout.trim() === registry.user, `npm whoami: ${whoami.stderr}`);
  ok(`registry: the publisher is the htpasswd user ${registry.user} the rehearsal created`);

  const names = workspacePackages(copy).map((p) => p.name);
  const privateNames = ['tools', 'examples'].flatMap((g) =>
    readdirSync(join(copy, g))
      .map((d) => join(copy, g, d, 'package.json'))
      .filter((f) => existsSync(f))
      .map((f) => JSON.parse(readFileSync(f, 'utf8')).name),
  );

  /**
   * The registry's record of every public package, read from its packument (GET /@coco%2fNAME,
   * what `npm view` reads): name -> { versions, tags }, or null when it is a 404.
   */
  async function registryState() {
    const entries = await Promise.all(
      names.map(async (n) => {
        const response = await fetch(`${url}${n.replace('/', '%2f')}`, {
          headers: { accept: 'application/json' },
        });
        if (response.status === 404) return [n, null];
        check(response.ok, `GET ${n} from the registry: HTTP ${response.status}`);
        const doc = await response.json();
        return [n, { versions: Object.keys(doc.versions ?? {}), tags: doc['dist-tags'] }];
      }),
    );
    return new Map(entries);
  }
  const gitTags = async () =>
    (await must('git', ['tag', '--list'], { cwd: copy, env: releaseEnv })).split('\n').filter(Boolean).sort();

  const tarballDir = join(scratch, 'published');
  /** Downloads NAME@VERSION's published tarball from the registry (`npm pack`); returns its path. */
  async function fetchTarball(name, version) {
    const dest = join(tarballDir, `${name.replace('/', '+')}-${version}`);
    mkdirSync(dest, { recursive: true });
    await npm(['pack', `${name}@${version}`, '--pack-destination', dest, '--registry', url], scratch);
    const file = readdirSync(dest).find((f) => f.endsWith('.tgz'));
    check(file, `npm pack ${name}@${version} from the registry gave no tarball`);
    return join(dest, file);
  }

  /**
   * One release in the copy: the changeset and the edit, `pnpm version-packages`, commit,
   * `pnpm release`. Returns { before, after, versions, newlyPublished, manifests } where manifests
   * holds `npm view NAME@VERSION` for every package newly on the registry.
   */
  async function release(step, { changeset, edit }) {
    const t0 = Date.now();
    const before = await registryState();
    const tagsBefore = await gitTags();
    if (changeset) writeFileSync(join(copy, '.changeset', `rehearsal-${step}.md`), changeset);
    edit?.();
    const env = releaseEnv;
    if (changeset || edit) {
      await must('git', ['add', '-A'], { cwd: copy, env });
      await must('git', ['commit', '-q', '-m', `rehearsal: changes for release ${step}`], { cwd: copy, env });
    }
    await must('pnpm', ['run', 'version-packages'], { cwd: copy, env }, 'pnpm version-packages');
    await must('git', ['add', '-A'], { cwd: copy, env });
    await must('git', ['commit', '-q', '-m', 'Version packages'], { cwd: copy, env });
    const versions = new Map(workspacePackages(copy).map((p) => [p.name, p.version]));
    // The root `release` script, one command at a time (to time them), exactly as `pnpm release`
    // runs it: with the workspace's node_modules/.bin on PATH.
    const script = JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8')).scripts.release;
    const phases = [];
    for (const command of script.split(' && ')) {
      const t = Date.now();
      const r = await run('sh', ['-c', command], {
        cwd: copy,
        env: { ...env, PATH: `${join(copy, 'node_modules', '.bin')}:${env.PATH}` },
        timeout: 600_000,
      });
      check(
        r.status === 0,
        `release ${step}: \`${command}\` failed:\n${tail(`${r.stdout}\n${r.stderr}`, 60)}`,
      );
      phases.push(`${command.split(' ').slice(0, 3).join(' ')} ${((Date.now() - t) / 1000).toFixed(0)} s`);
    }
    note(`release ${step}: pnpm release = ${phases.join(', ')}`);
    const after = await registryState();
    const newlyPublished = new Map();
    for (const n of names) {
      const was = new Set(before.get(n)?.versions ?? []);
      const added = (after.get(n)?.versions ?? []).filter((v) => !was.has(v));
      check(added.length <= 1, `${n}: release ${step} published ${added.join(', ')}`);
      if (added.length === 1) newlyPublished.set(n, added[0]);
    }
    const manifests = new Map();
    for (const [n, v] of newlyPublished) {
      check(v === versions.get(n), `${n}: the registry got ${v}, changeset version wrote ${versions.get(n)}`);
      const m = await view(`${n}@${v}`);
      check(m?.version === v, `npm view ${n}@${v} does not show it`);
      check(after.get(n).tags.latest === v, `${n}: latest is ${after.get(n).tags.latest}, not ${v}`);
      manifests.set(n, m);
    }
    const tagsAfter = await gitTags();
    const newTags = tagsAfter.filter((t) => !tagsBefore.includes(t));
    const wantTags = [...newlyPublished].map(([n, v]) => `${n}@${v}`).sort();
    check(
      JSON.stringify(newTags) === JSON.stringify(wantTags),
      `release ${step}: changeset publish tagged [${newTags}], expected [${wantTags}]`,
    );
    published.push({ step, versions: newlyPublished, seconds: (Date.now() - t0) / 1000 });
    note(
      `release ${step}: published ${[...newlyPublished].map(([n, v]) => `${n}@${v}`).join(', ') || 'nothing'} in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    );
    return { before, after, versions, newlyPublished, manifests };
  }

  /** Checks a newly published version: its ranges against `latest` of its siblings, its tarball. */
  async function checkPublished(name, version, manifest, latest, { changelogHas, readmeHas } = {}) {
    const text = JSON.stringify(manifest);
    check(
      !text.includes('workspace:'),
      `${name}@${version}: the registry's manifest holds a workspace: range`,
    );
    const ranges = [];
    for (const field of ['dependencies', 'peerDependencies']) {
      for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
        if (!dep.startsWith('@coco/')) continue;
        const v = latest.get(dep);
        const verdict = satisfies(v, range);
        check(
          verdict.ok,
          `${name}@${version}: ${field} ${dep} ${range} does not admit ${dep}@${v} (${verdict.reason})`,
        );
        check(
          range === `^${v}` || field === 'dependencies',
          `${name}@${version}: peer ${dep} is ${range}, not ^${v}`,
        );
        ranges.push(`${field === 'peerDependencies' ? 'peer ' : ''}${dep} ${range}`);
      }
    }
    const tgz = await fetchTarball(name, version);
    const files = new Set(tarballFiles(tgz));
    const missing = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'].filter((f) => !files.has(f));
    check(missing.length === 0, `${name}@${version}: the published tarball lacks ${missing.join(', ')}`);
    const packed = packedManifest(tgz);
    check(packed.version === version, `${name}@${version}: the tarball says ${packed.version}`);
    check(
      !JSON.stringify(packed).includes('workspace:'),
      `${name}@${version}: the tarball's package.json holds workspace:`,
    );
    const changelog = await tarText(tgz, 'CHANGELOG.md');
    check(
      changelog.includes(`## ${version}\n`),
      `${name}@${version}: its CHANGELOG.md has no "## ${version}" section`,
    );
    if (changelogHas)
      check(changelog.includes(changelogHas), `${name}@${version}: the changelog lacks "${changelogHas}"`);
    if (readmeHas) {
      const readme = await tarText(tgz, 'README.md');
      check(readme.includes(readmeHas), `${name}@${version}: the published README lacks "${readmeHas}"`);
    }
    return { ranges, tgz };
  }
  const tarText = (tgz, file) =>
    must('tar', ['-xzOf', tgz, `package/${file}`], { cwd: scratch, env: userEnv });

  // ---- user projects
  const projectsDir = join(scratch, 'users');
  /** A fresh npm project outside the workspace with `specs` installed from the local registry. */
  async function project(name, specs) {
    const dir = join(projectsDir, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      `${JSON.stringify({ name: `coco-rehearsal-${name}`, version: '0.0.0', private: true, type: 'module' }, null, 2)}\n`,
    );
    writeFileSync(join(dir, '.npmrc'), `registry=${url}\n`);
    await must(
      'npm',
      ['install', '--no-audit', '--no-fund', ...specs],
      { cwd: dir, env: userEnv },
      `npm install ${specs.join(' ')}`,
    );
    return dir;
  }
  /** `npm ls @coco/core --all --json` agrees and exactly one copy of @coco/core is on disk. */
  async function oneCore(dir) {
    const r = await npm(['ls', '@coco/core', '--all', '--json'], dir);
    check(
      r.status === 0,
      `npm ls @coco/core in ${basename(dir)} exits ${r.status}:\n${tail(r.stdout + r.stderr)}`,
    );
    const versions = new Set();
    const walk = (node) => {
      for (const [n, child] of Object.entries(node.dependencies ?? {})) {
        if (n === '@coco/core') versions.add(child.version);
        walk(child);
      }
    };
    walk(JSON.parse(r.stdout));
    const copies = installedCoco(dir).filter((p) => p.name === '@coco/core');
    check(
      versions.size === 1 && copies.length === 1,
      `${basename(dir)}: @coco/core as [${[...versions]}], ${copies.length} copies on disk`,
    );
    return copies[0].version;
  }
  /** Runs detection in a project: registers its plugins and detects the given snapshots. */
  async function detectIn(dir, plugins, snapshots, coreSpecifier = '@coco/core') {
    const imports = plugins.map((p, i) => `import { ${PLUGIN_EXPORTS[p]} as p${i} } from '${p}';`).join('\n');
    const files = Object.fromEntries(snapshots.map((s) => [s, snapshotFiles.get(s)]));
    writeFileSync(
      join(dir, 'detect.mjs'),
      `import { readFileSync } from 'node:fs';
import * as core from '${coreSpecifier}';
${imports}
core.use(${plugins.map((_, i) => `p${i}`).join(', ')});
const out = { coreMajor: core.CORE_MAJOR, minorExport: 'REHEARSAL_CORE_MINOR' in core, results: {} };
for (const [name, file] of Object.entries(${JSON.stringify(files)})) {
  try {
    out.results[name] = core.detect(core.parseSnapshot(readFileSync(file, 'utf8'))).toJSON();
  } catch (error) {
    out.results[name] = { error: error.code ?? error.message };
  }
}
console.log(JSON.stringify(out));
`,
    );
    const r = await run(process.execPath, ['detect.mjs'], { cwd: dir, env: userEnv });
    check(r.status === 0, `detection in ${basename(dir)} failed:\n${tail(r.stderr)}`);
    const out = JSON.parse(r.stdout);
    for (const s of snapshots) {
      const got = out.results[s];
      const want = cliAnswers.get(s);
      const same = ['format', 'type', 'mask', 'maskBit', 'encryptedWhen', 'cvm', 'attributes'].every(
        (k) => JSON.stringify(got?.[k]) === JSON.stringify(want?.[k]),
      );
      check(
        same,
        `${basename(dir)}: ${s} detected as ${JSON.stringify(got)}, the CLI says ${JSON.stringify(want)}`,
      );
    }
    return out;
  }
  const summary = (s) => {
    const a = cliAnswers.get(s);
    return `${s} -> ${a.type}, mask ${a.mask}`;
  };

  const snapshotFiles = new Map();
  const cliAnswers = new Map();

  // =========================================================================================
  // Release 1
  const r1 = await release(1, {});
  const latest = new Map(names.map((n) => [n, r1.after.get(n)?.tags.latest]));
  for (const n of names) {
    check(r1.newlyPublished.has(n), `${n} was not published by release 1`);
    const v = r1.newlyPublished.get(n);
    check(
      (parseVersion(v)?.major ?? 0) >= 1,
      `${n}@${v}: released below 1.0.0 (docs/releasing.md: packages start at 1.0.0)`,
    );
  }
  for (const n of names) {
    const v = latest.get(n);
    const { ranges } = await checkPublished(n, v, r1.manifests.get(n), latest);
    ok(
      `release 1: ${n}@${v} is latest; tarball has README, LICENSE, CHANGELOG "## ${v}"; ${ranges.length ? ranges.join(', ') : 'no @coco ranges'}`,
    );
  }
  for (const p of privateNames) check((await view(p)) === null, `the private package ${p} was published`);
  ok(
    `release 1: no private package was published (${privateNames.join(', ')} are 404s); git tags ${[...r1.newlyPublished].map(([n, v]) => `${n}@${v}`).join(' ')}`,
  );

  // Users, from the registry only.
  const [cliDir, cbitDir, mixDir] = await Promise.all([
    project('cli', ['@coco/cli']),
    project('core-amd-cbit', ['@coco/core', '@coco/amd-cbit']),
    project('core-vtom-tdx-hyperv', ['@coco/core', '@coco/amd-vtom', '@coco/tdx', '@coco/hyperv']),
  ]);
  const coco = (args, cwd = cliDir) =>
    run('npx', ['--no', '--', '@coco/cli', ...args], { cwd, env: userEnv });
  {
    const installed = installedCoco(cliDir);
    check(installed.length === names.length, `the CLI project holds ${list(installed)}`);
    const version = await coco(['--version']);
    check(
      version.status === 0 && version.stdout.includes(latest.get('@coco/cli')),
      `coco --version: ${version.stdout}${version.stderr}`,
    );
    const d = await coco(['detect', '--example', 'azure-snp-paravisor', '--json']);
    check(
      d.status === 0,
      `npx @coco/cli detect --example azure-snp-paravisor --json exited ${d.status}: ${d.stderr}`,
    );
    const j = JSON.parse(d.stdout);
    check(j.format === 'coco-detection/1' && j.type === 'amd-vtom', `it printed ${d.stdout}`);
    ok(
      `users: npm install @coco/cli brings ${list(installed)}; \`npx @coco/cli --version\` is ${latest.get('@coco/cli')}`,
    );
    ok(
      'users: `npx @coco/cli detect --example azure-snp-paravisor --json` prints coco-detection/1, type amd-vtom',
    );
    // The examples as snapshots, for the library projects; the CLI's answers to compare with.
    mkdirSync(join(scratch, 'snapshots'));
    for (const example of [
      'snp-cbit-51',
      'azure-snp-paravisor',
      'azure-tdx-paravisor',
      'azure-tdx-no-paravisor',
    ]) {
      const s = await coco(['snapshot', '--example', example]);
      check(
        s.status === 0 && JSON.parse(s.stdout).format === 'coco-snapshot/1',
        `coco snapshot --example ${example}: ${s.stderr}`,
      );
      const file = join(scratch, 'snapshots', `${example}.json`);
      writeFileSync(file, s.stdout);
      snapshotFiles.set(example, file);
      const a = await coco(['detect', '--snapshot', file, '--json']);
      check(a.status === 0, `coco detect --snapshot ${example}: ${a.stderr}`);
      cliAnswers.set(example, JSON.parse(a.stdout));
    }
    ok(
      `users: \`coco snapshot --example\` wrote 4 snapshots; the CLI detects ${[...cliAnswers.keys()].map(summary).join('; ')}`,
    );
  }
  {
    const installed = installedCoco(cbitDir);
    check(
      // @coco/x86 is amd-cbit's evidence library (a dependency): the only other package that comes along.
      list(installed) ===
        `@coco/amd-cbit@${latest.get('@coco/amd-cbit')}, @coco/core@${latest.get('@coco/core')}, @coco/x86@${latest.get('@coco/x86')}`,
      `core + amd-cbit holds ${list(installed)}`,
    );
    ok(`users: npm install @coco/core @coco/amd-cbit: node_modules/@coco holds exactly ${list(installed)}`);
    await detectIn(cbitDir, ['@coco/amd-cbit'], ['snp-cbit-51']);
    ok(`users: core + amd-cbit detects ${summary('snp-cbit-51')} in a node script, as the CLI does`);
  }
  {
    const installed = installedCoco(mixDir);
    check(
      installed.map((p) => p.name).join() === '@coco/amd-vtom,@coco/core,@coco/hyperv,@coco/tdx,@coco/x86',
      `the project holds ${list(installed)}`,
    );
    ok(`users: npm install core, amd-vtom, tdx, hyperv: node_modules/@coco holds exactly ${list(installed)}`);
    await detectIn(
      mixDir,
      ['@coco/amd-vtom', '@coco/tdx', '@coco/hyperv'],
      ['azure-snp-paravisor', 'azure-tdx-paravisor'],
    );
    ok(
      `users: core + amd-vtom + tdx + hyperv detects ${summary('azure-snp-paravisor')}; ${summary('azure-tdx-paravisor')}`,
    );
  }
  {
    // npx with nothing installed: fetched from the local registry into npm's cache.
    const empty = join(projectsDir, 'npx-only');
    mkdirSync(empty, { recursive: true });
    const d = await run(
      'npx',
      ['--yes', '@coco/cli', 'detect', '--example', 'azure-tdx-paravisor', '--json'],
      { cwd: empty, env: userEnv },
    );
    check(
      d.status === 0 && JSON.parse(d.stdout).type === 'tdx',
      `npx --yes @coco/cli in an empty dir: ${d.stderr}`,
    );
    ok(
      'users: `npx --yes @coco/cli detect --example azure-tdx-paravisor --json` in an empty dir fetches the CLI from the registry: tdx',
    );
  }
  for (const dir of [cliDir, cbitDir, mixDir]) await oneCore(dir);
  ok('users: each project resolves exactly one @coco/core (npm ls @coco/core --all, and on disk)');

  // =========================================================================================
  // Release 2: a patch of one backend.
  const README_LINE = 'Rehearsal: this line is release 2, a patch of @coco/amd-cbit alone.';
  const r2 = await release(2, {
    changeset: `---\n"@coco/amd-cbit": patch\n---\n\n${README_LINE}\n`,
    edit: () => {
      const readme = join(copy, 'packages', 'amd-cbit', 'README.md');
      writeFileSync(readme, `${readFileSync(readme, 'utf8').trimEnd()}\n\n${README_LINE}\n`);
    },
  });
  {
    const moved = [...r2.newlyPublished.keys()];
    check(
      moved.join() === '@coco/amd-cbit',
      `release 2 published ${moved.join(', ') || 'nothing'}, expected @coco/amd-cbit only`,
    );
    const v = r2.newlyPublished.get('@coco/amd-cbit');
    check(
      bumpKind(latest.get('@coco/amd-cbit'), v) === 'patch',
      `@coco/amd-cbit went ${latest.get('@coco/amd-cbit')} -> ${v}`,
    );
    for (const n of names.filter((x) => x !== '@coco/amd-cbit')) {
      check(
        JSON.stringify(r2.before.get(n)) === JSON.stringify(r2.after.get(n)),
        `${n}'s versions or dist-tags moved in release 2`,
      );
    }
    const old = latest.get('@coco/amd-cbit');
    latest.set('@coco/amd-cbit', v);
    const { ranges } = await checkPublished('@coco/amd-cbit', v, r2.manifests.get('@coco/amd-cbit'), latest, {
      changelogHas: README_LINE,
      readmeHas: README_LINE,
    });
    ok(
      `release 2: @coco/amd-cbit ${old} -> ${v} (patch), latest; its README and CHANGELOG carry the change; ${ranges.join(', ')}`,
    );
    ok(
      `release 2: every other package's versions and dist-tags are unchanged (${names
        .filter((x) => x !== '@coco/amd-cbit')
        .map((n) => `${n}@${latest.get(n)}`)
        .join(', ')})`,
    );
  }
  await Promise.all(
    [cliDir, cbitDir, mixDir].map((dir) =>
      must('npm', ['update', '--no-audit', '--no-fund'], { cwd: dir, env: userEnv }),
    ),
  );
  {
    const cbit = installedCoco(cbitDir);
    check(
      list(cbit) ===
        `@coco/amd-cbit@${latest.get('@coco/amd-cbit')}, @coco/core@${latest.get('@coco/core')}, @coco/x86@${latest.get('@coco/x86')}`,
      `after npm update: ${list(cbit)}`,
    );
    const cli = installedCoco(cliDir);
    check(
      cli.find((p) => p.name === '@coco/amd-cbit')?.version === latest.get('@coco/amd-cbit') &&
        cli.find((p) => p.name === '@coco/cli')?.version === latest.get('@coco/cli'),
      `the CLI project after npm update: ${list(cli)}`,
    );
    const mix = installedCoco(mixDir);
    check(
      !mix.some((p) => p.name === '@coco/amd-cbit'),
      `npm update brought @coco/amd-cbit into a project without it`,
    );
    for (const dir of [cliDir, cbitDir, mixDir]) await oneCore(dir);
    ok(
      `release 2: npm update takes @coco/amd-cbit@${latest.get('@coco/amd-cbit')} (core + amd-cbit, and under the CLI); each project still has one @coco/core@${latest.get('@coco/core')}`,
    );
    await detectIn(cbitDir, ['@coco/amd-cbit'], ['snp-cbit-51']);
    const bundled = readdirSync(join(cliDir, 'node_modules', '@coco', 'cli', 'dist'), { recursive: true })
      .filter((f) => String(f).endsWith('.js'))
      .some((f) =>
        /from\s*["']@coco\/|import\(\s*["']@coco\//.test(
          readFileSync(join(cliDir, 'node_modules', '@coco', 'cli', 'dist', String(f)), 'utf8'),
        ),
      );
    check(!bundled, 'the CLI imports @coco packages at run time; docs/releasing.md says it bundles them');
    ok(
      `release 2: core + amd-cbit still detects ${summary('snp-cbit-51')}; @coco/cli@${latest.get('@coco/cli')} runs the @coco code it bundled at build time (no run-time @coco import), so a backend fix reaches \`coco\` with a CLI release`,
    );
  }

  // =========================================================================================
  // Release 3: a minor of core.
  const r3 = await release(3, {
    changeset: '---\n"@coco/core": minor\n---\n\nRehearsal: a new export, `REHEARSAL_CORE_MINOR`.\n',
    edit: () => {
      const index = join(copy, 'packages', 'core', 'src', 'index.ts');
      writeFileSync(
        index,
        `${readFileSync(index, 'utf8').trimEnd()}\n\n/** Added by the release rehearsal in its copy: a core minor. */\nexport const REHEARSAL_CORE_MINOR = true;\n`,
      );
    },
  });
  {
    const moved = [...r3.newlyPublished.keys()];
    check(
      moved.join() === '@coco/core',
      `release 3 published ${moved.join(', ')}, expected @coco/core only (no backend needs a release for a core minor)`,
    );
    const v = r3.newlyPublished.get('@coco/core');
    const old = latest.get('@coco/core');
    check(bumpKind(old, v) === 'minor', `@coco/core went ${old} -> ${v}`);
    for (const n of names.filter((x) => x !== '@coco/core')) {
      check(
        JSON.stringify(r3.before.get(n)) === JSON.stringify(r3.after.get(n)),
        `${n} was republished or retagged by a core minor`,
      );
    }
    latest.set('@coco/core', v);
    await checkPublished('@coco/core', v, r3.manifests.get('@coco/core'), latest);
    ok(`release 3: @coco/core ${old} -> ${v} (minor), latest; no backend, plugin or CLI was republished`);
    const admits = [];
    for (const n of names.filter((x) => x !== '@coco/core')) {
      const m = await view(`${n}@${latest.get(n)}`);
      const range = m.peerDependencies?.['@coco/core'] ?? m.dependencies?.['@coco/core'];
      check(
        satisfies(v, range).ok,
        `${n}@${latest.get(n)} asks for @coco/core ${range}, which does not admit ${v}`,
      );
      admits.push(`${n}@${latest.get(n)} ${range}`);
    }
    ok(`release 3: every published dependent's @coco/core range admits ${v}: ${admits.join(', ')}`);
  }
  await Promise.all(
    [cliDir, cbitDir, mixDir].map((dir) =>
      must('npm', ['update', '--no-audit', '--no-fund'], { cwd: dir, env: userEnv }),
    ),
  );
  {
    for (const dir of [cliDir, cbitDir, mixDir]) {
      check(
        (await oneCore(dir)) === latest.get('@coco/core'),
        `${basename(dir)} did not take @coco/core@${latest.get('@coco/core')}`,
      );
    }
    const mix = installedCoco(mixDir);
    check(
      mix.every((p) => p.version === latest.get(p.name)),
      `core + two backends + hyperv after update: ${list(mix)}`,
    );
    ok(
      `release 3: npm update takes @coco/core@${latest.get('@coco/core')} in all three projects, one copy each; backends stay (${list(mix.filter((p) => p.name !== '@coco/core'))})`,
    );
    const a = await detectIn(cbitDir, ['@coco/amd-cbit'], ['snp-cbit-51']);
    const b = await detectIn(
      mixDir,
      ['@coco/amd-vtom', '@coco/tdx', '@coco/hyperv'],
      ['azure-snp-paravisor', 'azure-tdx-paravisor'],
    );
    check(
      a.minorExport && b.minorExport,
      'the projects do not load the new core (REHEARSAL_CORE_MINOR is missing)',
    );
    const d = await coco(['detect', '--example', 'azure-snp-paravisor', '--json']);
    check(
      d.status === 0 && JSON.parse(d.stdout).type === 'amd-vtom',
      `the CLI after the core minor: ${d.stderr}`,
    );
    ok(
      'release 3: the unreleased backends detect as before on the new core (its new export is loaded); the CLI still detects',
    );
  }

  // =========================================================================================
  // Release 4: a major of core.
  const oldCore = latest.get('@coco/core');
  const oldMajor = parseVersion(oldCore).major;
  const newMajor = oldMajor + 1;
  const beforeMajor = new Map(latest);
  const dependentsOfCore = [];
  for (const n of names.filter((x) => x !== '@coco/core')) {
    const m = await view(`${n}@${latest.get(n)}`);
    if (m.peerDependencies?.['@coco/core'] || m.dependencies?.['@coco/core']) dependentsOfCore.push(n);
  }
  const r4 = await release(4, {
    changeset: `---\n"@coco/core": major\n"@coco/cli": major\n---\n\nRehearsal: core ${newMajor}, with CORE_MAJOR ${newMajor}.\n`,
    edit: () => {
      const file = join(copy, 'packages', 'core', 'src', 'registry.ts');
      const text = readFileSync(file, 'utf8');
      const pattern = new RegExp(`export const CORE_MAJOR = ${oldMajor};`, 'g');
      check(
        (text.match(pattern) ?? []).length === 1,
        `packages/core/src/registry.ts has no single "export const CORE_MAJOR = ${oldMajor};"`,
      );
      writeFileSync(file, text.replace(pattern, `export const CORE_MAJOR = ${newMajor};`));
    },
  });
  {
    const v = r4.newlyPublished.get('@coco/core');
    check(
      v && parseVersion(v).major === newMajor && bumpKind(oldCore, v) === 'major',
      `@coco/core went ${oldCore} -> ${v}`,
    );
    for (const [n, nv] of r4.newlyPublished) latest.set(n, nv);
    const dist = await must(
      'tar',
      ['-xzOf', await fetchTarball('@coco/core', v), '--wildcards', 'package/dist/*.js'],
      { cwd: scratch, env: userEnv },
    );
    const majors = [...dist.matchAll(/\bCORE_MAJOR\s*=\s*(\d+)/g)].map((m) => Number(m[1]));
    check(majors.length === 1 && majors[0] === newMajor, `the published core ${v} has CORE_MAJOR ${majors}`);
    ok(`release 4: @coco/core ${oldCore} -> ${v} (major); its published dist has CORE_MAJOR ${newMajor}`);
    const unexpected = [...r4.newlyPublished.keys()].filter(
      (n) => n !== '@coco/core' && !dependentsOfCore.includes(n),
    );
    check(
      unexpected.length === 0,
      `release 4 also published ${unexpected.join(', ')}, which do not depend on core`,
    );
    for (const n of dependentsOfCore) {
      const nv = r4.newlyPublished.get(n);
      check(
        nv && bumpKind(beforeMajor.get(n), nv) === 'major',
        `${n} took ${beforeMajor.get(n)} -> ${nv ?? 'no release'}; docs/releasing.md: a core major is a major of every package that depends on core`,
      );
      const m = r4.manifests.get(n);
      const range = m.peerDependencies?.['@coco/core'] ?? m.dependencies?.['@coco/core'];
      check(
        satisfies(v, range).ok && !satisfies(oldCore, range).ok,
        `${n}@${nv}: @coco/core ${range} (must admit ${v}, refuse ${oldCore})`,
      );
      const { ranges } = await checkPublished(n, nv, m, latest);
      ok(`release 4: ${n} ${beforeMajor.get(n)} -> ${nv} (major), as the policy says; ${ranges.join(', ')}`);
    }
    for (const n of names) {
      check(
        r4.after.get(n).versions.includes(beforeMajor.get(n)),
        `${n}@${beforeMajor.get(n)} is gone from the registry`,
      );
    }
    ok(
      `release 4: the old line stays on the registry (${[...beforeMajor].map(([n, x]) => `${n}@${x}`).join(', ')})`,
    );
  }
  // Projects made before the major keep their major through npm update.
  await Promise.all(
    [cliDir, cbitDir, mixDir].map((dir) =>
      must('npm', ['update', '--no-audit', '--no-fund'], { cwd: dir, env: userEnv }),
    ),
  );
  {
    for (const dir of [cliDir, cbitDir, mixDir]) {
      const installed = installedCoco(dir);
      check(
        installed.every((p) => p.version === beforeMajor.get(p.name)),
        `${basename(dir)} after npm update: ${list(installed)}`,
      );
      await oneCore(dir);
    }
    await detectIn(cbitDir, ['@coco/amd-cbit'], ['snp-cbit-51']);
    await detectIn(
      mixDir,
      ['@coco/amd-vtom', '@coco/tdx', '@coco/hyperv'],
      ['azure-snp-paravisor', 'azure-tdx-paravisor'],
    );
    const d = await coco(['--version']);
    check(d.stdout.includes(beforeMajor.get('@coco/cli')), `the old CLI project runs ${d.stdout}`);
    ok(
      `release 4: npm update keeps the existing projects on major ${oldMajor} (core ${oldCore}, cli ${beforeMajor.get('@coco/cli')}) and they still detect`,
    );
  }
  const [pinnedDir, newDir, mixedDir, sideDir] = await Promise.all([
    project('pinned-old-major', [`@coco/core@^${oldMajor}`, `@coco/amd-cbit@^${oldMajor}`]),
    project('new-major', ['@coco/core', '@coco/amd-vtom', '@coco/tdx', '@coco/hyperv']),
    (async () => {
      const dir = join(projectsDir, 'mixed-majors');
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, 'package.json'),
        '{ "name": "coco-rehearsal-mixed", "version": "0.0.0", "private": true }\n',
      );
      return dir;
    })(),
    project('side-by-side', [
      `core-old@npm:@coco/core@^${oldMajor}`,
      `@coco/core@^${newMajor}`,
      `@coco/tdx@^${newMajor}`,
    ]),
  ]);
  {
    const installed = installedCoco(pinnedDir);
    check(
      list(installed) ===
        `@coco/amd-cbit@${beforeMajor.get('@coco/amd-cbit')}, @coco/core@${oldCore}, @coco/x86@${beforeMajor.get('@coco/x86')}`,
      `a fresh install pinned to ^${oldMajor}: ${list(installed)}`,
    );
    const r = await detectIn(pinnedDir, ['@coco/amd-cbit'], ['snp-cbit-51']);
    check(r.coreMajor === oldMajor, `the pinned project's core has CORE_MAJOR ${r.coreMajor}`);
    ok(
      `release 4: a fresh install of @coco/core@^${oldMajor} @coco/amd-cbit@^${oldMajor} resolves ${list(installed)} and detects ${summary('snp-cbit-51')}`,
    );
  }
  {
    const installed = installedCoco(newDir);
    check(
      installed.every((p) => p.version === latest.get(p.name) && parseVersion(p.version).major === newMajor),
      `the new-major project: ${list(installed)}`,
    );
    const r = await detectIn(
      newDir,
      ['@coco/amd-vtom', '@coco/tdx', '@coco/hyperv'],
      ['azure-snp-paravisor', 'azure-tdx-paravisor'],
    );
    check(r.coreMajor === newMajor, `the new core has CORE_MAJOR ${r.coreMajor}`);
    ok(
      `release 4: a fresh install of the new line resolves ${list(installed)}; CORE_MAJOR ${newMajor}; it detects both Azure machines`,
    );
  }
  {
    const r = await npm(
      ['install', '--no-audit', '--no-fund', `@coco/core@^${newMajor}`, `@coco/amd-cbit@^${oldMajor}`],
      mixedDir,
    );
    check(
      r.status !== 0 && /ERESOLVE/.test(r.stderr),
      `npm installed core ${newMajor} beside amd-cbit ${oldMajor} (exit ${r.status})`,
    );
    ok(
      `release 4: npm refuses @coco/core@^${newMajor} beside @coco/amd-cbit@^${oldMajor} (ERESOLVE: the plugin's peer range)`,
    );
  }
  {
    const installed = installedCoco(sideDir);
    writeFileSync(
      join(sideDir, 'side.mjs'),
      `import * as oldCore from 'core-old';
import * as newCore from '@coco/core';
import { tdxBackend } from '@coco/tdx';
newCore.use(tdxBackend);
const probe = { interfaceVersion: 1, kind: 'backend', id: 'rehearsal-probe', packageName: 'rehearsal-probe', variants: [],
  createType() { throw new Error('unused'); }, detect() { return null; } };
oldCore.use(probe);
const ids = (r) => r.plugins.map((p) => p.id);
console.log(JSON.stringify({
  majors: [oldCore.CORE_MAJOR, newCore.CORE_MAJOR],
  same: oldCore.defaultRegistry() === newCore.defaultRegistry(),
  oldIds: ids(oldCore.defaultRegistry()), newIds: ids(newCore.defaultRegistry()),
}));
`,
    );
    const r = await run(process.execPath, ['side.mjs'], { cwd: sideDir, env: userEnv });
    check(r.status === 0, `two majors in one process failed:\n${tail(r.stderr)}`);
    const j = JSON.parse(r.stdout);
    check(j.majors[0] === oldMajor && j.majors[1] === newMajor, `CORE_MAJOR ${j.majors}`);
    check(!j.same, 'the two majors share one default registry');
    check(
      j.newIds.includes('tdx') && !j.oldIds.includes('tdx'),
      `tdx registered on major ${newMajor} shows in [${j.oldIds}]`,
    );
    check(
      j.oldIds.includes('rehearsal-probe') && !j.newIds.includes('rehearsal-probe'),
      `a plugin registered on major ${oldMajor} shows in [${j.newIds}]`,
    );
    ok(
      `release 4: one process loads ${list(installed)} (core-old is an npm alias); CORE_MAJOR ${oldMajor} and ${newMajor}`,
    );
    ok(
      `release 4: tdx registered on major ${newMajor}'s default registry is not on major ${oldMajor}'s [${j.oldIds}], and a plugin registered on ${oldMajor}'s is not on ${newMajor}'s [${j.newIds}]`,
    );
  }
  {
    const empty = join(projectsDir, 'npx-new-major');
    mkdirSync(empty, { recursive: true });
    const cli = latest.get('@coco/cli');
    const v = await run('npx', ['--yes', '--', `@coco/cli@^${parseVersion(cli).major}`, '--version'], {
      cwd: empty,
      env: userEnv,
    });
    check(v.status === 0 && v.stdout.includes(cli), `npx @coco/cli@${cli} --version: ${v.stdout}${v.stderr}`);
    const d = await run(
      'npx',
      [
        '--yes',
        `@coco/cli@^${parseVersion(cli).major}`,
        'detect',
        '--example',
        'azure-snp-paravisor',
        '--json',
      ],
      { cwd: empty, env: userEnv },
    );
    check(d.status === 0 && JSON.parse(d.stdout).format === 'coco-detection/1', `the new CLI: ${d.stderr}`);
    ok(`release 4: \`npx @coco/cli@^${parseVersion(cli).major}\` runs ${cli} and prints coco-detection/1`);
  }
} catch (error) {
  exitCode = 1;
  console.log(`FAIL ${error instanceof Surprise ? error.message : (error?.stack ?? String(error))}`);
} finally {
  await cleanup();
}

console.log();
for (const { step, versions, seconds: s } of published) {
  console.log(
    `release ${step} (${s.toFixed(0)} s): ${[...versions].map(([n, v]) => `${n}@${v}`).join(', ') || 'nothing'}`,
  );
}
console.log(
  exitCode === 0
    ? `release rehearsal: ${facts} facts proved in ${seconds()}`
    : `release rehearsal: failed after ${facts} facts, ${seconds()}`,
);
process.exit(exitCode);
