#!/usr/bin/env node
// Package quality, as CI checks it (build first: the checks read `dist`):
//   1. publint --strict on every published package (as packed by pnpm);
//   2. @arethetypeswrong/cli --pack with the ESM-only profile on every published package. The
//      packages are ESM only; their `require` export condition points at the same ESM build, which
//      Node 20.19+ (our engines floor) loads through require(esm). attw models CommonJS resolution
//      as TypeScript's node16 mode does, where a require of ESM is "dynamic import only", so the
//      node16-cjs (and node10) rows would always warn: the esm-only profile ignores exactly those,
//      and prove-installs.mjs proves require() from a packed tarball instead;
//   3. the size-limit budgets of .size-limit.cjs (minified + gzipped public entry);
//   4. the import-boundary check (tools/packaging/check-imports.mjs).
// Prints one line per check and package, the tools' own output when one fails, and exits 1 when any
// check fails. `--only publint,attw,size,imports` runs a subset.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
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

  if (want('imports')) {
    const { checked, violations } = checkImports(repoRoot);
    for (const name of checked) {
      const mine = violations.filter((v) => v.file.startsWith(`packages/${name.replace('@coco/', '')}/`));
      report(
        mine.length === 0,
        `${'import boundaries'.padEnd(30)} ${name}`,
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
