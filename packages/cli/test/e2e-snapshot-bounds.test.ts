// Snapshots within the 16 MiB limit that cost far more than their size to read (a hostile review:
// 3M levels of `[` took 22 s and 776 MB; 300,000 unknown kinds took 20 s, 795 MB and wrote one
// warning each): each ends at once with one typed line, or one warning.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { coco, requireBuilt } from './helpers/cli.js';

beforeAll(requireBuilt);

const dir = mkdtempSync(join(tmpdir(), 'coco-snapshot-bounds-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('coco detect --snapshot with hostile documents', () => {
  it('refuses a document nested 3 million deep with SNAPSHOT_INVALID, in a moment', () => {
    const path = file('deep.json', `${'['.repeat(3e6)}${']'.repeat(3e6)}`);
    const started = Date.now();
    const run = coco(['detect', '--snapshot', path]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^coco: SNAPSHOT_INVALID: .*deep\.json.*more than 64 deep/);
  });

  it('refuses 300,000 fact kinds, naming $.facts', () => {
    const facts = Object.fromEntries(Array.from({ length: 300_000 }, (_, i) => [`acme.k${i}`, { a: 1 }]));
    const path = file('kinds.json', JSON.stringify({ format: 'coco-snapshot/2', facts }));
    const run = coco(['detect', '--snapshot', path]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^coco: SNAPSHOT_INVALID: .*\$\.facts.*300000 entries, more than 65536/);
  });

  it('reads 20,000 unknown kinds beside a real example with one warning for them all', () => {
    const example = JSON.parse(coco(['snapshot', '--example', 'snp-cbit-51']).stdout);
    const facts = { ...example.facts };
    for (let i = 0; i < 20_000; i++) facts[`acme.k${i}`] = { a: 1 };
    const path = file('mixed.json', JSON.stringify({ ...example, facts }));
    const run = coco(['detect', '--snapshot', path, '--json']);
    const doc = JSON.parse(run.stdout);
    expect([doc.confidential, doc.type, doc.variant]).toEqual([true, 'amd-cbit', 'sev-snp']);
    const unread = doc.warnings.filter((w: string) => w.includes('read by no registered plugin'));
    expect(unread).toHaveLength(1);
    expect(unread[0]).toMatch(
      /^20000 facts of 20000 kinds \("acme\.k0", "acme\.k1", "acme\.k2" and 19997 more\)/,
    );
  });
});
