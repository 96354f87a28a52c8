// The bundle budget: everything the page loads (HTML, script with core and every plugin, styles)
// stays under 60 kB gzipped. Measures the built files (`pnpm test` builds them first).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { assertBuilt, DIST } from './helpers.js';

export const BUDGET_BYTES = 60 * 1000;

describe('bundle budget', () => {
  it('the built page is under 60 kB gzipped, core and all backends included', () => {
    assertBuilt();
    const files = readdirSync(DIST, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && /\.(html|js|css)$/.test(e.name))
      .map((e) => join(e.parentPath, e.name));
    expect(files.some((f) => f.endsWith('.js'))).toBe(true);
    let total = 0;
    const sizes: string[] = [];
    for (const file of files) {
      const gz = gzipSync(readFileSync(file), { level: 9 }).length;
      total += gz;
      sizes.push(`${file.slice(DIST.length + 1)} ${(gz / 1000).toFixed(2)} kB`);
    }
    console.log(`inspector bundle, gzipped: ${(total / 1000).toFixed(2)} kB (${sizes.join(', ')})`);
    expect(total).toBeLessThan(BUDGET_BYTES);
  });

  it('is one script and one stylesheet, loaded by relative paths (works from any folder and file://)', () => {
    assertBuilt();
    const html = readFileSync(join(DIST, 'index.html'), 'utf8');
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    const assets = refs.filter((r) => !r.startsWith('#') && !r.startsWith('data:'));
    expect(assets).toHaveLength(2);
    for (const ref of assets) expect(ref).toMatch(/^\.\/assets\/[\w.-]+\.(js|css)$/);
    expect(html).not.toMatch(/type="module"|crossorigin|https?:\/\//);
  });
});
