// `coco fleet` through the built command: snapshot files, nested directories, a support bundle,
// broken inputs; each record's detection is what `coco detect --snapshot F --json` prints.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coco, lines, requireBuilt } from './helpers/cli.js';
import { writeTree } from './helpers/tree.js';

interface FleetRecord {
  format: string;
  source: string;
  machine: { name: string; hostname?: string; capturedAt?: string };
  detection?: { confidential: boolean | null; type: string | null; conflicts: unknown[] };
  error?: { code: string; message: string };
}

const records = (stdout: string) => lines(stdout).map((l) => JSON.parse(l) as FleetRecord);
const EXAMPLES = (
  JSON.parse(coco(['examples', '--json']).stdout) as { examples: { name: string }[] }
).examples.map((e) => e.name);

let dir: string;
beforeAll(() => {
  requireBuilt();
  dir = mkdtempSync(join(tmpdir(), 'coco-fleet-'));
  mkdirSync(join(dir, 'a', 'deep'), { recursive: true });
  EXAMPLES.forEach((name, i) => {
    // Half at the top, half two levels down.
    const where = i % 2 === 0 ? join(dir, 'a') : join(dir, 'a', 'deep');
    writeFileSync(join(where, `${name}.json`), coco(['examples', name]).stdout);
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('coco fleet', () => {
  it('gives one record per snapshot, sorted by path, each the detection coco detect --snapshot prints', () => {
    const run = coco(['fleet', join(dir, 'a')]);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    const got = records(run.stdout);
    expect(got).toHaveLength(EXAMPLES.length);
    const sources = got.map((r) => r.source);
    expect(sources).toEqual([...sources].sort());
    for (const record of got) {
      expect(record.format).toBe('coco-fleet/1');
      expect(record.error).toBeUndefined();
      const alone = coco(['detect', '--snapshot', record.source, '--json']);
      expect(record.detection).toEqual(JSON.parse(alone.stdout));
      expect(record.machine.name).toBe(record.source.replace(/^.*\//, '').replace(/\.json$/, ''));
    }
  });

  it('the same output whatever the number of worker threads', () => {
    const one = coco(['fleet', '--jobs', '1', join(dir, 'a')]);
    const two = coco(['fleet', '--jobs', '2', join(dir, 'a')]);
    expect(two.stdout).toBe(one.stdout);
  });

  it('a broken file is a record with its error code, never the end of the run; exit 2', () => {
    const broken = join(dir, 'broken');
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, 'bad-json.json'), '{"format": "coco-snapshot/1",');
    writeFileSync(join(broken, 'bad-key.json'), '{"format": "coco-snapshot/1", "color": "red"}');
    writeFileSync(join(broken, 'ok.json'), coco(['examples', 'sev-plain']).stdout);
    const run = coco(['fleet', broken, join(dir, 'no-such-file.json'), '--summary']);
    expect(run.status).toBe(2);
    const got = records(run.stdout);
    expect(got.map((r) => [r.source.replace(`${dir}/`, ''), r.error?.code ?? r.detection?.type])).toEqual([
      ['broken/bad-json.json', 'SNAPSHOT_INVALID'],
      ['broken/bad-key.json', 'SNAPSHOT_INVALID'],
      ['broken/ok.json', 'amd-cbit'],
      ['no-such-file.json', 'FILE_NOT_FOUND'],
    ]);
    expect(got[1]?.error?.message).toContain('"color"');
    expect(run.stderr).toMatch(
      /4 machines: 1 confidential, 0 not confidential, 0 cannot tell, 0 conflicting, 3 unreadable/,
    );
    expect(run.stderr).toMatch(
      /Unreadable \(3\): bad-json \(SNAPSHOT_INVALID\), bad-key \(SNAPSHOT_INVALID\), no-such-file \(FILE_NOT_FOUND\)/,
    );
  });

  it('counts verdicts, types, variants and labels in the summary; names machines that cannot tell', () => {
    const mixed = join(dir, 'mixed');
    mkdirSync(mixed, { recursive: true });
    for (const name of EXAMPLES) writeFileSync(join(mixed, `${name}.json`), coco(['examples', name]).stdout);
    // Only the cpuinfo flags of a plain guest: the evidence cannot decide.
    writeFileSync(
      join(mixed, 'zz-partial.json'),
      JSON.stringify({
        format: 'coco-snapshot/1',
        cpuinfoFlags: ['fpu', 'hypervisor'],
        machine: { hostname: 'web-7' },
      }),
    );
    const run = coco(['fleet', '--summary', mixed]);
    expect(run.status).toBe(4);
    const got = records(run.stdout);
    const confidential = got.filter((r) => r.detection?.confidential === true).length;
    const no = got.filter((r) => r.detection?.confidential === false).length;
    expect(run.stderr).toContain(
      `${got.length} machines: ${confidential} confidential, ${no} not confidential, 1 cannot tell, 0 conflicting, 0 unreadable`,
    );
    const tdx = got.filter((r) => r.detection?.type === 'tdx').length;
    expect(run.stderr).toMatch(new RegExp(`\\n  tdx +${tdx}\\n`));
    expect(run.stderr).toContain('Cannot tell (1): web-7');
    expect(got.at(-1)?.machine).toEqual({ name: 'web-7', hostname: 'web-7' });
  });

  it('conflicting evidence in a bundle exits 3 and is named', () => {
    const bundle = join(dir, 'conflict', 'host-a');
    mkdirSync(bundle, { recursive: true });
    const snap = JSON.parse(coco(['examples', 'sev-plain']).stdout) as Record<string, unknown>;
    writeFileSync(join(bundle, 'coco-snapshot.json'), JSON.stringify(snap));
    writeFileSync(
      join(bundle, 'cpuid.txt'),
      'CPU 0:\n   0x00000000 0x00: eax=0x00000010 ebx=0x756e6547 ecx=0x6c65746e edx=0x49656e69\n',
    );
    const run = coco(['fleet', '--summary', join(dir, 'conflict')]);
    const got = records(run.stdout);
    expect(got).toHaveLength(1);
    expect(got[0]?.source).toBe(bundle);
    expect(got[0]?.machine.name).toBe('host-a');
    expect(got[0]?.detection?.conflicts.length).toBeGreaterThan(0);
    expect(run.status).toBe(3);
    expect(run.stderr).toContain('Conflicting evidence (1): host-a');
  });

  it('reads a support bundle: proc/cpuinfo and a saved dmesg as one machine', () => {
    const bundle = join(dir, 'bundles', 'vm-1');
    mkdirSync(join(bundle, 'proc'), { recursive: true });
    writeFileSync(
      join(bundle, 'proc', 'cpuinfo'),
      'processor\t: 0\nflags\t\t: fpu hypervisor sev sev_es sev_snp\n',
    );
    writeFileSync(
      join(bundle, 'dmesg.txt'),
      '[    0.000000] Memory Encryption Features active: AMD SEV SEV-ES SEV-SNP\n',
    );
    writeFileSync(join(bundle, 'ignored.json'), '{}');
    const got = records(coco(['fleet', join(dir, 'bundles')]).stdout);
    expect(got).toHaveLength(1);
    expect(got[0]?.source).toBe(bundle);
    expect(got[0]?.error).toBeUndefined();
  });

  it('usage errors end the run with one line and exit 2', () => {
    expect(coco(['fleet']).status).toBe(2);
    const empty = join(dir, 'empty');
    mkdirSync(empty, { recursive: true });
    const run = coco(['fleet', empty]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^coco: FILE_NOT_FOUND: .*found no snapshot/);
    expect(coco(['fleet', '--jobs', '0', dir]).stderr).toMatch(/^coco: USAGE: --jobs 0/);
  });
});

describe('coco snapshot machine identity', () => {
  it('a live snapshot records the host name, the time and the version', () => {
    const root = writeTree({ cpuinfo: 'processor\t: 0\nflags\t\t: fpu\n' });
    try {
      const before = Date.now();
      const doc = JSON.parse(coco(['snapshot'], { env: { COCO_PROBE_ROOT: root } }).stdout) as {
        machine: { hostname?: string; capturedAt: string; cocoVersion: string };
      };
      const version = (
        JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
      ).version;
      expect(doc.machine.cocoVersion).toBe(version);
      if (/^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/.test(hostname()))
        expect(doc.machine.hostname).toBe(hostname());
      expect(Date.parse(doc.machine.capturedAt)).toBeGreaterThanOrEqual(before - 1000);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('with evidence flags only with --identity; refused when an input has its own identity', () => {
    const plain = JSON.parse(coco(['snapshot', '--example', 'sev-plain']).stdout) as { machine?: unknown };
    expect(plain.machine).toBeUndefined();
    const stamped = JSON.parse(coco(['snapshot', '--example', 'sev-plain', '--identity']).stdout) as {
      machine?: { capturedAt: string };
    };
    expect(stamped.machine?.capturedAt).toMatch(/^\d{4}-/);
    const file = join(dir, 'has-identity.json');
    writeFileSync(file, JSON.stringify({ format: 'coco-snapshot/1', machine: { hostname: 'db-1' } }));
    const kept = JSON.parse(coco(['snapshot', '--snapshot', file]).stdout) as { machine?: unknown };
    expect(kept.machine).toEqual({ hostname: 'db-1' });
    const refused = coco(['snapshot', '--snapshot', file, '--identity']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/^coco: USAGE: --identity: /);
  });
});
