// A second hostile review, each finding through the built command with its exit status and
// message. Every case failed before its fix.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coco, lines, requireBuilt } from './helpers/cli.js';
import { AZURE_SNP_MACHINE, writeTree } from './helpers/tree.js';

const dir = mkdtempSync(join(tmpdir(), 'coco-hostile-round2-'));
beforeAll(requireBuilt);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface FleetRecord {
  source: string;
  detection?: unknown;
  error?: { code: string; message: string };
}
const records = (stdout: string) => lines(stdout).map((l) => JSON.parse(l) as FleetRecord);

describe('coco fleet DIR: every *.json entry is a record', () => {
  it('a FIFO, a symbolic link loop and a link to a device are error records, never dropped or opened', () => {
    const fleet = join(dir, 'fleet');
    mkdirSync(fleet);
    writeFileSync(join(fleet, 'good.json'), coco(['examples', 'snp-cbit-51']).stdout);
    execFileSync('mkfifo', [join(fleet, 'fifo.json')]);
    symlinkSync('loop.json', join(fleet, 'loop.json'));
    symlinkSync('/dev/zero', join(fleet, 'zero.json'));
    symlinkSync('nowhere.json', join(fleet, 'dangling.json'));
    const started = Date.now();
    const run = coco(['fleet', '--summary', fleet], { timeout: 15_000 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(run.status).toBe(2);
    const bySource = new Map(records(run.stdout).map((r) => [r.source.slice(fleet.length + 1), r]));
    expect([...bySource.keys()]).toEqual([
      'dangling.json',
      'fifo.json',
      'good.json',
      'loop.json',
      'zero.json',
    ]);
    expect(bySource.get('good.json')?.detection).toBeDefined();
    expect(bySource.get('fifo.json')?.error).toEqual({
      code: 'FILE_UNREADABLE',
      message: expect.stringMatching(
        /fifo\.json: it is a FIFO, .*Fix: copy the snapshot into a regular file$/,
      ),
    });
    expect(bySource.get('zero.json')?.error?.message).toMatch(/it is a character device/);
    expect(bySource.get('loop.json')?.error).toEqual({
      code: 'FILE_UNREADABLE',
      message: `${join(fleet, 'loop.json')}: a symbolic link loop. Fix: remove the symbolic link loop`,
    });
    expect(bySource.get('dangling.json')?.error?.code).toBe('FILE_NOT_FOUND');
    expect(bySource.get('dangling.json')?.error?.message).toMatch(
      /a dangling symbolic link\. Fix: point the link/,
    );
    expect(run.stderr).toMatch(/4 unreadable/);
  });

  it('an explicit path that is a symbolic link loop says "symbolic link loop", not "dangling"', () => {
    const loop = join(dir, 'explicit-loop.json');
    symlinkSync(loop, loop);
    const run = coco(['fleet', loop]);
    expect(run.status).toBe(2);
    expect(records(run.stdout)[0]?.error?.message).toBe(
      `${loop}: a symbolic link loop. Fix: remove the symbolic link loop`,
    );
  });
});

describe('coco fleet --jobs N: at most one worker thread per core', () => {
  it('a --jobs above the core count is cut to it, said once on stderr, with the same output', () => {
    const cores = availableParallelism();
    const fleet = join(dir, 'jobs');
    mkdirSync(fleet);
    for (let i = 0; i < 3; i++)
      writeFileSync(join(fleet, `m${i}.json`), coco(['examples', 'sev-plain']).stdout);
    const many = coco(['fleet', '--jobs', '1024', fleet]);
    expect(many.status).toBe(0);
    expect(many.stderr).toBe(
      `coco fleet: --jobs 1024 is more than the ${cores} cores: using ${cores} worker threads\n`,
    );
    const fit = coco(['fleet', '--jobs', String(cores), fleet]);
    expect(fit.stderr).toBe('');
    expect(many.stdout).toBe(fit.stdout);
    expect(lines(many.stdout)).toHaveLength(3);
  });
});

describe('--root: a file over 16 MiB is a note saying so, never parsed cut off', () => {
  it('proc/cpuinfo, a saved dmesg and sosreport cpuid_-r over the limit are "not read" with their size', () => {
    const tree = join(dir, 'big-tree');
    mkdirSync(join(tree, 'proc'), { recursive: true });
    mkdirSync(join(tree, 'sos_commands', 'processor'), { recursive: true });
    // Sparse files: no disk space, and coco must not read them to know their size.
    const sparse = (path: string, size: number) => {
      writeFileSync(path, '');
      truncateSync(path, size);
    };
    sparse(join(tree, 'proc', 'cpuinfo'), 2 * 1024 ** 3);
    sparse(join(tree, 'dmesg'), 16 * 1024 * 1024 + 1);
    sparse(join(tree, 'sos_commands', 'processor', 'cpuid_-r'), 3 * 1024 ** 3);
    const started = Date.now();
    const run = coco(['detect', '--root', tree]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(run.status).toBe(4);
    expect(run.stdout).toContain(
      "/proc/cpuinfo: larger than 16 MiB (2147483648 bytes): not read; copy the running machine's /proc/cpuinfo into the tree again",
    );
    expect(run.stdout).toContain(
      `${join(tree, 'dmesg')}: larger than 16 MiB (16777217 bytes): not read; save only the boot's kernel log there (journalctl -k -b > FILE)`,
    );
    expect(run.stdout).toContain(
      `${join(tree, 'sos_commands/processor/cpuid_-r')}: larger than 16 MiB (3221225472 bytes): not read; save the machine's cpuid -r output there again`,
    );
  });
});

describe("a plugin's probe facts are credited to what that probe read", () => {
  // A fact kind of its own, one fact added without reading anything; another probe (x86's CPUID)
  // reads a device first.
  const plugin = (body: string) => {
    const path = join(dir, `probe-${Math.random().toString(36).slice(2)}.mjs`);
    writeFileSync(
      path,
      `const KIND = { id: 'acme.k', title: 'acme k', decode: (j) => j, encode: (v) => v, describeKey: (k) => 'k ' + k };
export default { kind: 'hypervisor', id: 'acme:codec', packageName: 'codec', interfaceVersion: 2,
  detect() { return null; }, facts: [KIND],
  probes: { facts: [{ kind: KIND, run(io, sink) { ${body} } }] } };
`,
    );
    return path;
  };

  it("a probe that read nothing is its kind's source, never another probe's device", () => {
    const root = writeTree(AZURE_SNP_MACHINE, join(dir, 'probe-tree'));
    const run = coco(['explain', '--plugin', plugin("sink.fact('a', 1);")], {
      env: { COCO_PROBE_ROOT: root },
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/\/dev\/cpu\/0\/cpuid: \d+ x86\.cpuid facts \([^)]*\)\n/);
    expect(run.stdout).toMatch(/\n {2}acme\.k: 1 acme\.k fact \(a\)\n/);
  });

  it('a probe that read a file is credited to that file', () => {
    const root = join(dir, 'probe-tree');
    const body = "const r = io.read('/proc/cpuinfo'); sink.fact('a', r.ok ? 1 : 0);";
    const run = coco(['explain', '--plugin', plugin(body)], { env: { COCO_PROBE_ROOT: root } });
    expect(run.stdout).toMatch(/\n {2}\/proc\/cpuinfo: [^\n]*1 acme\.k fact \(a\)/);
    expect(run.stdout).not.toMatch(/cpuid: [^\n]*acme\.k/);
  });
});

describe("a plugin's createType and type are its code: a failure is PLUGIN_FAILED naming it", () => {
  const backend = (name: string, createType: string, extra = '') => {
    const path = join(dir, `${name}.mjs`);
    writeFileSync(
      path,
      `export default { kind: 'backend', id: 'acme:p', packageName: '@acme/p', interfaceVersion: 2, params: {},
  variants: [{ variant: null, title: 'P', attributes: [], cvm: 'none' }],
  createType() { ${createType} }, detect() { return null; }${extra} };
`,
    );
    return path;
  };
  const FIX = 'Fix: leave the plugin out (--plugin) and report it to the authors of @acme/p\n';

  it.each([
    ['throw-error', "throw new Error('ct boom');", 'its createType threw "ct boom"'],
    ['throw-null', 'throw null;', 'its createType threw null'],
    ['throw-string', "throw 'a string';", 'its createType threw "a string"'],
    [
      'not-a-type',
      "return { id: 'acme:p' };",
      'its createType returned no valid type (type: not a type built by createType)',
    ],
  ])('coco pte with a createType that does %s: exit 2, one line', (name, body, problem) => {
    const run = coco(['pte', '0x1000', '--type', 'acme:p', '--plugin', backend(name, body)]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`coco: PLUGIN_FAILED: plugin acme:p (@acme/p): ${problem}. ${FIX}`);
  });

  it('coco attrs with variants that throw when read: exit 2 naming the plugin', () => {
    const path = join(dir, 'variants-getter.mjs');
    writeFileSync(
      path,
      `let n = 0;
export default { kind: 'backend', id: 'acme:p', packageName: '@acme/p', interfaceVersion: 2, params: {},
  get variants() { if (n++ > 0) throw new Error('variants boom'); return [{ variant: null, title: 'P', attributes: [], cvm: 'none' }]; },
  createType() { return null; }, detect() { return null; } };
`,
    );
    const run = coco(['attrs', '--plugin', path]);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      `coco: PLUGIN_FAILED: plugin acme:p (@acme/p): its variants threw "variants boom". ${FIX}`,
    );
  });
});

describe('error lines do not echo huge input, and their fix matches the cause', () => {
  const HUGE = 'a'.repeat(100_000);

  it.each([
    ['--param HUGE=1', ['pte', '1', '--type', 'amd-cbit', '--param', `${HUGE}=1`], 'PARAMETER_INVALID'],
    ['pte --type HUGE', ['pte', '1', '--type', HUGE], 'USAGE'],
    ['detect --HUGE', ['detect', `--${HUGE}`], 'USAGE'],
    ['--dmesg /nonexistent/HUGE', ['detect', '--dmesg', `/nonexistent/${HUGE}`], 'FILE_NOT_FOUND'],
    ['fleet --jobs HUGE', ['fleet', '--jobs', HUGE, '.'], 'USAGE'],
  ])('coco %s: one short line, each echoed value cut to about 80 characters with "…"', (_, args, code) => {
    const run = coco(args as string[]);
    expect(run.status).toBe(2);
    expect(run.stderr.startsWith(`coco: ${code}: `)).toBe(true);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr.length).toBeLessThan(600);
    expect(run.stderr).toContain('…');
    for (const word of run.stderr.split(/\s+/)) expect(word.length).toBeLessThanOrEqual(81);
  });

  it('an enum of 200,000 values is listed in a fix as its first few and how many', () => {
    const path = join(dir, 'huge-enum.mjs');
    writeFileSync(
      path,
      `export default { kind: 'backend', id: 'acme:p', packageName: '@acme/p', interfaceVersion: 2,
  params: { x: { type: 'enum', values: Array.from({ length: 200000 }, (_, i) => 'v' + i), description: 'x' } },
  variants: [{ variant: null, title: 'P', attributes: [], cvm: 'none' }],
  createType() { return null; }, detect() { return null; } };
`,
    );
    const run = coco(['pte', '1', '--type', 'acme:p', '--param', 'x=zz', '--plugin', path]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /^coco: PARAMETER_INVALID: --param x: x "zz" is not valid\. Fix: give one of v0, v1, v2, [^\n]{0,80}, … \(200000 in all\) \(x\)\n$/,
    );
  });

  it('--param maskBit=99 names --param maskBit, and --mask-bit 99 names --mask-bit', () => {
    const param = coco(['pte', '1', '--type', 'amd-cbit', '--param', 'maskBit=99']);
    expect(param.status).toBe(2);
    expect(param.stderr).toMatch(
      /^coco: PARAMETER_INVALID: --param maskBit: maskBit "99" is not valid\. Fix: give an integer from 12 to 51/,
    );
    const flag = coco(['pte', '1', '--type', 'amd-cbit', '--mask-bit', '99']);
    expect(flag.stderr).toMatch(/^coco: PARAMETER_INVALID: --mask-bit: maskBit "99" is not valid\./);
  });

  it('a symbolic link loop under --root is "remove the symbolic link loop", not "run coco as root"', () => {
    const tree = join(dir, 'loop-tree');
    mkdirSync(join(tree, 'proc'), { recursive: true });
    symlinkSync('cpuinfo', join(tree, 'proc', 'cpuinfo'));
    symlinkSync('dmesg', join(tree, 'dmesg'));
    const run = coco(['detect', '--root', tree]);
    expect(run.status).toBe(4);
    expect(run.stdout).toContain('  /proc/cpuinfo: a symbolic link loop; remove the symbolic link loop\n');
    expect(run.stdout).toContain(
      `  ${join(tree, 'dmesg')}: a symbolic link loop; remove the symbolic link loop\n`,
    );
    expect(run.stdout).not.toMatch(/loop[^\n]*run coco as root/);
    const flag = coco(['detect', '--dmesg', join(tree, 'dmesg')]);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toMatch(
      /^coco: FILE_UNREADABLE: .*a symbolic link loop.*Fix: remove the symbolic link loop\n$/,
    );
  });
});
