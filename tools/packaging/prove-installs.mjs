#!/usr/bin/env node
// Selective installs, proved the way a user meets the packages: from packed tarballs, in fresh
// projects outside the workspace (build first: the tarballs hold `dist`).
//   1. @coco/core + @coco/tdx: mark and detect a TDX guest; no other @coco package is installed but
//      @coco/x86, the x86 evidence library tdx depends on (no other backend comes along).
//   2. @coco/core + @coco/amd-vtom + @coco/hyperv: Azure SNP with paravisor is amd-vtom with the
//      boundary mask; Azure TDX with paravisor fails with BACKEND_MISSING naming @coco/tdx.
//   3. @coco/cli: `npx coco detect --example ...` from the installed tarball.
//   4. two copies of @coco/core with the same major share the default registry; a copy with
//      another major (the tarball rebuilt as 2.0.0 with CORE_MAJOR 2) does not.
//   5. CommonJS: in a fresh `"type": "commonjs"` project, `require('@coco/core')` (and every other
//      package) works on Node 20.19+ through the `require` export condition, which points at the ESM
//      build that Node loads with require(esm); the published JSON Schemas resolve and load.
// Offline-safe: `npm install --offline` from the tarballs only, with an unreachable registry so a
// lookup of any @coco package fails instead of reaching the network. Prints one line per fact
// proved and exits 1 on the first failure of each proof (all proofs run).
// Options: --tarballs DIR  use the tarballs in DIR (e.g. from `release-dry.mjs --keep DIR`) instead
//          of packing the workspace; --keep  leaves the temp projects for inspection.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { installedCocoPackages, packedManifest, packPackages, repoRoot, unpackTarball } from './pack.mjs';

const args = process.argv.slice(2);
const tarballDir = args.includes('--tarballs') ? resolve(args[args.indexOf('--tarballs') + 1] ?? '') : null;
const keepProjects = args.includes('--keep');

const OFFLINE_REGISTRY = 'http://127.0.0.1:9/';
// npm gets a clean environment: run under `pnpm`, the inherited npm_config_* settings are pnpm's,
// and npm would warn about them on stderr (and may act on them).
const inherited = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^npm_(config|package|lifecycle)_/i.test(k)),
);
const npmEnv = {
  ...inherited,
  npm_config_offline: 'true',
  npm_config_registry: OFFLINE_REGISTRY,
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  NO_COLOR: '1',
};

class ProofError extends Error {}
const check = (condition, message) => {
  if (!condition) throw new ProofError(message);
};
const proved = [];
const failed = [];

const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'coco-installs-')));
if (!relative(repoRoot, scratch).startsWith('..')) {
  throw new Error(`temp dir ${scratch} is inside the workspace ${repoRoot}; set TMPDIR elsewhere`);
}

/** A fresh project `name` with the given dependencies installed from tarballs only. */
function project(name, specs, type = 'module') {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: `coco-proof-${name}`, version: '0.0.0', private: true, type }, null, 2)}\n`,
  );
  const run = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund', ...specs], {
    cwd: dir,
    env: npmEnv,
    encoding: 'utf8',
  });
  check(run.status === 0, `npm install ${specs.join(' ')} failed in ${dir}:\n${run.stderr}`);
  return dir;
}

/** Runs an ES module in a child node process in `dir`; returns what it printed as JSON. */
function inChild(dir, code) {
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd: dir,
    encoding: 'utf8',
  });
  check(run.status === 0, `child node in ${dir} failed:\n${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** Every installed package named @coco/* under `dir/node_modules`, at any depth, as `name@version`. */
const cocoPackages = (dir) => installedCocoPackages(dir).map((p) => `${p.name}@${p.version}`);

/** Runs one proof; records its lines or its failure. */
function proof(title, body) {
  const lines = [];
  try {
    body((line) => lines.push(line));
    for (const l of lines) proved.push(`ok   ${title}: ${l}`);
  } catch (error) {
    for (const l of lines) proved.push(`ok   ${title}: ${l}`);
    failed.push(`FAIL ${title}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

// Evidence, written from the facts sheet (x86-coco.md §4, §6) and public reports, not from code.
const hex = (n) => `0x${(n >>> 0).toString(16)}`;
const ascii4 = (s) => [...s].reduceRight((v, ch) => v * 256 + ch.charCodeAt(0), 0);
const leaf = (l, r) => ({
  leaf: hex(l),
  subleaf: '0x0',
  eax: hex(r.eax ?? 0),
  ebx: hex(r.ebx ?? 0),
  ecx: hex(r.ecx ?? 0),
  edx: hex(r.edx ?? 0),
});
const HYPERVISOR_BIT = 0x8000_0000; // CPUID 1 ECX bit 31
const vendor = (v) => ({
  ebx: ascii4(v.slice(0, 4)),
  edx: ascii4(v.slice(4, 8)),
  ecx: ascii4(v.slice(8, 12)),
});
const hypervLeaves = (groupA, groupB) => [
  leaf(0x4000_0000, {
    eax: 0x4000_000c,
    ebx: ascii4('Micr'),
    ecx: ascii4('osof'),
    edx: ascii4('t Hv'),
  }),
  leaf(0x4000_0001, { eax: ascii4('Hv#1') }),
  leaf(0x4000_0003, { ebx: 1 << 22 }), // isolation on, CPU management (bit 12) off
  leaf(0x4000_000c, { eax: groupA, ebx: groupB }),
];
const TDX_GUEST = {
  format: 'coco-snapshot/1',
  cpuid: [
    leaf(0, { eax: 0x23, ...vendor('GenuineIntel') }),
    leaf(1, { ecx: HYPERVISOR_BIT }),
    // leaf 0x21: "IntelTDX    " in EBX, EDX, ECX
    leaf(0x21, { ebx: ascii4('Inte'), edx: ascii4('lTDX'), ecx: ascii4('    ') }),
  ],
  tdx: { gpaw: 52 },
};
const AZURE_SNP_PARAVISOR = {
  format: 'coco-snapshot/1',
  cpuid: [
    leaf(0, { eax: 0x10, ...vendor('AuthenticAMD') }),
    leaf(1, { ecx: HYPERVISOR_BIT }),
    ...hypervLeaves(0x1, 0xba2), // Group A 0x1 (paravisor), Group B 0xba2 (SNP, boundary bit 46)
  ],
  msr: { '0xc0010131': '0x103df' },
};
const AZURE_TDX_PARAVISOR = {
  format: 'coco-snapshot/1',
  cpuid: [
    leaf(0, { eax: 0x15, ...vendor('GenuineIntel') }),
    leaf(1, { ecx: HYPERVISOR_BIT }),
    ...hypervLeaves(0x1, 0xbe3), // Group B 0xbe3: TDX, boundary bit 47
  ],
};

try {
  let tarballs;
  if (tarballDir) {
    tarballs = new Map();
    for (const f of readdirSync(tarballDir).filter((x) => x.endsWith('.tgz'))) {
      tarballs.set(packedManifest(join(tarballDir, f)).name, join(tarballDir, f));
    }
    console.log(`using the tarballs in ${tarballDir}`);
  } else {
    tarballs = packPackages(join(scratch, 'tarballs'));
  }
  const tgz = (name) => {
    const t = tarballs.get(name);
    check(t, `no tarball for ${name}`);
    return t;
  };
  const version = (name) => packedManifest(tgz(name)).version;
  console.log(`projects in ${scratch} (outside the workspace), npm install --offline from tarballs only`);

  proof('1 core+tdx', (say) => {
    // The registry would serve @coco/x86 as tdx's dependency; offline, its tarball stands in for it.
    const dir = project('core-tdx', [tgz('@coco/core'), tgz('@coco/tdx'), tgz('@coco/x86')]);
    const installed = cocoPackages(dir);
    const expected = [
      `@coco/core@${version('@coco/core')}`,
      `@coco/tdx@${version('@coco/tdx')}`,
      `@coco/x86@${version('@coco/x86')}`,
    ];
    check(
      JSON.stringify(installed) === JSON.stringify(expected),
      `node_modules holds ${installed.join(', ')}, expected exactly ${expected.join(', ')}`,
    );
    say(`node_modules holds exactly ${installed.join(', ')}`);
    const r = inChild(
      dir,
      `
      import { detect, parseSnapshot, use } from '@coco/core';
      import { createTdxType, tdxBackend } from '@coco/tdx';
      use(tdxBackend);
      const d = detect(parseSnapshot(${JSON.stringify(JSON.stringify(TDX_GUEST))}));
      const m = d.type.marking;
      const t48 = createTdxType({ gpaw: 48 }).marking;
      const h = (v) => '0x' + v.toString(16);
      console.log(JSON.stringify({
        json: d.toJSON(),
        decrypt: h(m.decrypt(0x1000n)), encrypt: h(m.encrypt(0x8000000001000n)),
        sharedIsEncrypted: m.isEncrypted(0x8000000001000n), privateIsEncrypted: m.isEncrypted(0x1000n),
        gpaw48: h(t48.decrypt(0x1000n)),
      }));`,
    );
    const j = r.json;
    check(j.type === 'tdx' && j.confidential === true, `detected ${j.type}, expected tdx`);
    check(j.mask === '0x8000000000000' && j.maskBit === 51 && j.encryptedWhen === 'clear', `mask ${j.mask}`);
    check(
      JSON.stringify(j.attributes) === '["guest-mem-encrypt","guest-unroll-string-io","mem-encrypt"]',
      `attributes ${j.attributes}`,
    );
    check(j.cvm === 'tdx', `cvm ${j.cvm}`);
    say(`a TDX guest (leaf 0x21 "IntelTDX    ", GPAW 52) is detected as tdx, shared bit 51, cvm tdx`);
    check(r.decrypt === '0x8000000001000' && r.encrypt === '0x1000', `marking ${r.decrypt} / ${r.encrypt}`);
    check(r.sharedIsEncrypted === false && r.privateIsEncrypted === true, 'isEncrypted is wrong');
    check(r.gpaw48 === '0x800000001000', `GPAW 48 shares with ${r.gpaw48}`);
    say('marking 0x1000 shared sets bit 51 (0x8000000001000) and back; GPAW 48 uses bit 47');
  });

  proof('2 core+amd-vtom+hyperv', (say) => {
    const dir = project('core-vtom-hyperv', [
      tgz('@coco/core'),
      tgz('@coco/amd-vtom'),
      tgz('@coco/hyperv'),
      tgz('@coco/x86'),
    ]);
    const installed = cocoPackages(dir).map((p) => p.replace(/@[^@]+$/, ''));
    check(
      JSON.stringify(installed) === '["@coco/amd-vtom","@coco/core","@coco/hyperv","@coco/x86"]',
      `node_modules holds ${installed.join(', ')}`,
    );
    say(`node_modules holds exactly ${installed.join(', ')} (no @coco/tdx)`);
    const r = inChild(
      dir,
      `
      import { detect, isCocoError, parseSnapshot, use } from '@coco/core';
      import { amdVtomBackend } from '@coco/amd-vtom';
      import { hypervPlugin } from '@coco/hyperv';
      use(amdVtomBackend, hypervPlugin);
      const snp = detect(parseSnapshot(${JSON.stringify(JSON.stringify(AZURE_SNP_PARAVISOR))})).toJSON();
      let tdx = null;
      try {
        tdx = { returned: detect(parseSnapshot(${JSON.stringify(JSON.stringify(AZURE_TDX_PARAVISOR))})).toJSON() };
      } catch (e) {
        tdx = { cocoError: isCocoError(e), code: e.code, message: e.message };
      }
      console.log(JSON.stringify({ snp, tdx }));`,
    );
    const s = r.snp;
    check(s.type === 'amd-vtom', `Azure SNP with paravisor detected as ${s.type}`);
    check(s.mask === '0x400000000000' && s.maskBit === 46 && s.encryptedWhen === 'clear', `mask ${s.mask}`);
    check(
      s.hypervisor === 'hyperv' && s.paravisor === true,
      `hypervisor ${s.hypervisor} paravisor ${s.paravisor}`,
    );
    check(
      JSON.stringify(s.attributes) === '["guest-mem-encrypt","mem-encrypt"]',
      `attributes ${s.attributes}`,
    );
    say(
      'Azure SNP with paravisor (0x4000000C 0x1/0xba2, MSR 0xc0010131 0x103df) is amd-vtom, mask 0x400000000000',
    );
    check(
      !r.tdx.returned,
      `Azure TDX with paravisor returned ${JSON.stringify(r.tdx.returned)} without @coco/tdx`,
    );
    check(r.tdx.cocoError && r.tdx.code === 'BACKEND_MISSING', `it threw ${r.tdx.code}: ${r.tdx.message}`);
    check(r.tdx.message.includes('@coco/tdx'), `the error does not name @coco/tdx: ${r.tdx.message}`);
    say(`Azure TDX with paravisor (0xbe3) fails with BACKEND_MISSING: "${r.tdx.message}"`);
  });

  proof('3 cli', (say) => {
    const all = [
      '@coco/core',
      '@coco/x86',
      '@coco/tdx',
      '@coco/amd-cbit',
      '@coco/amd-vtom',
      '@coco/hyperv',
      '@coco/cli',
    ];
    const dir = project('cli', all.map(tgz));
    const npx = (cliArgs) =>
      spawnSync('npx', ['--no', 'coco', ...cliArgs], { cwd: dir, env: npmEnv, encoding: 'utf8' });
    const human = npx(['detect', '--example', 'azure-snp-paravisor']);
    check(
      human.status === 0,
      `npx coco detect --example azure-snp-paravisor exited ${human.status}: ${human.stderr}`,
    );
    check(/amd-vtom/.test(human.stdout), `its summary does not say amd-vtom:\n${human.stdout}`);
    say('`npx coco detect --example azure-snp-paravisor` exits 0 and says amd-vtom');
    const json = npx(['detect', '--example', 'azure-snp-paravisor', '--json']);
    check(json.status === 0, `--json exited ${json.status}: ${json.stderr}`);
    const j = JSON.parse(json.stdout);
    check(
      j.format === 'coco-detection/1' &&
        j.type === 'amd-vtom' &&
        j.mask === '0x400000000000' &&
        j.paravisor === true,
      `--json printed ${json.stdout}`,
    );
    say('`--json` prints coco-detection/1 with type amd-vtom, mask 0x400000000000, paravisor true');
    const tdx = npx(['detect', '--example', 'azure-tdx-paravisor', '--json']);
    check(tdx.status === 0, `azure-tdx-paravisor exited ${tdx.status}: ${tdx.stderr}`);
    const t = JSON.parse(tdx.stdout);
    check(
      t.type === 'tdx' && t.maskBit === 47 && t.hypervisor === 'hyperv',
      `azure-tdx-paravisor: ${tdx.stdout}`,
    );
    say('`--example azure-tdx-paravisor --json` is tdx composed by hyperv with the boundary bit 47');
    const bad = npx(['detect', '--example', 'no-such-machine']);
    check(
      bad.status === 2 && bad.stderr.trim().split('\n').length === 1,
      `unknown example: exit ${bad.status}`,
    );
    say('an unknown example name exits 2 with one line on stderr');
  });

  proof('4 registry per major', (say) => {
    // Copy 3: the same tarball rebuilt as 2.0.0 with CORE_MAJOR 2 in dist.
    const unpacked = unpackTarball(tgz('@coco/core'), join(scratch, 'core-major-2', 'package'));
    const manifestFile = join(unpacked, 'package.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    let major = null; // the CORE_MAJOR the packed dist carries (1 for the unreleased 0.0.0 too)
    manifest.version = '2.0.0';
    writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
    let patched = 0;
    const patchDir = (d) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) patchDir(p);
        else if (e.name.endsWith('.js')) {
          const text = readFileSync(p, 'utf8');
          const next = text.replace(/\bCORE_MAJOR = (\d+)\b/g, (_, n) => {
            patched += 1;
            major = Number(n);
            return 'CORE_MAJOR = 2';
          });
          if (next !== text) writeFileSync(p, next);
        }
      }
    };
    patchDir(join(unpacked, 'dist'));
    check(patched === 1, `expected one CORE_MAJOR in core's dist, patched ${patched}`);
    check(major !== 2, 'the packed core already has CORE_MAJOR 2; this proof rebuilds it with another major');
    const core2 = join(scratch, 'coco-core-2.0.0.tgz');
    execFileSync('tar', ['-czf', core2, '-C', join(scratch, 'core-major-2'), 'package']);

    const t = tgz('@coco/core');
    const dir = project('two-cores', [`core-a@file:${t}`, `core-b@file:${t}`, `core-c@file:${core2}`]);
    const r = inChild(
      dir,
      `
      import * as a from 'core-a';
      import * as b from 'core-b';
      import * as c from 'core-c';
      const plugin = (id) => ({
        interfaceVersion: 1, kind: 'backend', id, packageName: 'proof-' + id, variants: [],
        createType() { throw new Error('unused'); }, detect() { return null; },
      });
      const viaA = plugin('proof-via-a');
      a.use(viaA);
      const viaC = plugin('proof-via-c');
      c.use(viaC);
      const ids = (r) => r.plugins.map((p) => p.id);
      console.log(JSON.stringify({
        urls: [import.meta.resolve('core-a'), import.meta.resolve('core-b'), import.meta.resolve('core-c')],
        distinctCopies: a.use !== b.use && a.createRegistry !== b.createRegistry && a.CocoError !== b.CocoError,
        majors: [a.CORE_MAJOR, b.CORE_MAJOR, c.CORE_MAJOR],
        abSame: a.defaultRegistry() === b.defaultRegistry(),
        bSeesA: b.defaultRegistry().plugins.includes(viaA),
        acSame: a.defaultRegistry() === c.defaultRegistry(),
        a: ids(a.defaultRegistry()), b: ids(b.defaultRegistry()), c: ids(c.defaultRegistry()),
      }));`,
    );
    check(new Set(r.urls).size === 3, `the three copies resolve to ${r.urls.join(', ')}`);
    check(r.distinctCopies, 'core-a and core-b are the same module instance, not two copies');
    check(r.majors[0] === major && r.majors[1] === major && r.majors[2] === 2, `majors ${r.majors}`);
    say(
      `core-a and core-b are two copies of @coco/core ${version('@coco/core')} (CORE_MAJOR ${major}), loaded separately`,
    );
    check(r.abSame && r.bSeesA, `copy b does not see the plugin registered through copy a (b: ${r.b})`);
    say("a plugin registered through copy a is in copy b's default registry: one registry per major");
    check(!r.acSame, 'the major-2 copy returned the major-1 default registry');
    check(
      !r.c.includes('proof-via-a') && !r.a.includes('proof-via-c') && !r.b.includes('proof-via-c'),
      'registries mixed',
    );
    say(`core-c (2.0.0, CORE_MAJOR 2) has its own default registry: [${r.c}] vs [${r.a}]`);
  });

  proof('5 require', (say) => {
    const [major, minor] = process.versions.node.split('.').map(Number);
    check(
      major > 20 || (major === 20 && minor >= 19),
      `Node ${process.versions.node} has no require(esm); run the proofs on Node 20.19 or later`,
    );
    const all = [
      '@coco/core',
      '@coco/x86',
      '@coco/tdx',
      '@coco/amd-cbit',
      '@coco/amd-vtom',
      '@coco/hyperv',
      '@coco/cli',
    ];
    const dir = project('commonjs', all.map(tgz), 'commonjs');
    const core = spawnSync(
      process.execPath,
      [
        '-e',
        "const c = require('@coco/core'); console.log(JSON.stringify({ detect: typeof c.detect, major: c.CORE_MAJOR }))",
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    check(core.status === 0, `node -e "require('@coco/core')" exited ${core.status}: ${core.stderr}`);
    const r = JSON.parse(core.stdout);
    check(
      r.detect === 'function' && typeof r.major === 'number',
      `require('@coco/core') gave ${core.stdout}`,
    );
    say(`node -e "require('@coco/core')" works in a fresh CommonJS project on Node ${process.versions.node}`);
    const code = `
      const core = require('@coco/core');
      const { tdxBackend } = require('@coco/tdx');
      const names = ${JSON.stringify(all)};
      const loaded = names.map((n) => [n, Object.keys(require(n)).length]);
      const registry = core.createRegistry().use(tdxBackend);
      const d = registry.detect(core.parseSnapshot(${JSON.stringify(JSON.stringify(TDX_GUEST))})).toJSON();
      const schema = require('@coco/core/schemas/coco-detection-1.schema.json');
      const cliSchema = require('@coco/cli/schemas/coco-fleet-1.schema.json');
      console.log(JSON.stringify({ loaded, type: d.type, schemaId: schema.$id, same: d.$schema === schema.$id, cli: cliSchema.$id }));`;
    const run = spawnSync(process.execPath, ['-e', code], { cwd: dir, encoding: 'utf8' });
    check(run.status === 0, `requiring every package exited ${run.status}: ${run.stderr}`);
    const j = JSON.parse(run.stdout);
    const empty = j.loaded.filter(([, n]) => n === 0).map(([n]) => n);
    check(empty.length === 0, `require gave no exports for ${empty.join(', ')}`);
    say(`require() loads every package (${j.loaded.map(([n, k]) => `${n}: ${k} exports`).join(', ')})`);
    check(j.type === 'tdx', `a TDX guest detected through require() as ${j.type}`);
    check(j.same, `coco-detection/1's $schema is not the published schema's $id (${j.schemaId})`);
    check(/coco-fleet-1\.schema\.json$/.test(j.cli), `@coco/cli/schemas/coco-fleet-1.schema.json: ${j.cli}`);
    say(
      "require('@coco/core/schemas/coco-detection-1.schema.json') is the schema a detection's $schema names; @coco/cli ships its schemas",
    );
  });
} catch (error) {
  failed.push(`FAIL setup: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  if (keepProjects) console.log(`kept ${scratch}`);
  else rmSync(scratch, { recursive: true, force: true });
}

for (const line of proved) console.log(line);
for (const line of failed) console.log(line);
console.log(
  failed.length === 0
    ? `selective installs: ${proved.length} facts proved`
    : `selective installs: ${failed.length} proof(s) failed`,
);
process.exit(failed.length === 0 ? 0 : 1);
