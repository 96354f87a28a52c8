import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, coco, lines, requireBuilt } from './helpers/cli.js';

beforeAll(requireBuilt);

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

describe('coco attrs', () => {
  it('--json lists each type and variant with the facts §2 attributes', () => {
    const run = coco(['attrs', '--json']);
    expect(run.status).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.format).toBe('coco-attrs/1');
    const column = (type: string, variant: string | null) =>
      doc.types.find(
        (t: { type: string; variant: string | null }) => t.type === type && t.variant === variant,
      );
    const sorted = (c: { attributes: string[] }) => [...c.attributes].sort();
    expect(sorted(column('tdx', null))).toEqual([
      'guest-mem-encrypt',
      'guest-unroll-string-io',
      'mem-encrypt',
    ]);
    expect(sorted(column('amd-vtom', null))).toEqual(['guest-mem-encrypt', 'mem-encrypt']);
    expect(sorted(column('amd-cbit', 'sme'))).toEqual(['host-mem-encrypt', 'mem-encrypt']);
    expect(sorted(column('amd-cbit', 'sev'))).toEqual([
      'guest-mem-encrypt',
      'guest-unroll-string-io',
      'mem-encrypt',
    ]);
    expect(sorted(column('amd-cbit', 'sev-es'))).toEqual([
      'guest-mem-encrypt',
      'guest-state-encrypt',
      'mem-encrypt',
    ]);
    expect(sorted(column('amd-cbit', 'sev-snp'))).toEqual([
      'guest-mem-encrypt',
      'guest-sev-snp',
      'guest-state-encrypt',
      'mem-encrypt',
    ]);
    expect(
      column('amd-cbit', 'sev-snp').conditional.map((c: { attribute: string }) => c.attribute),
    ).toContain('guest-snp-secure-tsc');
    expect(doc.attributes.map((a: { kernelName: string }) => a.kernelName)).toContain(
      'CC_ATTR_GUEST_UNROLL_STRING_IO',
    );
  });

  it('draws the table: attributes down, types and variants across', () => {
    const run = coco(['attrs']);
    expect(run.status).toBe(0);
    const out = lines(run.stdout);
    const header = out.find((l) => l.includes('amd-vtom'));
    expect(header).toMatch(/tdx\s+amd-cbit\s+amd-cbit\s+amd-cbit\s+amd-cbit\s+amd-vtom/);
    expect(out.find((l) => l.startsWith('guest-unroll-string-io'))).toMatch(
      /^guest-unroll-string-io\s+yes\s+-\s+yes\s+-\s+-\s+-$/,
    );
    expect(out.find((l) => l.startsWith('systemd --cvm'))).toMatch(
      /tdx\s+none\s+sev\s+sev-es\s+sev-snp\s+sev-snp/,
    );
  });
});

describe('coco pte', () => {
  const pte = (args: string[]) => {
    const run = coco(['pte', ...args, '--json']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    return JSON.parse(run.stdout);
  };

  it('amd-cbit encrypts by setting the C-bit (facts §1)', () => {
    const doc = pte(['0x8000000123456063', '--type', 'amd-cbit', '--mask-bit', '51', '--encrypt']);
    expect(Object.keys(doc)).toEqual([
      '$schema',
      'format',
      'input',
      'output',
      'encrypted',
      'maskBit',
      'encryptedWhen',
    ]);
    expect(doc).toEqual({
      $schema: 'https://raw.githubusercontent.com/coco-project/coco/main/schemas/coco-pte-1.schema.json',
      format: 'coco-pte/1',
      input: '0x8000000123456063',
      output: '0x8008000123456063',
      encrypted: true,
      maskBit: 51,
      encryptedWhen: 'set',
    });
  });

  it('tdx encrypts by clearing the shared bit; amd-vtom decrypts by setting the boundary bit', () => {
    expect(pte(['0x8008000123456063', '--type', 'tdx', '--mask-bit', '51', '--encrypt'])).toMatchObject({
      output: '0x8000000123456063',
      encrypted: true,
      encryptedWhen: 'clear',
    });
    expect(pte(['0x123456063', '--type', 'amd-vtom', '--mask-bit', '46', '--decrypt'])).toMatchObject({
      output: '0x400123456063',
      encrypted: false,
      maskBit: 46,
      encryptedWhen: 'clear',
    });
  });

  it('decodes without marking: output is the input', () => {
    expect(pte(['0x400123456063', '--type', 'amd-vtom', '--mask-bit', '46'])).toMatchObject({
      input: '0x400123456063',
      output: '0x400123456063',
      encrypted: false,
    });
    expect(pte(['4886716515', '--type', 'amd-cbit', '--mask-bit', '47', '--variant', 'sev'])).toMatchObject({
      input: '0x123456063',
      encrypted: false,
      encryptedWhen: 'set',
    });
  });

  it('draws the 64-bit layout with the mask bit marked, before and after', () => {
    const run = coco(['pte', '0x8000000123456063', '--type', 'amd-cbit', '--mask-bit', '51', '--encrypt']);
    expect(run.status).toBe(0);
    const out = lines(run.stdout);
    const before = out.find((l) => l.startsWith('before '));
    const after = out.find((l) => l.startsWith('after '));
    const caret = out.find((l) => l.includes('^ bit 51'));
    expect(before).toBeDefined();
    const start = (before as string).search(/[01]{64}$/);
    // Bit 63 is the first digit; bit 51 is 12 digits later.
    expect((before as string)[start]).toBe('1');
    expect((before as string)[start + 12]).toBe('0');
    expect((after as string)[start + 12]).toBe('1');
    expect((caret as string).indexOf('^')).toBe(start + 12);
    expect(run.stdout).toMatch(/fields\s+X<-+ign\/PK-+><-+physical address 51..12-+>avlGSDACTUWP/);
    expect(run.stdout).toMatch(/flags\s+NX D A RW P\s+NX D A RW P/);
  });
});

describe('coco examples', () => {
  it('lists the six bundled machines and prints one as coco-snapshot/1', () => {
    const run = coco(['examples', '--json']);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).examples.map((e: { name: string }) => e.name)).toEqual([
      'azure-snp-paravisor',
      'azure-tdx-paravisor',
      'azure-tdx-no-paravisor',
      'snp-cbit-51',
      'sev-plain',
      'not-confidential',
    ]);
    expect(coco(['examples']).stdout).toContain('azure-tdx-no-paravisor');
    const snap = JSON.parse(coco(['examples', 'azure-snp-paravisor']).stdout);
    expect(snap.format).toBe('coco-snapshot/1');
    expect(snap.msr).toEqual({ '0xc0010131': '0x103df' });
    expect(snap.cpuid).toContainEqual({
      leaf: '0x4000000c',
      subleaf: '0x0',
      eax: '0x1',
      ebx: '0xba2',
      ecx: '0x0',
      edx: '0x0',
    });
    expect(snap.kernelLog.join('\n')).toContain('Hyper-V: Isolation Config: Group A 0x1, Group B 0xba2');
  });
});

describe('--help on every command', () => {
  for (const command of ['detect', 'explain', 'snapshot', 'attrs', 'pte', 'examples']) {
    it(`coco ${command} --help`, () => {
      const run = coco([command, '--help']);
      expect(run.status).toBe(0);
      expect(run.stdout.startsWith(`Usage: coco ${command}`)).toBe(true);
      expect(run.stdout).toContain('--plugin MODULE');
    });
  }
  it('coco --version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(join(FIXTURES, '..', '..', 'package.json'), 'utf8'));
    const run = coco(['--version']);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`${version}\n`);
  });

  it('coco --help lists the commands', () => {
    const run = coco(['--help']);
    expect(run.status).toBe(0);
    for (const command of ['detect', 'explain', 'snapshot', 'attrs', 'pte', 'examples']) {
      expect(run.stdout).toMatch(new RegExp(`^  ${command}\\s`, 'm'));
    }
  });
});

describe('a reader that goes away', () => {
  it('coco snapshot | head -1 ends quietly (no EPIPE stack trace)', () => {
    const run = spawnSync(
      'sh',
      ['-c', `"${process.execPath}" "${BIN}" examples azure-snp-paravisor | head -1`],
      {
        encoding: 'utf8',
      },
    );
    expect(run.stdout).toBe('{\n');
    expect(run.stderr).toBe('');
  });
});

describe('--plugin', () => {
  it('loads a module that imports nothing and adds its type and attribute to attrs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coco-plugin-'));
    writeFileSync(
      join(dir, 'tiny.mjs'),
      `export default {
  kind: 'backend', id: 'tiny-realm', packageName: 'tiny-realm', interfaceVersion: 1,
  attributes: [{ id: 'tiny:quiet-io', kernelName: 'TINY_QUIET_IO', description: 'Quiet I/O.' }],
  variants: [{ variant: null, title: 'Tiny Realm', attributes: ['mem-encrypt', 'tiny:quiet-io'], cvm: 'none' }],
  createType() { throw new Error('not used'); },
  detect() { return null; },
};
`,
    );
    const run = coco(['attrs', '--json', '--plugin', './tiny.mjs'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.types.find((t: { type: string }) => t.type === 'tiny-realm').attributes).toEqual([
      'mem-encrypt',
      'tiny:quiet-io',
    ]);
    expect(doc.attributes.map((a: { id: string }) => a.id)).toContain('tiny:quiet-io');
  });

  it('loads an installed package by name from the working directory (its exports "import" entry)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coco-pkg-'));
    const pkg = join(dir, 'node_modules', '@acme', 'coco-tiny');
    mkdirSync(join(pkg, 'dist'), { recursive: true });
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({
        name: '@acme/coco-tiny',
        type: 'module',
        exports: { '.': { types: './x.d.ts', import: './dist/index.js' } },
      }),
    );
    writeFileSync(
      join(pkg, 'dist', 'index.js'),
      "export default [{ kind: 'backend', id: 'acme-tiny', packageName: '@acme/coco-tiny', interfaceVersion: 1, variants: [{ variant: null, title: 'Acme Tiny', attributes: ['mem-encrypt'], cvm: 'none' }], createType() { throw new Error('unused'); }, detect() { return null; } }];\n",
    );
    const nested = join(dir, 'some', 'project');
    mkdirSync(nested, { recursive: true });
    const run = coco(['attrs', '--json', '--plugin', '@acme/coco-tiny'], { cwd: nested });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).types.map((t: { type: string }) => t.type)).toContain('acme-tiny');
  });

  it('detects with a plugin that imports its own copy of @coco/core', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coco-acme-'));
    writeFileSync(join(dir, 'cpuinfo'), 'processor\t: 0\nflags\t\t: fpu hypervisor acme_realm\n');
    const run = coco([
      'detect',
      '--json',
      '--cpuinfo',
      join(dir, 'cpuinfo'),
      '--plugin',
      join(FIXTURES, 'acme-plugin.mjs'),
    ]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      type: 'acme-realm',
      attributes: ['acme:sealed-io', 'guest-mem-encrypt', 'mem-encrypt'],
      maskBit: 40,
      mask: '0x10000000000',
      encryptedWhen: 'set',
      cvm: 'acme',
    });
  });
});
