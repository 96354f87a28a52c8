import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { coco, lines, requireBuilt } from './helpers/cli.js';
import { AZURE_SNP_MACHINE, writeTree } from './helpers/tree.js';

beforeAll(requireBuilt);

const DETECTION_KEYS = [
  '$schema',
  'format',
  'confidential',
  'type',
  'variant',
  'hypervisor',
  'paravisor',
  'attributes',
  'mask',
  'maskBit',
  'encryptedWhen',
  'cvm',
  'evidence',
  'warnings',
  'undetermined',
  'conflicts',
  'tee',
  'attestation',
];

// Written by hand from the facts sheet (§1, §2, §6, §8), not from coco's output.
const TDX_ATTRS = ['guest-mem-encrypt', 'guest-unroll-string-io', 'mem-encrypt'];
const EXPECTED: Record<string, Record<string, unknown>> = {
  'azure-snp-paravisor': {
    confidential: true,
    type: 'amd-vtom',
    variant: null,
    hypervisor: 'hyperv',
    paravisor: true,
    attributes: ['guest-mem-encrypt', 'mem-encrypt'],
    mask: '0x400000000000',
    maskBit: 46,
    encryptedWhen: 'clear',
    cvm: 'sev-snp',
    tee: 'az-snp-vtpm',
  },
  'azure-tdx-paravisor': {
    confidential: true,
    type: 'tdx',
    variant: null,
    hypervisor: 'hyperv',
    paravisor: true,
    attributes: TDX_ATTRS,
    mask: '0x800000000000',
    maskBit: 47,
    encryptedWhen: 'clear',
    cvm: 'tdx',
    tee: 'az-tdx-vtpm',
  },
  'azure-tdx-no-paravisor': {
    confidential: true,
    type: 'tdx',
    variant: null,
    paravisor: false,
    attributes: TDX_ATTRS,
    mask: '0x800000000000',
    maskBit: 47,
    encryptedWhen: 'clear',
    cvm: 'tdx',
    tee: 'tdx',
  },
  'snp-cbit-51': {
    confidential: true,
    type: 'amd-cbit',
    variant: 'sev-snp',
    hypervisor: 'kvm', // CPUID 0x40000000 "KVMKVMKVM\0\0\0": systemd-detect-virt prints kvm
    attributes: ['guest-mem-encrypt', 'guest-sev-snp', 'guest-state-encrypt', 'mem-encrypt'],
    mask: '0x8000000000000',
    maskBit: 51,
    encryptedWhen: 'set',
    cvm: 'sev-snp',
    tee: 'snp',
  },
  'sev-plain': {
    confidential: true,
    type: 'amd-cbit',
    variant: 'sev',
    hypervisor: 'kvm', // CPUID 0x40000000 "KVMKVMKVM\0\0\0": systemd-detect-virt prints kvm
    attributes: ['guest-mem-encrypt', 'guest-unroll-string-io', 'mem-encrypt'],
    mask: '0x800000000000',
    maskBit: 47,
    encryptedWhen: 'set',
    cvm: 'sev',
    tee: null,
  },
  'not-confidential': {
    confidential: false,
    type: null,
    variant: null,
    hypervisor: 'kvm', // CPUID 0x40000000 "KVMKVMKVM\0\0\0": systemd-detect-virt prints kvm
    attributes: [],
    mask: null,
    maskBit: null,
    encryptedWhen: null,
    cvm: 'none',
    tee: null,
  },
};

describe('coco detect --example NAME --json', () => {
  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`${name}: coco-detection/1 with the facts' values`, () => {
      const run = coco(['detect', '--example', name, '--json']);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const doc = JSON.parse(run.stdout);
      expect(Object.keys(doc)).toEqual(DETECTION_KEYS);
      expect(doc.format).toBe('coco-detection/1');
      for (const [field, value] of Object.entries(expected)) expect(doc[field], field).toEqual(value);
      expect(doc.warnings).toEqual([]);
      for (const step of doc.evidence) {
        expect(Object.keys(step).slice(0, 3)).toEqual(['source', 'says', 'by']);
        expect(typeof step.says).toBe('string');
      }
    });
  }
});

describe('coco detect, human output', () => {
  it('summarises type, variant, hypervisor, paravisor, mask and polarity, attributes and the systemd label', () => {
    const run = coco(['detect', '--example', 'azure-snp-paravisor']);
    expect(run.status).toBe(0);
    const out = run.stdout;
    expect(out).toMatch(/type\s+amd-vtom/);
    expect(out).toMatch(/variant\s+-/);
    expect(out).toMatch(/hypervisor\s+hyperv/);
    expect(out).toMatch(/paravisor\s+yes/);
    expect(out).toMatch(/mask\s+0x400000000000 \(vTOM bit 46\), encrypted when clear/);
    expect(out).toMatch(/attributes\s+guest-mem-encrypt, mem-encrypt/);
    expect(out).toMatch(/systemd\s+sev-snp/);
    expect(out).not.toContain('\u001b[');
  });

  it('says a plain machine is not a confidential guest and exits 0', () => {
    const run = coco(['detect', '--example', 'not-confidential']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Not a confidential guest');
    expect(run.stdout).toMatch(/systemd\s+none/);
  });

  it('colours only when asked on a terminal-less stream, and never with NO_COLOR', () => {
    const args = ['detect', '--example', 'snp-cbit-51'];
    expect(coco(args).stdout).not.toContain('\u001b[');
    expect(coco(args, { env: { FORCE_COLOR: '1' } }).stdout).toContain('\u001b[');
    const plain = coco(args, { env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(plain.status).toBe(0);
    expect(plain.stdout).not.toContain('\u001b[');
    expect(plain.stdout).toMatch(/variant\s+sev-snp/);
  });
});

describe('coco explain', () => {
  it('prints the evidence, then numbered steps each naming its kind of evidence and plugin', () => {
    const run = coco(['explain', '--example', 'azure-tdx-paravisor']);
    expect(run.status).toBe(0);
    const out = run.stdout;
    expect(out).toContain('Evidence');
    expect(out).toContain('example azure-tdx-paravisor');
    const steps = lines(out).filter((l) => /^\s+\d+\. \[/.test(l));
    expect(steps.length).toBeGreaterThanOrEqual(3);
    steps.forEach((step, i) => {
      expect(step).toMatch(
        new RegExp(
          `^\\s+${i + 1}\\. \\[(cpuid|msr|kernel-log|cpuinfo|files|tdx|probe|core|systemd)\\] .+\\(\\S+\\)$`,
        ),
      );
    });
    expect(steps.some((s) => s.includes('(hyperv)'))).toBe(true);
    expect(out).toMatch(/Conclusion\n\s+Intel TDX.*shared bit 47/);
  });
});

describe('standard input and combined inputs', () => {
  const snapshot = JSON.stringify({
    format: 'coco-snapshot/1',
    cpuid: [
      { leaf: '0x0', subleaf: '0x0', eax: '0x10', ebx: '0x68747541', ecx: '0x444d4163', edx: '0x69746e65' },
      { leaf: '0x1', subleaf: '0x0', eax: '0x830f10', ebx: '0x0', ecx: '0x80000000', edx: '0x0' },
      { leaf: '0x80000000', subleaf: '0x0', eax: '0x8000001f', ebx: '0x0', ecx: '0x0', edx: '0x0' },
      { leaf: '0x8000001f', subleaf: '0x0', eax: '0x2', ebx: '0x6f', ecx: '0x0', edx: '0x0' },
    ],
  });

  it('reads --snapshot - from standard input and combines it with --msr', () => {
    const run = coco(['detect', '--snapshot', '-', '--msr', '0xc0010131=0x1', '--json'], { input: snapshot });
    expect(run.status).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect([doc.type, doc.variant, doc.maskBit, doc.encryptedWhen, doc.cvm]).toEqual([
      'amd-cbit',
      'sev',
      47,
      'set',
      'sev',
    ]);
  });

  it('reads --dmesg - from standard input next to a snapshot file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coco-stdin-'));
    writeFileSync(join(dir, 'snap.json'), snapshot);
    const log =
      '[    0.130000] Memory Encryption Features active: AMD SEV\n[    0.130001] SEV: Status: SEV\n';
    const run = coco(['explain', '--snapshot', 'snap.json', '--dmesg', '-', '--msr', '0xc0010131=0x1'], {
      input: log,
      cwd: dir,
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/stdin: 2 kernel-log lines/);
  });

  it('refuses - for two flags at once', () => {
    const run = coco(['detect', '--snapshot', '-', '--dmesg', '-'], { input: snapshot });
    expect(run.status).toBe(2);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toContain('--dmesg -');
  });
});

describe('conflicting evidence', () => {
  it('exits 3 and names both sources on one stderr line', () => {
    const run = coco(['detect', '--example', 'sev-plain', '--msr', '0xc0010131=0x7', '--json']);
    expect(run.status).toBe(3);
    const err = lines(run.stderr);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain('example sev-plain');
    expect(err[0]).toContain('--msr');
    expect(err[0]).toContain('0xc0010131');
    const doc = JSON.parse(run.stdout);
    expect(doc.type).toBeNull();
    expect(doc.warnings.some((w: string) => w.includes('--msr'))).toBe(true);
  });
});

describe('live probing of a fixture tree (COCO_PROBE_ROOT)', () => {
  it('coco snapshot, then coco detect --snapshot, gives the same detection as probing', () => {
    const root = writeTree(AZURE_SNP_MACHINE);
    const env = { COCO_PROBE_ROOT: root };
    const live = coco(['detect', '--json'], { env });
    expect(live.status).toBe(0);
    const snap = coco(['snapshot'], { env });
    expect(snap.status).toBe(0);
    expect(lines(snap.stderr)).toEqual([
      'coco snapshot: kept 3 of 3 kernel-log lines (those the plugins read); 0 left out; --full-log keeps them all',
    ]);
    const doc = JSON.parse(snap.stdout);
    expect(doc.format).toBe('coco-snapshot/1');
    expect(doc.msr).toEqual({ '0xc0010131': '0x103df', '0xc0010010': '0x0' });
    expect(doc.cpuid).toContainEqual({
      leaf: '0x4000000c',
      subleaf: '0x0',
      eax: '0x1',
      ebx: '0xba2',
      ecx: '0x0',
      edx: '0x0',
    });
    expect(doc.kernelLog).toHaveLength(3);
    const file = join(mkdtempSync(join(tmpdir(), 'coco-snap-')), 'machine.json');
    writeFileSync(file, snap.stdout);
    const back = coco(['detect', '--snapshot', file, '--json']);
    expect(back.status).toBe(0);
    const a = JSON.parse(live.stdout);
    const b = JSON.parse(back.stdout);
    const { evidence: ea, ...restA } = a;
    const { evidence: eb, ...restB } = b;
    expect(restB).toEqual(restA);
    expect(eb.length).toBe(ea.length);
    expect(restA).toMatchObject({
      type: 'amd-vtom',
      maskBit: 46,
      encryptedWhen: 'clear',
      hypervisor: 'hyperv',
      paravisor: true,
      cvm: 'sev-snp',
    });
  });

  it('cannot tell when the CPUID and MSR devices and the kernel log say nothing: exit 4, with the fixes', () => {
    const root = writeTree({ cpuinfo: 'vendor_id\t: AuthenticAMD\nflags\t\t: fpu hypervisor\n', kmsg: '' });
    const run = coco(['detect'], { env: { COCO_PROBE_ROOT: root } });
    expect(run.status).toBe(4);
    expect(lines(run.stdout)[0]).toBe('Cannot tell whether this is a confidential guest.');
    expect(run.stdout).toMatch(/What would decide it:\n {2}- run coco as root with the msr module loaded/);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(
      /^coco: CANNOT_TELL: cannot tell whether this is a confidential guest: amd-cbit: /,
    );
    expect(run.stdout).toMatch(
      /\/dev\/cpu\/0\/cpuid: the device does not exist; load the cpuid module \(modprobe cpuid\)/,
    );
    expect(run.stdout).toContain('modprobe msr');
    const snap = coco(['snapshot'], { env: { COCO_PROBE_ROOT: root } });
    expect(snap.status).toBe(0);
    expect(snap.stderr).toContain('modprobe cpuid');
    // The snapshot keeps the "not read" notes, so reading it back cannot tell either: never a "no".
    const doc = JSON.parse(snap.stdout);
    expect(doc.unavailable.map((n: { kind: string }) => n.kind)).toEqual(
      expect.arrayContaining(['cpuid', 'msr']),
    );
    const file = join(mkdtempSync(join(tmpdir(), 'coco-snap-')), 'machine.json');
    writeFileSync(file, snap.stdout);
    const back = coco(['detect', '--snapshot', file, '--json']);
    expect(back.status).toBe(4);
    const json = JSON.parse(back.stdout);
    expect(json).toMatchObject({ confidential: null, type: null, cvm: null });
    expect(json.undetermined.map((u: { by: string }) => u.by)).toContain('amd-cbit');
  });
});
