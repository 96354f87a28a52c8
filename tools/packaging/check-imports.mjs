#!/usr/bin/env node
// The import-boundary check: every import specifier in packages/*/src/**/*.ts (static, type-only,
// re-exports, dynamic `import()`), read with TypeScript's own pre-processor so comments and strings
// never count, against the architecture's rules:
//   - a package imports only packages it declares in dependencies or peerDependencies (a
//     devDependency is not there for a user who installs the package);
//   - a plugin (a package that peer-depends on @coco/core: the backends and the hypervisor plugins)
//     imports @coco/core and the shared evidence packages only, and of those only the ones it
//     declares: a plugin never imports another plugin, and a plugin that declares no shared package
//     (arm-cca, s390-pv, ppc-pef) imports @coco/core alone, which the install proofs confirm from
//     its tarball;
//   - @coco/core imports no `node:` (or Node built-in) module and no @coco package;
//   - a shared evidence package (one that plugins depend on, such as @coco/x86) is platform-neutral
//     too and imports @coco/core only;
//   - a relative import never leaves its package.
// Which package is which is discovered from the manifests (workspace.cjs), not listed here.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { workspacePackages } from './pack.mjs';

const discovered = workspacePackages();
const named = (role) => new Set(discovered.filter((p) => p.role === role).map((p) => p.name));

/** Plugins: they may import no @coco package but @coco/core and the evidence packages. */
export const CORE_ONLY = named('plugin');

/** Packages that must stay platform-neutral: no Node built-in, no @coco package. */
export const NEUTRAL = named('core');

/** Shared evidence packages: platform-neutral, importing @coco/core only; plugins may import them. */
export const EVIDENCE = named('shared');

const BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith('_')));

/** The package a bare specifier names: `@scope/name` or `name`. */
export function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function isNodeBuiltin(specifier) {
  return specifier.startsWith('node:') || BUILTINS.has(specifier.split('/')[0]);
}

function sourceFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(c|m)?tsx?$/.test(entry) && !entry.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/**
 * Checks one package: `{ name, dir, json }` where `json` is its package.json. Returns the
 * violations, each `{ file, line, specifier, problem }` (file relative to `root`).
 */
export function checkPackage(pkg, root, imported = new Set()) {
  const declared = new Set([
    ...Object.keys(pkg.json.dependencies ?? {}),
    ...Object.keys(pkg.json.peerDependencies ?? {}),
  ]);
  const src = join(pkg.dir, 'src');
  const violations = [];
  let files = [];
  try {
    files = sourceFiles(src);
  } catch {
    return [{ file: relative(root, src), line: 0, specifier: '', problem: 'has no src directory' }];
  }
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const lines = ts.createSourceFile(file, text, ts.ScriptTarget.Latest);
    const info = ts.preProcessFile(text, true, true);
    for (const ref of info.typeReferenceDirectives) {
      if ((NEUTRAL.has(pkg.name) || EVIDENCE.has(pkg.name)) && ref.fileName === 'node') {
        violations.push({
          file: relative(root, file),
          line: lines.getLineAndCharacterOfPosition(ref.pos).line + 1,
          specifier: `/// <reference types="node" />`,
          problem: `${pkg.name} must stay platform-neutral; it may not use Node's types`,
        });
      }
    }
    for (const f of info.importedFiles) {
      const specifier = f.fileName;
      const line = lines.getLineAndCharacterOfPosition(f.pos).line + 1;
      const at = { file: relative(root, file), line, specifier };
      if (specifier.startsWith('.') || specifier.startsWith('/')) {
        const target = resolve(join(file, '..'), specifier);
        if (!(target + sep).startsWith(pkg.dir + sep)) {
          violations.push({ ...at, problem: `reaches outside ${pkg.name}; import the package instead` });
        }
        continue;
      }
      if (isNodeBuiltin(specifier)) {
        if (NEUTRAL.has(pkg.name) || EVIDENCE.has(pkg.name)) {
          violations.push({
            ...at,
            problem: `${pkg.name} must stay platform-neutral; move Node-only code to the CLI`,
          });
        }
        continue;
      }
      const target = packageOf(specifier);
      if (target.startsWith('@coco/') && target !== pkg.name) imported.add(target);
      if (target === pkg.name) {
        violations.push({ ...at, problem: 'imports its own package by name; use a relative import' });
        continue;
      }
      if (target.startsWith('@coco/')) {
        if (NEUTRAL.has(pkg.name)) {
          violations.push({ ...at, problem: `${pkg.name} imports no @coco package (core knows no backend)` });
          continue;
        }
        if (CORE_ONLY.has(pkg.name) && target !== '@coco/core' && !EVIDENCE.has(target)) {
          violations.push({
            ...at,
            problem: `${pkg.name} may import @coco/core and ${[...EVIDENCE].join(', ')} only (a plugin never imports another plugin)`,
          });
          continue;
        }
        if (EVIDENCE.has(pkg.name) && target !== '@coco/core') {
          violations.push({ ...at, problem: `${pkg.name} may import @coco/core only` });
          continue;
        }
      }
      if (!declared.has(target)) {
        violations.push({
          ...at,
          problem: `${target} is not in ${pkg.name}'s dependencies or peerDependencies`,
        });
      }
    }
  }
  return violations;
}

/**
 * Checks every published workspace package; returns `{ checked, violations, imports }`, where
 * `imports` maps each package name to the sorted @coco packages its sources import.
 */
export function checkImports(root) {
  const packages = workspacePackages(root);
  const imports = new Map();
  const violations = packages.flatMap((p) => {
    const seen = new Set();
    const found = checkPackage(p, root, seen);
    imports.set(p.name, [...seen].sort());
    return found;
  });
  return { checked: packages.map((p) => p.name), violations, imports };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { repoRoot } = await import('./pack.mjs');
  const { checked, violations } = checkImports(repoRoot);
  for (const v of violations) console.error(`${v.file}:${v.line}: '${v.specifier}' ${v.problem}`);
  if (violations.length > 0) {
    console.error(`import boundaries: ${violations.length} violation(s)`);
    process.exit(1);
  }
  console.log(`import boundaries: ok (${checked.join(', ')})`);
}
