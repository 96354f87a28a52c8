import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkPackage, type ImportViolation, packageOf } from '../check-imports.mjs';

const roots: string[] = [];

/** Writes a package `name` with the given manifest fields and src files into a temp root. */
function fixture(name: string, json: Record<string, unknown>, files: Record<string, string>) {
  const root = mkdtempSync(join(tmpdir(), 'coco-imports-'));
  roots.push(root);
  const dir = join(root, 'packages', name.replace('@coco/', ''));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, 'src', path, '..'), { recursive: true });
    writeFileSync(join(dir, 'src', path), text);
  }
  const violations: ImportViolation[] = checkPackage({ name, dir, json: { name, ...json } }, root);
  return violations;
}

afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

describe('packageOf', () => {
  it('keeps the scope of a scoped package and drops subpaths', () => {
    expect(packageOf('@coco/core/testing')).toBe('@coco/core');
    expect(packageOf('lodash/fp')).toBe('lodash');
  });
});

describe('checkPackage', () => {
  it('accepts a backend that imports only @coco/core, declared as a peer', () => {
    const v = fixture(
      '@coco/tdx',
      { peerDependencies: { '@coco/core': 'workspace:^' } },
      {
        'index.ts': "export { tdx } from './plugin.js';\n",
        'plugin.ts':
          "import { defineBackend } from '@coco/core';\nimport type { Evidence } from '@coco/core';\n",
      },
    );
    expect(v).toEqual([]);
  });

  it('rejects a backend that imports another backend, even when declared', () => {
    const v = fixture(
      '@coco/amd-vtom',
      { peerDependencies: { '@coco/core': 'workspace:^', '@coco/amd-cbit': 'workspace:^' } },
      { 'detect.ts': "\n\nimport { amdCbit } from '@coco/amd-cbit';\n" },
    );
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({
      file: 'packages/amd-vtom/src/detect.ts',
      line: 3,
      specifier: '@coco/amd-cbit',
    });
    expect(v[0]?.problem).toContain('may import @coco/core and @coco/x86 only');
  });

  it('lets a backend import the shared x86 evidence package, and keeps that package to @coco/core', () => {
    const ok = fixture(
      '@coco/tdx',
      { dependencies: { '@coco/x86': 'workspace:^' }, peerDependencies: { '@coco/core': 'workspace:^' } },
      { 'detect.ts': "import { readLeaf } from '@coco/x86';\nimport type { Evidence } from '@coco/core';\n" },
    );
    expect(ok).toEqual([]);
    const bad = fixture(
      '@coco/x86',
      { peerDependencies: { '@coco/core': 'workspace:^', '@coco/tdx': 'workspace:^' } },
      { 'a.ts': "import { tdxBackend } from '@coco/tdx';\nimport { readFileSync } from 'node:fs';\n" },
    );
    expect(bad.map((x) => x.problem)).toEqual([
      '@coco/x86 may import @coco/core only',
      '@coco/x86 must stay platform-neutral; move Node-only code to the CLI',
    ]);
  });

  it('keeps a plugin that declares no shared package to @coco/core alone (arm-cca may not reach @coco/x86)', () => {
    const v = fixture(
      '@coco/arm-cca',
      { peerDependencies: { '@coco/core': 'workspace:^' } },
      { 'detect.ts': "import { defineBackend } from '@coco/core';\nimport { cpuidOf } from '@coco/x86';\n" },
    );
    expect(v.map((x) => [x.specifier, x.line])).toEqual([['@coco/x86', 2]]);
    expect(v[0]?.problem).toContain("not in @coco/arm-cca's dependencies");
  });

  it('rejects hyperv importing a backend it would compose (it must go through the registry)', () => {
    const v = fixture(
      '@coco/hyperv',
      { peerDependencies: { '@coco/core': 'workspace:^' } },
      { 'compose.ts': "export type { TdxParams } from '@coco/tdx';\n" },
    );
    expect(v.map((x) => x.specifier)).toEqual(['@coco/tdx']);
  });

  it('counts a devDependency as undeclared: a user who installs the package does not get it', () => {
    const v = fixture(
      '@coco/tdx',
      { devDependencies: { '@coco/core': 'workspace:*' } },
      { 'type.ts': "import { createType } from '@coco/core';\n" },
    );
    expect(v).toHaveLength(1);
    expect(v[0]?.problem).toContain('not in @coco/tdx');
  });

  it('finds dynamic imports and re-exports, and ignores specifiers in comments and strings', () => {
    const v = fixture(
      '@coco/cli',
      { dependencies: { '@coco/core': 'workspace:^' } },
      {
        'bin.ts': [
          "// import x from '@coco/tdx';",
          'const s = "import y from \'@coco/hyperv\'";',
          "export { detect } from '@coco/core';",
          "const m = await import('@coco/amd-cbit');",
          "import chalk from 'chalk';",
          "import { readFile } from 'node:fs/promises';",
        ].join('\n'),
      },
    );
    expect(v.map((x) => [x.specifier, x.line])).toEqual([
      ['@coco/amd-cbit', 4],
      ['chalk', 5],
    ]);
  });

  it('keeps core platform-neutral: no node: module, no bare built-in, no Node types, no @coco package', () => {
    const v = fixture(
      '@coco/core',
      {},
      {
        'a.ts': "import { readFileSync } from 'node:fs';\n",
        'b.ts': "import { createHash } from 'crypto';\n",
        'c.ts': '/// <reference types="node" />\nexport const x = 1;\n',
        'd.ts': "import type { TdxParams } from '@coco/tdx';\n",
      },
    );
    expect(v.map((x) => x.file.split('/').pop())).toEqual(['a.ts', 'b.ts', 'c.ts', 'd.ts']);
  });

  it('rejects a relative import that leaves the package, and a self-import by name', () => {
    const v = fixture(
      '@coco/amd-cbit',
      { peerDependencies: { '@coco/core': 'workspace:^' } },
      {
        'evidence/log.ts':
          "import { x } from '../../../tdx/src/log.js';\nimport { y } from '../plugin.js';\n",
        'plugin.ts': "import { amdCbit } from '@coco/amd-cbit';\n",
      },
    );
    expect(v.map((x) => x.specifier)).toEqual(['../../../tdx/src/log.js', '@coco/amd-cbit']);
  });
});
