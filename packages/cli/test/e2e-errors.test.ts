import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CocoRun, coco, lines, requireBuilt } from './helpers/cli.js';

beforeAll(requireBuilt);

const dir = mkdtempSync(join(tmpdir(), 'coco-bad-'));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

/** Exit 2, exactly one stderr line naming `mentions`, a fix, and no stack trace. */
function expectUsage(run: CocoRun, ...mentions: string[]): string {
  expect(run.status).toBe(2);
  const err = lines(run.stderr);
  expect(err).toHaveLength(1);
  const line = err[0] as string;
  expect(line.startsWith('coco: ')).toBe(true);
  expect(line).toContain('Fix: ');
  expect(line).not.toMatch(/\n\s+at /);
  for (const m of mentions) expect(line).toContain(m);
  return line;
}

const CPU0 = 'CPU 0:\n   0x00000000 0x00: eax=0x00000010 ebx=0x68747541 ecx=0x444d4163 edx=0x69746e65\n';
const SNAPSHOT_ENTRY = { leaf: '0x0', subleaf: '0x0', eax: '0x10', ebx: '0x0', ecx: '0x0', edx: '0x0' };

describe('bad input exits 2 with one line naming the file, the place and the fix', () => {
  it('a missing file', () => {
    expectUsage(
      coco(['detect', '--snapshot', join(dir, 'nope.json')]),
      '--snapshot',
      'nope.json',
      'no such file',
    );
  });

  it('an unreadable file (a directory where a file should be)', () => {
    const d = join(dir, 'a-directory');
    mkdirSync(d, { recursive: true });
    expectUsage(coco(['detect', '--cpuid', d]), '--cpuid', 'a-directory', 'directory');
  });

  it('an unreadable file (a read that fails, even for root)', () => {
    expectUsage(
      coco(['detect', '--dmesg', '/proc/self/mem']),
      '--dmesg /proc/self/mem',
      'cannot be read (EIO)',
    );
  });

  it('a malformed cpuid dump names the line', () => {
    const path = file('cpuid.txt', `${CPU0}   this is not a cpuid line\n`);
    expectUsage(coco(['detect', '--cpuid', path]), 'cpuid.txt', 'line 3');
  });

  it('invalid snapshot JSON names the JSON path', () => {
    const path = file(
      'bad.json',
      JSON.stringify({ format: 'coco-snapshot/1', cpuid: [{ ...SNAPSHOT_ENTRY, ebx: 'zz' }] }),
    );
    expectUsage(coco(['detect', '--snapshot', path]), 'bad.json', '$.cpuid[0].ebx');
    const broken = file('broken.json', '{"format": "coco-snapshot/1",');
    expectUsage(coco(['detect', '--snapshot', broken]), 'broken.json', 'not valid JSON');
    const unknown = file('unknown.json', JSON.stringify({ format: 'coco-snapshot/1', cpuids: [] }));
    expectUsage(coco(['detect', '--snapshot', unknown]), '$.cpuids', 'unknown key');
  });

  it('a value too wide for its register', () => {
    const path = file(
      'wide.json',
      JSON.stringify({ format: 'coco-snapshot/1', cpuid: [{ ...SNAPSHOT_ENTRY, eax: '0x100000000' }] }),
    );
    expectUsage(coco(['detect', '--snapshot', path]), '$.cpuid[0].eax', 'wider than 32 bits');
    expectUsage(coco(['detect', '--msr', '0xc0010131=0x10000000000000000']), '--msr', 'wider than 64 bits');
    expectUsage(
      coco(['pte', '0x10000000000000000', '--type', 'tdx', '--mask-bit', '51']),
      'VALUE',
      'wider than 64 bits',
    );
  });

  it('an unknown flag, an unknown command, a missing flag value', () => {
    expectUsage(coco(['detect', '--bogus']), 'unknown flag --bogus', 'coco detect --help');
    expectUsage(coco(['attrs', '-z']), 'unknown flag -z');
    expectUsage(coco(['detecc']), 'unknown command "detecc"');
    expectUsage(coco(['detect', '--snapshot']), '--snapshot', 'needs a value');
  });

  it('bad values: an unknown example, a GPAW that is not 48 or 52, pte flags', () => {
    expectUsage(coco(['detect', '--example', 'azure-nope']), '--example azure-nope', 'azure-snp-paravisor');
    expectUsage(coco(['detect', '--tdx-gpaw', '50']), '--tdx-gpaw', '48 or 52');
    expectUsage(coco(['pte', '0x1', '--type', 'nope', '--mask-bit', '51']), '--type nope', 'amd-cbit');
    expectUsage(coco(['pte', '0x1', '--type', 'tdx', '--mask-bit', '60']), 'mask', '12');
    expectUsage(
      coco(['pte', '0x1', '--type', 'tdx', '--mask-bit', '51', '--encrypt', '--decrypt']),
      '--encrypt and --decrypt',
    );
  });

  it('a --plugin module that does not exist', () => {
    expectUsage(
      coco(['attrs', '--plugin', './missing-plugin.mjs'], { cwd: dir }),
      '--plugin ./missing-plugin.mjs',
      'module not found',
    );
    expectUsage(
      coco(['attrs', '--plugin', 'no-such-coco-plugin-package'], { cwd: dir }),
      'no-such-coco-plugin-package',
      'not found',
    );
  });

  it('a --plugin module without a plugin default export', () => {
    file('named.mjs', 'export const plugin = {};\n');
    expectUsage(
      coco(['attrs', '--plugin', './named.mjs'], { cwd: dir }),
      '--plugin ./named.mjs',
      'no default export',
    );
    file('number.mjs', 'export default 42;\n');
    expectUsage(coco(['attrs', '--plugin', './number.mjs'], { cwd: dir }), 'not a coco plugin');
    file(
      'future.mjs',
      "export default { kind: 'backend', id: 'future', packageName: 'future', interfaceVersion: 9, variants: [], detect() { return null; }, createType() {} };\n",
    );
    expectUsage(
      coco(['attrs', '--plugin', './future.mjs'], { cwd: dir }),
      '--plugin ./future.mjs',
      'version 9',
    );
    file('broken.mjs', 'export default {\n');
    expectUsage(
      coco(['attrs', '--plugin', './broken.mjs'], { cwd: dir }),
      '--plugin ./broken.mjs',
      'loading it failed',
    );
  });
});
