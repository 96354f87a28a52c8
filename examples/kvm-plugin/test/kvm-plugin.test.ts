// The plugin as an outsider meets it: built, packed into a tarball next to the packed @coco/*
// packages, installed into a fresh project outside the workspace (no registry), and used from a
// child `node` process through the public API only. Needs the build first
// (`pnpm exec turbo run build`; CI's test command runs it before vitest).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const pluginDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(pluginDir, '../..');

/** The workspace's packing module (plain .mjs): `pnpm pack` as publishing would do it. */
interface Packing {
  packPackages(destination: string, names: readonly string[]): Map<string, string>;
}
const packModule = join(repoRoot, 'tools/packaging/pack.mjs');
const NEEDED = ['@coco/core', '@coco/x86', '@coco/amd-cbit', '@coco/tdx'];

const KVM_LEAF = {
  leaf: '0x40000000',
  subleaf: '0x0',
  eax: '0x40000001',
  ebx: '0x4b4d564b',
  ecx: '0x564b4d56',
  edx: '0x4d',
};

// An AMD SEV-SNP guest on KVM: C-bit 51 (CPUID 0x8000001F EBX[5:0] = 0x33), SEV status SEV|ES|SNP.
const SNP_SNAPSHOT = {
  format: 'coco-snapshot/1',
  cpuid: [
    { leaf: '0x1', subleaf: '0x0', eax: '0xa10f11', ebx: '0x800', ecx: '0xfef83203', edx: '0x178bfbff' },
    KVM_LEAF,
    {
      leaf: '0x80000000',
      subleaf: '0x0',
      eax: '0x80000021',
      ebx: '0x68747541',
      ecx: '0x444d4163',
      edx: '0x69746e65',
    },
    { leaf: '0x8000001f', subleaf: '0x0', eax: '0x0101fd3f', ebx: '0x4173', ecx: '0x1fd', edx: '0x80' },
  ],
  msr: { '0xc0010131': '0x7' },
};

// An Intel TDX guest on KVM: leaf 0x21 "IntelTDX    " valid (max basic leaf 0x23), GPAW 52.
const TDX_SNAPSHOT = {
  format: 'coco-snapshot/1',
  cpuid: [
    { leaf: '0x0', subleaf: '0x0', eax: '0x23', ebx: '0x756e6547', ecx: '0x6c65746e', edx: '0x49656e69' },
    { leaf: '0x21', subleaf: '0x0', eax: '0x0', ebx: '0x65746e49', ecx: '0x20202020', edx: '0x5844546c' },
    KVM_LEAF,
  ],
  tdx: { gpaw: 52 },
};

const CONSUMER = `
import { amdCbitBackend } from '@coco/amd-cbit';
import { detect, parseSnapshot, use } from '@coco/core';
import { tdxBackend } from '@coco/tdx';
import kvmPlugin from 'coco-plugin-kvm';

use(kvmPlugin, amdCbitBackend, tdxBackend).seal();
const [snp, tdx] = JSON.parse(process.argv[2]).map((s) => detect(parseSnapshot(s)));
console.log(JSON.stringify({ snp, tdx }));
`;

let work = '';
let printed: {
  snp: Record<string, unknown>;
  tdx: Record<string, unknown>;
};

beforeAll(async () => {
  const missing = [
    join(repoRoot, 'packages/core/dist/index.js'),
    join(repoRoot, 'packages/amd-cbit/dist/index.js'),
    join(repoRoot, 'packages/tdx/dist/index.js'),
    join(pluginDir, 'dist/index.js'),
  ].filter((f) => !existsSync(f));
  if (missing.length > 0) {
    throw new Error(`build first (pnpm exec turbo run build); missing: ${missing.join(', ')}`);
  }
  work = mkdtempSync(join(tmpdir(), 'coco-kvm-plugin-'));
  const tarballDir = join(work, 'tarballs');
  const { packPackages } = (await import(packModule)) as Packing;
  const tarballs = packPackages(tarballDir, NEEDED);
  const packed = execFileSync('pnpm', ['pack', '--pack-destination', tarballDir], {
    cwd: pluginDir,
    encoding: 'utf8',
  });
  const pluginTarball = resolve(pluginDir, packed.trim().split('\n').pop()!.trim());

  const project = join(work, 'project');
  mkdirSync(project, { recursive: true });
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  execFileSync(
    'npm',
    [
      'install',
      '--offline',
      '--no-audit',
      '--no-fund',
      '--no-package-lock',
      ...tarballs.values(),
      pluginTarball,
    ],
    { cwd: project, stdio: 'pipe', env: { ...process.env, npm_config_cache: join(work, 'npm-cache') } },
  );
  writeFileSync(join(project, 'main.mjs'), CONSUMER);
  const out = execFileSync(process.execPath, ['main.mjs', JSON.stringify([SNP_SNAPSHOT, TDX_SNAPSHOT])], {
    cwd: project,
    encoding: 'utf8',
  });
  printed = JSON.parse(out);
}, 60_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('coco-plugin-kvm, packed and installed as an outsider would', () => {
  it('installs with its peer range made concrete, next to one copy of @coco/core', () => {
    const project = join(work, 'project');
    const pkg = JSON.parse(readFileSync(join(project, 'node_modules/coco-plugin-kvm/package.json'), 'utf8'));
    expect(pkg.peerDependencies['@coco/core']).not.toMatch(/^workspace:/);
    expect(existsSync(join(project, 'node_modules/coco-plugin-kvm/node_modules/@coco/core'))).toBe(false);
  });

  it('detects a KVM SEV-SNP guest: amd-cbit sev-snp composed by kvm, C-bit 51', () => {
    expect(printed.snp).toMatchObject({
      format: 'coco-detection/1',
      confidential: true,
      type: 'amd-cbit',
      variant: 'sev-snp',
      hypervisor: 'kvm',
      paravisor: false,
      attributes: ['guest-mem-encrypt', 'guest-sev-snp', 'guest-state-encrypt', 'mem-encrypt'],
      mask: '0x8000000000000',
      maskBit: 51,
      encryptedWhen: 'set',
      cvm: 'sev-snp',
      warnings: [],
    });
    expect(printed.snp.evidence).toContainEqual({
      source: 'cpuid',
      says: 'CPUID 0x40000000 reads "KVMKVMKVM\\0\\0\\0": a KVM guest',
      by: 'kvm',
    });
  });

  it('detects a KVM TDX guest: tdx composed by kvm, shared bit 51 from GPAW 52', () => {
    expect(printed.tdx).toMatchObject({
      format: 'coco-detection/1',
      confidential: true,
      type: 'tdx',
      variant: null,
      hypervisor: 'kvm',
      paravisor: false,
      attributes: ['guest-mem-encrypt', 'guest-unroll-string-io', 'mem-encrypt'],
      mask: '0x8000000000000',
      maskBit: 51,
      encryptedWhen: 'clear',
      cvm: 'tdx',
      warnings: [],
    });
  });
});
