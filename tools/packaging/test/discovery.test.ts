import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORE_ONLY, EVIDENCE, NEUTRAL } from '../check-imports.mjs';

const require = createRequire(import.meta.url);
type Discovered = { name: string; role: string; dirName: string; json: Record<string, unknown> };
const workspace = require('../workspace.cjs') as {
  repoRoot: string;
  discoverPackages(root?: string): Discovered[];
  sharedWith(pkg: Discovered): string[];
};
const checks = require(join(workspace.repoRoot, '.size-limit.cjs')) as {
  name: string;
  ignore: string[];
}[] & {
  missingBudgets: string[];
};
const packages = workspace.discoverPackages();
const byRole = (role: string) => packages.filter((p) => p.role === role).map((p) => p.name);

describe('package discovery', () => {
  it('finds core, the shared x86 evidence package, the CLI and every plugin from the manifests', () => {
    expect(byRole('core')).toEqual(['@coco/core']);
    expect(byRole('shared')).toEqual(['@coco/x86']);
    expect(byRole('app')).toEqual(['@coco/cli']);
    // At least the seven plugins of the repository; a new one is found without editing a list.
    expect(byRole('plugin')).toEqual(
      expect.arrayContaining([
        '@coco/amd-cbit',
        '@coco/amd-vtom',
        '@coco/arm-cca',
        '@coco/hyperv',
        '@coco/ppc-pef',
        '@coco/s390-pv',
        '@coco/tdx',
      ]),
    );
    expect(byRole('other')).toEqual([]);
  });

  it('gives the import check its rule sets from the same discovery', () => {
    expect([...CORE_ONLY].sort()).toEqual(byRole('plugin'));
    expect([...NEUTRAL]).toEqual(['@coco/core']);
    expect([...EVIDENCE]).toEqual(['@coco/x86']);
  });

  it('keeps the non-x86 backends free of the x86 evidence package', () => {
    for (const name of ['@coco/arm-cca', '@coco/s390-pv', '@coco/ppc-pef']) {
      const pkg = packages.find((p) => p.name === name);
      expect(pkg, name).toBeDefined();
      expect(workspace.sharedWith(pkg as Discovered), name).toEqual(['@coco/core']);
    }
  });
});

describe('size budgets', () => {
  it('has a budget for every discovered package but the CLI (a failure names the package)', () => {
    expect(checks.missingBudgets, 'packages without a budget in .size-limit.cjs').toEqual([]);
    const measured = new Set(checks.map((c) => c.name.split(' ')[0]));
    for (const p of packages.filter((x) => x.role !== 'app')) expect(measured.has(p.name), p.name).toBe(true);
  });

  it('measures each package without its peers and shared libraries', () => {
    const tdx = checks.find((c) => c.name === '@coco/tdx');
    expect(tdx?.ignore).toEqual(['@coco/core', '@coco/x86']);
    const cca = checks.find((c) => c.name === '@coco/arm-cca');
    expect(cca?.ignore).toEqual(['@coco/core']);
  });
});
