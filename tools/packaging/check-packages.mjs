#!/usr/bin/env node
// Package quality, as CI checks it (build first: the checks read `dist`):
//   1. publint --strict on every published package (as packed by pnpm);
//   2. @arethetypeswrong/cli --pack with the ESM-only profile on every published package. The
//      packages are ESM only; their `require` export condition points at the same ESM build, which
//      Node 20.19+ (our engines floor) loads through require(esm). attw models CommonJS resolution
//      as TypeScript's node16 mode does, where a require of ESM is "dynamic import only", so the
//      node16-cjs (and node10) rows would always warn: the esm-only profile ignores exactly those,
//      and prove-installs.mjs proves require() from a packed tarball instead;
//   3. the size-limit budgets of .size-limit.cjs (minified + gzipped public entry), one for every
//      package the workspace discovery finds (a package without one fails, named);
//   4. the import-boundary check (tools/packaging/check-imports.mjs);
//   5. policy: once @coco/core is released, the CORE_MAJOR in its dist equals its major.
// Prints one line per check and package, the tools' own output when one fails, and exits 1 when any
// check fails. `--only publint,attw,size,policy,imports` runs a subset.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { checkImports } from './check-imports.mjs';
import { repoRoot, workspacePackages } from './pack.mjs';

const bin = (name) => join(repoRoot, 'node_modules', '.bin', name);

/** Runs a command; resolves to `{ code, output }` (stdout and stderr interleaved). */
function run(command, args, cwd) {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('error', (error) => done({ code: 127, output: `${output}${error.message}\n` }));
    child.on('close', (code) => done({ code: code ?? 1, output }));
  });
}

const indent = (text) =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');

/** Runs the chosen checks; returns the number of failures. */
export async function checkPackages({ only } = {}) {
  const want = (name) => !only || only.includes(name);
  const packages = workspacePackages();
  let failures = 0;
  const report = (ok, line, output) => {
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${line}`);
    if (!ok) {
      failures += 1;
      if (output) console.log(indent(output));
    }
  };

  const missing = packages.filter((p) => !existsSync(join(p.dir, 'dist')));
  if (missing.length > 0) {
    report(false, `built: no dist in ${missing.map((p) => p.name).join(', ')}; run \`pnpm build\` first`);
    return failures;
  }

  if (want('publint') || want('attw')) {
    // Packages in parallel; within a package one tool after the other, since both pack it (publint
    // with pnpm into a temp dir, attw with npm into the package directory). Reported in a stable order.
    const perPackage = packages.map(async (pkg) => {
      const results = [];
      if (want('publint')) {
        const r = await run(bin('publint'), ['--strict'], pkg.dir);
        results.push([`${'publint --strict'.padEnd(30)} ${pkg.name}`, r]);
      }
      if (want('attw')) {
        const args = ['--pack', '.', '--profile', 'esm-only', '--format', 'table'];
        const r = await run(bin('attw'), args, pkg.dir);
        results.push([`${'attw --pack --profile esm-only'.padEnd(30)} ${pkg.name}`, r]);
      }
      return results;
    });
    for (const results of await Promise.all(perPackage)) {
      for (const [label, { code, output }] of results) {
        // --strict makes publint exit non-zero on warnings; the text check guards older behaviour.
        report(code === 0 && !/^(Errors|Warnings):/m.test(output), label, output);
      }
    }
  }

  if (want('size')) {
    // Every discovered package has a budget (.size-limit.cjs names the ones that do not).
    const require = createRequire(import.meta.url);
    const { missingBudgets } = require(join(repoRoot, '.size-limit.cjs'));
    for (const name of missingBudgets) {
      report(false, `${'size budget'.padEnd(30)} ${name}: none in .size-limit.cjs (add one with its reason)`);
    }
    const { code, output } = await run(bin('size-limit'), ['--json'], repoRoot);
    let results = null;
    try {
      results = JSON.parse(output.slice(output.indexOf('[')));
    } catch {
      report(false, 'size-limit: could not read its JSON output', output);
    }
    if (results) {
      for (const r of results) {
        const kb = (n) => `${(n / 1000).toFixed(2)} kB`;
        const over = r.passed ? '' : `, over by ${r.size - r.sizeLimit} B`;
        report(
          r.passed,
          `${'size-limit (min+gzip)'.padEnd(30)} ${r.name}: ${kb(r.size)} of ${kb(r.sizeLimit)}${over}`,
        );
      }
      if (code !== 0 && results.every((r) => r.passed)) report(false, 'size-limit exited non-zero', output);
    }
  }

  if (want('policy')) {
    // The default registry is keyed by CORE_MAJOR, which must be core's major once core is released
    // (`pnpm release` runs this before publishing; release:dry checks it after `changeset version`).
    const core = packages.find((p) => p.role === 'core');
    if (core) {
      const major = Number(String(core.version).split('.')[0]);
      const found = readdirSync(join(core.dir, 'dist'), { recursive: true })
        .filter((f) => String(f).endsWith('.js'))
        .flatMap((f) => [
          ...readFileSync(join(core.dir, 'dist', String(f)), 'utf8').matchAll(/\bCORE_MAJOR\s*=\s*(\d+)/g),
        ])
        .map((m) => Number(m[1]));
      const label = `${'policy: CORE_MAJOR'.padEnd(30)} ${core.name}@${core.version}`;
      if (found.length !== 1)
        report(false, `${label}: expected one CORE_MAJOR in dist, found ${found.length}`);
      else if (major === 0) report(true, `${label}: unreleased, CORE_MAJOR ${found[0]}`);
      else
        report(
          found[0] === major,
          `${label}: CORE_MAJOR ${found[0]}${found[0] === major ? '' : ` must be ${major} (packages/core/src/registry.ts)`}`,
        );
    }
  }

  if (want('imports')) {
    const { checked, violations, imports } = checkImports(repoRoot);
    for (const name of checked) {
      const dirName = packages.find((p) => p.name === name)?.dirName;
      const mine = violations.filter((v) => v.file.startsWith(`packages/${dirName}/`));
      const uses = imports.get(name) ?? [];
      report(
        mine.length === 0,
        `${'import boundaries'.padEnd(30)} ${name} (imports ${uses.length > 0 ? uses.join(', ') : 'no @coco package'})`,
        mine.map((v) => `${v.file}:${v.line}: '${v.specifier}' ${v.problem}`).join('\n'),
      );
    }
  }
  return failures;
}

const onlyArg = process.argv.indexOf('--only');
const only = onlyArg > 0 ? process.argv[onlyArg + 1]?.split(',') : undefined;
const failures = await checkPackages({ only });
console.log(failures === 0 ? 'package checks: all passed' : `package checks: ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
