// `coco fleet` over support-bundle trees through the built command: a directory with proc/ or sys/
// is one machine, read as `coco detect --root DIR` reads it, named by its host name when the tree
// has one (sosreport's top-level `hostname` link) and by its directory otherwise.
import { cpSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coco, lines, requireBuilt } from './helpers/cli.js';

const PACKAGES = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TREES = {
  realm: join(PACKAGES, 'arm-cca/test/roots/realm'),
  'arm64-not-realm': join(PACKAGES, 'arm-cca/test/roots/arm64-not-realm'),
  'pv-guest': join(PACKAGES, 's390-pv/test/roots/pv-guest'),
  's390-not-pv': join(PACKAGES, 's390-pv/test/roots/s390-not-pv'),
  'secure-guest': join(PACKAGES, 'ppc-pef/test/roots/secure-guest'),
};

interface FleetRecord {
  source: string;
  machine: { name: string; hostname?: string };
  detection?: {
    confidential: boolean | null;
    type: string | null;
    cvm: string | null;
    attestation: string[];
  };
  error?: { code: string };
}

let dir: string;
beforeAll(() => {
  requireBuilt();
  dir = mkdtempSync(join(tmpdir(), 'coco-fleet-trees-'));
  for (const [name, tree] of Object.entries(TREES))
    cpSync(tree, join(dir, 'bundles', name), { recursive: true });
  // The s390 guest as sosreport lays it out: the log under sos_commands, the host name linked at the top.
  const pv = join(dir, 'bundles', 'pv-guest');
  mkdirSync(join(pv, 'sos_commands/kernel'), { recursive: true });
  renameSync(join(pv, 'dmesg'), join(pv, 'sos_commands/kernel/dmesg'));
  mkdirSync(join(pv, 'sos_commands/host'), { recursive: true });
  writeFileSync(join(pv, 'sos_commands/host/hostname'), 'z15-guest-07\n');
  symlinkSync('sos_commands/host/hostname', join(pv, 'hostname'));
  // A snapshot next to the trees is still its own machine.
  writeFileSync(join(dir, 'bundles', 'sev.json'), coco(['examples', 'sev-plain']).stdout);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('coco fleet over support-bundle trees', () => {
  it('gives one record per tree, sorted by path, with the answers coco detect --root gives', () => {
    const run = coco(['fleet', join(dir, 'bundles')]);
    expect(run.status).toBe(0);
    const records = lines(run.stdout).map((l) => JSON.parse(l) as FleetRecord);
    expect(records.map((r) => r.source)).toEqual(
      ['arm64-not-realm', 'pv-guest', 'realm', 's390-not-pv', 'secure-guest', 'sev.json'].map((n) =>
        join(dir, 'bundles', n),
      ),
    );
    const byName = new Map(records.map((r) => [r.machine.name, r]));
    expect(byName.get('realm')?.detection).toMatchObject({ type: 'arm-cca', confidential: true, cvm: 'cca' });
    expect(byName.get('arm64-not-realm')?.detection).toMatchObject({ type: null, confidential: false });
    expect(byName.get('z15-guest-07')).toMatchObject({
      source: join(dir, 'bundles', 'pv-guest'),
      machine: { name: 'z15-guest-07', hostname: 'z15-guest-07' },
      detection: { type: 's390-pv', confidential: true, cvm: 'protvirt', attestation: ['/dev/uv'] },
    });
    expect(byName.get('s390-not-pv')?.detection).toMatchObject({ confidential: false, cvm: 'none' });
    expect(byName.get('secure-guest')?.detection).toMatchObject({ type: 'ppc-pef', confidential: true });
    for (const r of records) {
      if (r.source.endsWith('.json')) continue;
      const alone = JSON.parse(coco(['detect', '--root', r.source, '--json']).stdout);
      expect(r.detection).toEqual(alone);
    }
  });

  it("a bundle's coco-snapshot.json beside proc/ joins the tree's evidence", () => {
    const bundle = join(dir, 'with-snapshot');
    cpSync(TREES['pv-guest'], bundle, { recursive: true });
    const snap = coco(['snapshot', '--root', TREES['pv-guest']]);
    expect(snap.status).toBe(0);
    // The snapshot says which machine it is: the tree itself names none.
    const doc = { ...JSON.parse(snap.stdout), machine: { hostname: 'z15-bundle' } };
    writeFileSync(join(bundle, 'coco-snapshot.json'), JSON.stringify(doc));
    const run = coco(['fleet', bundle]);
    expect(run.status).toBe(0);
    const records = lines(run.stdout).map((l) => JSON.parse(l) as FleetRecord);
    expect(records).toHaveLength(1);
    expect(records[0]?.detection).toMatchObject({ type: 's390-pv', confidential: true, conflicts: [] });
    expect(records[0]?.machine.name).toBe('z15-bundle');
  });

  it('a tree given directly is one machine; a tree inside a tree is not walked', () => {
    const nested = join(dir, 'nested');
    cpSync(TREES.realm, nested, { recursive: true });
    cpSync(TREES['pv-guest'], join(nested, 'inner'), { recursive: true });
    const run = coco(['fleet', nested]);
    expect(run.status).toBe(0);
    const records = lines(run.stdout).map((l) => JSON.parse(l) as FleetRecord);
    expect(records).toHaveLength(1);
    expect(records[0]?.detection?.type).toBe('arm-cca');
  });
});
