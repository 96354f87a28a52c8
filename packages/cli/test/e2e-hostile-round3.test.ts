// A third hostile review (the streaming kernel-log reader, coco fleet with plugins, what a plugin
// is handed), each finding through the built command with its exit status and message. Every case
// failed before its fix.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coco, lines, requireBuilt } from './helpers/cli.js';

const here = dirname(fileURLToPath(import.meta.url));
const BOOT = readFileSync(
  join(here, '..', '..', '..', 'tools', 'bench', 'fixtures', 'boot-dmesg.txt'),
  'utf8',
);
const dir = mkdtempSync(join(tmpdir(), 'coco-hostile-round3-'));
beforeAll(requireBuilt);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const verdict = (stdout: string) => {
  const d = JSON.parse(stdout);
  return { confidential: d.confidential, type: d.type, variant: d.variant, cvm: d.cvm };
};

interface FleetRecord {
  source: string;
  detection?: {
    confidential: boolean | null;
    type: string | null;
    variant: string | null;
    cvm: string | null;
  };
  error?: { code: string; message: string };
}
const records = (stdout: string) => lines(stdout).map((l) => JSON.parse(l) as FleetRecord);

describe('a kernel log whose lines end with CR alone', () => {
  // The boot log after 1.2 MiB of other lines, every line ended by CR alone (an old Mac editor, a
  // serial console capture): past the 1 MiB bound of one LF-ended line.
  const [banner, ...rest] = BOOT.split('\n').filter((l) => l !== '');
  const filler = Array.from(
    { length: 40_000 },
    (_, i) => `[    0.00${String(i % 10_000).padStart(4, '0')}] filler ${i}`,
  );
  const log = [banner, ...filler, ...rest, ''];

  it('detects as the same log with LF endings, from a file and from standard input', () => {
    const lf = coco(['detect', '--dmesg', file('lf.log', log.join('\n')), '--json']);
    expect(lf.status).toBe(0);
    expect(verdict(lf.stdout).type).toBe('amd-vtom');
    const cr = coco(['detect', '--dmesg', file('cr.log', log.join('\r')), '--json']);
    expect(cr.status).toBe(0);
    expect(verdict(cr.stdout)).toEqual(verdict(lf.stdout));
    const stdin = coco(['detect', '--dmesg', '-', '--json'], { input: log.join('\r') });
    expect(stdin.status).toBe(0);
    expect(verdict(stdin.stdout)).toEqual(verdict(lf.stdout));
  });
});

describe('a snapshot line with hundreds of thousands of CRs', () => {
  it('is read by coco detect as coco fleet reads it, not refused as a stack overflow', () => {
    const snapshot = JSON.parse(coco(['examples', 'snp-cbit-51']).stdout);
    snapshot.kernelLog = [`[    0.000000] x${'\r'.repeat(300_000)}[    0.100000] random: crng init done`];
    mkdirSync(join(dir, 'cr-fleet'));
    const path = file(join('cr-fleet', 'cr.json'), JSON.stringify(snapshot));
    const detect = coco(['detect', '--snapshot', path, '--json']);
    expect(detect.stderr).toBe('');
    expect(detect.status).toBe(0);
    const fleet = coco(['fleet', join(dir, 'cr-fleet')]);
    expect(fleet.status).toBe(0);
    const [record] = records(fleet.stdout);
    expect(verdict(JSON.stringify(record?.detection))).toEqual(verdict(detect.stdout));
    expect(verdict(detect.stdout)).toMatchObject({
      confidential: true,
      type: 'amd-cbit',
      variant: 'sev-snp',
    });
  });
});

describe('a hypervisor plugin that edits the answer a backend gave it', () => {
  it('cannot turn the backend into no claim: the plugin is skipped with a warning', () => {
    const plugin = file(
      'editor.mjs',
      `export default {
        kind: 'hypervisor', id: 'editor', packageName: 'editor', interfaceVersion: 2,
        detect(evidence, context) {
          const said = context.ask('amd-cbit', '@coco/amd-cbit');
          if (said && 'type' in said) said.type = null;
          return null;
        },
      };\n`,
    );
    const alone = coco(['detect', '--example', 'snp-cbit-51', '--json']);
    const run = coco(['detect', '--example', 'snp-cbit-51', '--plugin', plugin, '--json']);
    expect(run.status).toBe(0);
    expect(verdict(run.stdout)).toEqual(verdict(alone.stdout));
    expect(verdict(run.stdout)).toMatchObject({ confidential: true, type: 'amd-cbit', variant: 'sev-snp' });
    expect(JSON.parse(run.stdout).warnings).toEqual([
      expect.stringMatching(/^plugin editor \(editor\) failed during detection and was skipped: /),
    ]);
  });
});

describe('a hypervisor plugin that replaces a backend it is given', () => {
  it('cannot silence it, in coco detect or in any machine of coco fleet', () => {
    const plugin = file(
      'replacer.mjs',
      `export default {
        kind: 'hypervisor', id: 'replacer', packageName: 'replacer', interfaceVersion: 2,
        detect(evidence, context) {
          const backend = context.backend('amd-cbit', '@coco/amd-cbit');
          try { backend.detect = () => null; } catch {}
          try { Object.defineProperty(backend, 'detect', { value: () => null }); } catch {}
          return null;
        },
      };\n`,
    );
    const run = coco(['detect', '--example', 'snp-cbit-51', '--plugin', plugin, '--json']);
    expect(run.status).toBe(0);
    expect(verdict(run.stdout)).toMatchObject({ confidential: true, type: 'amd-cbit', variant: 'sev-snp' });
    const fleet = join(dir, 'replaced-fleet');
    mkdirSync(fleet);
    const snapshot = coco(['examples', 'snp-cbit-51']).stdout;
    for (const name of ['a.json', 'b.json', 'c.json']) writeFileSync(join(fleet, name), snapshot);
    const many = coco(['fleet', fleet, '--jobs', '1', '--plugin', plugin]);
    expect(many.status).toBe(0);
    expect(records(many.stdout).map((r) => r.detection?.type)).toEqual(['amd-cbit', 'amd-cbit', 'amd-cbit']);
  });
});

describe('coco fleet with --plugin', () => {
  const plugin = (name: string, body: string) =>
    file(
      `${name}.mjs`,
      `${body.includes('await new Promise') ? body : ''}
      export default {
        kind: 'hypervisor', id: '${name}', packageName: '${name}', interfaceVersion: 2,
        detect() { ${body.includes('await new Promise') ? 'return null;' : body} },
      };\n`,
    );
  const fleetOf = (name: string, machines: number) => {
    const path = join(dir, name);
    mkdirSync(path);
    const snapshot = coco(['examples', 'snp-cbit-51']).stdout;
    for (let i = 0; i < machines; i++)
      writeFileSync(join(path, `m${String(i).padStart(4, '0')}.json`), snapshot);
    return path;
  };

  it('holds each machine to --plugin-timeout, not the whole run, and loses no record', () => {
    // 30 ms a machine, 150 machines on one thread: 4.5 s, more than the limit of 1 s.
    const slow = plugin(
      'slow',
      'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30); return null;',
    );
    const fleet = fleetOf('slow-fleet', 150);
    const run = coco(['fleet', fleet, '--jobs', '1', '--plugin', slow, '--plugin-timeout', '1'], {
      timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const got = records(run.stdout);
    expect(got).toHaveLength(150);
    expect(got.map((r) => r.source)).toEqual([...got.map((r) => r.source)].sort());
    expect(got.every((r) => r.detection?.type === 'amd-cbit')).toBe(true);
  }, 90_000);

  it('ends a plugin that never returns with PLUGIN_TIMEOUT naming the plugin and the machine', () => {
    const hang = plugin('hang', 'for (;;) {}');
    const fleet = fleetOf('hang-fleet', 3);
    const started = Date.now();
    const run = coco(['fleet', fleet, '--plugin', hang, '--plugin-timeout', '1'], { timeout: 30_000 });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(run.status).toBe(2);
    expect(lines(run.stderr)).toEqual([
      expect.stringMatching(
        /^coco: PLUGIN_TIMEOUT: --plugin .*hang\.mjs: deciding machine .*hang-fleet\/m000\d\.json did not finish within 1 s .*--plugin-timeout SECONDS \(now 1 s\)$/,
      ),
    ]);
  });

  it('names the plugin, never "internal error", when a plugin ends or breaks its worker', () => {
    const fleet = fleetOf('broken-fleet', 400);
    const cases: [string, string, RegExp][] = [
      [
        'quitter',
        'process.exit(0);',
        /^coco: PLUGIN_FAILED: --plugin .*quitter\.mjs: a plugin ended the command \(process\.exit\(0\)\)\. Fix: leave the plugin out/,
      ],
      [
        'waiter',
        'await new Promise(() => {});',
        /^coco: PLUGIN_TIMEOUT: --plugin .*waiter\.mjs: loading the plugins can never finish/,
      ],
      [
        'later',
        // A rejection nothing handles ends the worker right after the batch's call returns (a
        // timer's throw would race the end of the run).
        "Promise.reject(new Error('later boom')); return null;",
        /^coco: PLUGIN_FAILED: --plugin .*later\.mjs: a plugin threw outside any call coco made \(later boom\)/,
      ],
    ];
    for (const [name, body, line] of cases) {
      const run = coco(['fleet', fleet, '--jobs', '1', '--plugin', plugin(name, body)], { timeout: 60_000 });
      expect(run.status, name).toBe(2);
      expect(lines(run.stderr), name).toEqual([expect.stringMatching(line)]);
    }
  }, 120_000);
});
