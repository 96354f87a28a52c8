// docs/errors.md documents every error code: each member of core's CocoErrorCode union and of the
// CLI's CliErrorCode union has a row (a table line starting with the code) with a meaning and a fix.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

/** The string literals of `export type NAME = | 'A' | 'B' ...;` in a TypeScript source. */
function unionMembers(source: string, name: string): string[] {
  const match = new RegExp(`export type ${name} =([^;]+);`).exec(source);
  if (!match) throw new Error(`no union ${name}`);
  return [...(match[1] as string).matchAll(/'([A-Z_]+)'/g)].map((m) => m[1] as string);
}

const doc = read('docs/errors.md');
const rows = new Map(
  doc
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map(
      (l) =>
        [
          (/^\| `([A-Z_]+)`/.exec(l) ?? [])[1],
          l
            .split('|')
            .slice(1, -1)
            .map((c) => c.trim()),
        ] as const,
    ),
);

describe('docs/errors.md', () => {
  const core = unionMembers(read('packages/core/src/errors.ts'), 'CocoErrorCode');
  const cli = unionMembers(read('packages/cli/src/errors.ts'), 'CliErrorCode');

  it('reads both unions', () => {
    expect(core.length).toBeGreaterThanOrEqual(15);
    expect(cli).toContain('USAGE');
  });

  it.each([...core, ...cli])('documents %s with its meaning and fix', (code) => {
    const cells = rows.get(code);
    expect(cells, `docs/errors.md has no row for ${code}`).toBeDefined();
    const [, ...rest] = cells as readonly string[];
    expect(rest.filter((c) => c.length > 0).length).toBeGreaterThanOrEqual(2);
    expect((rest.at(-1) ?? '').length, `${code} has a fix`).toBeGreaterThan(5);
  });
});
