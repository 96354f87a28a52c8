// The probe over the plugins' declarations: architectures (a live arm64 machine is never told to
// load x86 modules), trees given with --root (sosreport layout, devices not read, absences that
// prove nothing), configfs TSM providers, and the attestation interfaces detection names.
import { cpSync, mkdirSync, mkdtempSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCpuinfo } from '@coco/core';
import { cpuidOf } from '@coco/x86';
import { describe, expect, it } from 'vitest';
import { commandRegistry, inferArch, probeMachine } from '../src/index.js';
import { AZURE_SNP_MACHINE, writeTree } from './helpers/tree.js';

const PACKAGES = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ROOTS = {
  realm: join(PACKAGES, 'arm-cca/test/roots/realm'),
  pvGuest: join(PACKAGES, 's390-pv/test/roots/pv-guest'),
  secureGuest: join(PACKAGES, 'ppc-pef/test/roots/secure-guest'),
};

/** A copy of a fixture tree to change. */
function copyOf(tree: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'coco-root-')), 'tree');
  cpSync(tree, dir, { recursive: true });
  return dir;
}

function place(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

describe('inferArch', () => {
  it('names the architecture each kernel prints in /proc/cpuinfo', () => {
    const arch = (text: string) => inferArch(parseCpuinfo(text))?.arch;
    expect(arch('vendor_id       : IBM/S390\n# processors    : 2\n')).toBe('s390x');
    expect(arch('processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu\n')).toBe('x64');
    expect(arch('processor\t: 0\nFeatures\t: fp asimd\nCPU architecture: 8\n')).toBe('arm64');
    expect(arch('processor\t: 0\nmodel name\t: ARMv7 Processor rev 5 (v7l)\nCPU architecture: 7\n')).toBe(
      'arm',
    );
    expect(arch('processor\t: 0\ncpu\t\t: POWER9 (architected), altivec supported\n')).toBe('ppc64');
    expect(arch('timebase\t: 512000000\nplatform\t: pSeries\n')).toBe('ppc64');
    expect(arch('processor\t: 0\nhart\t\t: 0\nisa\t\t: rv64imafdc\n')).toBe('riscv64');
    expect(arch('processor\t: 0\nBogoMIPS\t: 200.00\n')).toBeUndefined();
  });
});

describe('the live probe reads what the plugins declare for the architecture', () => {
  it('an arm64 machine: no CPUID or MSR read, no modprobe cpuid/msr in any note', () => {
    const root = writeTree({
      cpuinfo: 'processor\t: 0\nFeatures\t: fp asimd\nCPU architecture: 8\n',
      kmsg: '',
      files: ['/sys/devices/platform/arm-cca-dev/uevent'],
    });
    const evidence = probeMachine({ root, arch: 'arm64' });
    expect(evidence.file('/sys/devices/platform/arm-cca-dev')?.value).toBe(true);
    expect(evidence.file('/dev/sev-guest')).toBeUndefined();
    expect(evidence.storedFacts.size).toBe(0);
    expect(JSON.stringify(evidence.unavailable)).not.toMatch(/modprobe|cpuid|msr/);
  });

  it('an x86 machine: the x86 fact probes read /dev/cpu/0/cpuid, with the device as the source', () => {
    const evidence = probeMachine({ root: writeTree(AZURE_SNP_MACHINE), arch: 'x64' });
    expect(cpuidOf(evidence, 0x4000000c)?.source).toBe('/dev/cpu/0/cpuid');
    expect(evidence.file('/sys/firmware/uv/prot_virt_guest')).toBeUndefined();
  });

  it('reads declared file contents (at most 4 KiB) and configfs TSM report providers', () => {
    const root = writeTree({ cpuinfo: 'vendor_id       : IBM/S390\n', kmsg: '' });
    place(root, '/sys/firmware/uv/prot_virt_guest', `1\n${'x'.repeat(5000)}`);
    place(root, '/sys/kernel/config/tsm/report/r0/provider', 'sev_guest\n');
    mkdirSync(join(root, 'sys/kernel/config/tsm/report/empty'), { recursive: true });
    const evidence = probeMachine({ root, arch: 's390x' });
    expect(evidence.file('/sys/firmware/uv/prot_virt_guest')?.content).toHaveLength(4096);
    expect(evidence.file('/sys/kernel/config/tsm/report/r0/provider')?.content).toBe('sev_guest\n');
    expect(evidence.file('/sys/kernel/config/tsm/report/empty/provider')).toBeUndefined();
  });
});

describe('--root: a machine image or support bundle', () => {
  it('infers the architecture from the tree and reads its declared files and saved dmesg', () => {
    const evidence = probeMachine({ root: ROOTS.realm, tree: true });
    expect(evidence.file('/sys/devices/platform/arm-cca-dev')?.value).toBe(true);
    expect(evidence.file('/sys/kernel/config/tsm/report/coco/provider')?.content).toBe('arm_cca_guest\n');
    expect(evidence.kernelLog.some((l) => l.text.startsWith('RME: Using RSI version'))).toBe(true);
    expect(evidence.kernelLog[0]?.source).toBe(join(ROOTS.realm, '/dmesg'));
    expect(evidence.cpuinfo.get('CPU architecture')?.source).toBe(
      `cpuinfo ${join(ROOTS.realm, 'proc/cpuinfo')}`,
    );
    expect(evidence.file('/dev/sev-guest')).toBeUndefined();
    expect(evidence.warnings).toEqual([]);
  });

  it("reads sosreport's layout: sos_commands/kernel/dmesg, then var/log/dmesg, and the hostname link", () => {
    const tree = copyOf(ROOTS.pvGuest);
    mkdirSync(join(tree, 'sos_commands/kernel'), { recursive: true });
    renameSync(join(tree, 'dmesg'), join(tree, 'sos_commands/kernel/dmesg'));
    mkdirSync(join(tree, 'sos_commands/host'), { recursive: true });
    writeFileSync(join(tree, 'sos_commands/host/hostname'), 'z15-guest-07\n');
    symlinkSync('sos_commands/host/hostname', join(tree, 'hostname'));
    const evidence = probeMachine({ root: tree, tree: true });
    expect(evidence.kernelLog.length).toBeGreaterThan(0);
    expect(evidence.kernelLog[0]?.source).toBe(join(tree, 'sos_commands/kernel/dmesg'));
    expect(evidence.machine?.hostname).toBe('z15-guest-07');
    renameSync(join(tree, 'sos_commands/kernel/dmesg'), join(tree, 'var-dmesg'));
    mkdirSync(join(tree, 'var/log'), { recursive: true });
    renameSync(join(tree, 'var-dmesg'), join(tree, 'var/log/dmesg'));
    expect(probeMachine({ root: tree, tree: true }).kernelLog[0]?.source).toBe(join(tree, 'var/log/dmesg'));
  });

  it('says when the tree has no saved kernel log, and reads the CPUID dump sosreport saves', () => {
    const tree = writeTree({ cpuinfo: 'vendor_id\t: AuthenticAMD\nflags\t\t: fpu hypervisor\n' });
    place(
      tree,
      '/sos_commands/processor/cpuid_-r',
      'CPU 0:\n   0x00000000 0x00: eax=0x00000010 ebx=0x68747541 ecx=0x444d4163 edx=0x69746e65\n',
    );
    const evidence = probeMachine({ root: tree, tree: true });
    const log = evidence.unavailable.find((n) => n.kind === 'kernel-log');
    expect(log?.reason).toContain('holds no saved kernel log');
    expect(log?.fix).toContain('--dmesg');
    expect(cpuidOf(evidence, 0)?.source).toContain(join(tree, '/sos_commands/processor/cpuid_-r'));
    // The dump gave CPUID: the device probe does not run, so no "not read" note of that kind.
    expect(evidence.unavailable.some((n) => n.kind === 'x86.cpuid')).toBe(false);
  });

  it('does not read devices under a root, and says so', () => {
    const evidence = probeMachine({ root: writeTree(AZURE_SNP_MACHINE), tree: true });
    expect(cpuidOf(evidence, 0)).toBeUndefined();
    const cpuid = evidence.unavailable.find((n) => n.kind === 'x86.cpuid');
    expect(cpuid).toMatchObject({ source: '/dev/cpu/0/cpuid' });
    expect(cpuid?.reason).toContain('not read under --root');
    expect(cpuid?.fix).not.toContain('modprobe');
    // The kernel log of a tree is a saved one, never the tree's dev/kmsg.
    expect(evidence.kernelLog).toEqual([]);
  });

  it('a missing path proves absence only when the tree holds its directory, and never for a device', () => {
    const tree = copyOf(ROOTS.pvGuest);
    const evidence = probeMachine({ root: join(tree), tree: true, arch: 'arm64' });
    // sys/devices/platform is not in an s390 tree: arm-cca-dev's absence says nothing.
    const dev = evidence.unavailable.find((n) => n.source === '/sys/devices/platform/arm-cca-dev');
    expect(dev?.reason).toContain('not in the tree');
    expect(evidence.file('/sys/devices/platform/arm-cca-dev')).toBeUndefined();
    const x86 = probeMachine({ root: tree, tree: true, arch: 'x64' });
    expect(x86.file('/dev/sev-guest')).toBeUndefined();
    expect(x86.unavailable.find((n) => n.source === '/dev/sev-guest')?.reason).toContain('no device nodes');
    expect(probeMachine({ root: tree, tree: true }).file('/dev/uv')?.value).toBe(true);
  });

  it('does not follow a symbolic link out of the tree', () => {
    const tree = copyOf(ROOTS.pvGuest);
    const outside = join(mkdtempSync(join(tmpdir(), 'coco-secret-')), 'secret');
    writeFileSync(outside, 'hunter2\n');
    const pvg = join(tree, 'sys/firmware/uv/prot_virt_guest');
    renameSync(pvg, `${pvg}.orig`);
    symlinkSync(outside, pvg);
    const evidence = probeMachine({ root: tree, tree: true });
    expect(JSON.stringify(evidence.files.get('/sys/firmware/uv/prot_virt_guest') ?? null)).not.toContain(
      'hunter2',
    );
    const note = evidence.unavailable.find((n) => n.source === '/sys/firmware/uv/prot_virt_guest');
    expect(note?.reason).toContain('symbolic link out of the tree');
  });

  it("reads every plugin's declarations when the tree shows no architecture, with a warning", () => {
    const tree = mkdtempSync(join(tmpdir(), 'coco-empty-'));
    mkdirSync(join(tree, 'proc'));
    const evidence = probeMachine({ root: tree, tree: true });
    expect(evidence.warnings.join('\n')).toContain('architecture');
    expect(evidence.unavailable.find((n) => n.kind === 'cpuinfo')?.fix).toContain('proc/cpuinfo');
    const sources = evidence.unavailable.map((n) => n.source);
    expect(sources).toEqual(expect.arrayContaining(['/sys/firmware/uv/prot_virt_guest', '/dev/sev-guest']));
  });
});

describe('attestation interfaces in detection', () => {
  it('names each configfs TSM report provider', async () => {
    const registry = await commandRegistry([], process.cwd());
    const root = writeTree(AZURE_SNP_MACHINE);
    place(root, '/sys/kernel/config/tsm/report/r0/provider', 'sev_guest\n');
    const detection = registry.detect(probeMachine({ root, arch: 'x64', registry }));
    expect(detection.attestation).toContain('configfs-tsm:sev_guest');
    expect(detection.toJSON().attestation).toContain('configfs-tsm:sev_guest');
  });

  it("names Azure's vTPM HCL report for a paravisor guest with a TPM device, and not without one", async () => {
    const registry = await commandRegistry([], process.cwd());
    const withTpm = writeTree({ ...AZURE_SNP_MACHINE, files: ['/dev/tpm0'] });
    const detection = registry.detect(probeMachine({ root: withTpm, arch: 'x64', registry }));
    expect(detection).toMatchObject({ paravisor: true, tee: 'az-snp-vtpm' });
    expect(detection.attestation).toContain('azure-vtpm-hcl-report');
    const without = registry.detect(
      probeMachine({ root: writeTree(AZURE_SNP_MACHINE), arch: 'x64', registry }),
    );
    expect(without.attestation).not.toContain('azure-vtpm-hcl-report');
  });

  it('names /dev/uv of an s390 tree (the s390 machine reader)', async () => {
    const registry = await commandRegistry([], process.cwd());
    const detection = registry.detect(probeMachine({ root: ROOTS.pvGuest, tree: true, registry }));
    expect(detection.attestation).toEqual(['/dev/uv']);
  });
});
