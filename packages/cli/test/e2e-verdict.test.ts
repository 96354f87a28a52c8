// "Cannot tell" is a verdict, and every answer is the kernel's and systemd's: each case of the issue
// through the built command, with its exit status and message.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { coco, lines, requireBuilt } from './helpers/cli.js';

beforeAll(requireBuilt);

const json = (args: readonly string[], input?: string) => {
  const run = coco([...args, '--json'], input === undefined ? {} : { input });
  return { run, doc: JSON.parse(run.stdout) };
};

const BANNER =
  'Linux version 6.8.0-1017-azure (buildd@lcy02-amd64-063) (x86_64-linux-gnu-gcc-13 (Ubuntu 13.2.0-23ubuntu4) 13.2.0, GNU ld (GNU Binutils for Ubuntu) 2.42) #17-Ubuntu SMP Mon Oct 28 15:06:37 UTC 2024';

describe('cannot tell is an answer, never a "no"', () => {
  it('an empty --dmesg - (dmesg | coco detect --dmesg - without root) cannot tell: exit 4', () => {
    const run = coco(['detect', '--dmesg', '-'], { input: '' });
    expect(run.status).toBe(4);
    expect(lines(run.stdout)[0]).toBe('Cannot tell whether this is a confidential guest.');
    expect(run.stdout).toContain('pass the whole boot log (--dmesg)');
    expect(lines(run.stderr)).toHaveLength(1);
  });

  it('a log with no recognised line cannot tell, JSON confidential null with the reasons', () => {
    const { run, doc } = json(
      ['detect', '--dmesg', '-'],
      '[    1.000000] EXT4-fs (sda1): mounted filesystem\n',
    );
    expect(run.status).toBe(4);
    expect(doc).toMatchObject({ confidential: null, type: null, cvm: null });
    expect(doc.undetermined.map((u: { by: string }) => u.by).sort()).toEqual(['amd-cbit', 'amd-vtom', 'tdx']);
    for (const u of doc.undetermined) expect(u.fix).toMatch(/\S/);
  });

  it('a whole boot log of an ordinary guest is a "no": exit 0, cvm none', () => {
    const log = [
      `[    0.000000] ${BANNER}`,
      '[    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz root=/dev/sda1 ro',
      '[    0.000000] Hypervisor detected: KVM',
      '[    1.000000] Freeing unused kernel image (initmem) memory: 4000K',
      '[    1.100000] EXT4-fs (sda1): mounted filesystem',
    ].join('\n');
    const { run, doc } = json(['detect', '--dmesg', '-'], log);
    expect(run.status).toBe(0);
    expect(doc).toMatchObject({ confidential: false, type: null, cvm: 'none', undetermined: [] });
  });

  it('the same boot log with a "..." elision from a ticket proves nothing absent', () => {
    const log = [
      `[    0.000000] ${BANNER}`,
      '...',
      '[    1.000000] Freeing unused kernel image (initmem) memory: 4000K',
      '[    1.100000] EXT4-fs (sda1): mounted filesystem',
    ].join('\n');
    expect(coco(['detect', '--dmesg', '-'], { input: log }).status).toBe(4);
  });
});

describe('conflicts carry no guessed label, whatever the order of the flags', () => {
  it('gives confidential null and cvm null both ways round', () => {
    const a = json(['detect', '--example', 'sev-plain', '--msr', '0xc0010131=0x7']);
    const b = json(['detect', '--msr', '0xc0010131=0x7', '--example', 'sev-plain']);
    for (const { run, doc } of [a, b]) {
      expect(run.status).toBe(3);
      expect(doc).toMatchObject({ confidential: null, cvm: null, type: null });
    }
    const strip = (d: { evidence: unknown; warnings: unknown }) => ({ ...d, evidence: 0, warnings: 0 });
    expect(strip(a.doc)).toEqual(strip(b.doc));
  });
});

describe("systemd's label, step by step", () => {
  it('prints sev for a SEV guest whose status MSR could not be read (systemd PR #42697)', () => {
    const snapshot = JSON.stringify({
      format: 'coco-snapshot/1',
      cpuid: [
        { leaf: '0x0', subleaf: '0x0', eax: '0x10', ebx: '0x68747541', ecx: '0x444d4163', edx: '0x69746e65' },
        { leaf: '0x1', subleaf: '0x0', eax: '0xa00f11', ebx: '0x0', ecx: '0x80000000', edx: '0x0' },
        { leaf: '0x80000000', subleaf: '0x0', eax: '0x80000021', ebx: '0x0', ecx: '0x0', edx: '0x0' },
        { leaf: '0x8000001f', subleaf: '0x0', eax: '0x1a', ebx: '0x73', ecx: '0x0', edx: '0x0' },
      ],
      unavailable: [
        { source: '/dev/cpu/0/msr', kind: 'msr', reason: 'permission denied', fix: 'run as root' },
      ],
    });
    const { run, doc } = json(['detect', '--snapshot', '-'], snapshot);
    expect(run.status).toBe(4);
    expect(doc.confidential).toBeNull();
    expect(doc.cvm).toBe('sev');
  });

  it('prints none for a Hygon guest, where the kernel still sees AMD SEV', () => {
    const snapshot = JSON.stringify({
      format: 'coco-snapshot/1',
      cpuid: [
        // "HygonGenuine": EBX "Hygo", EDX "nGen", ECX "uine".
        { leaf: '0x0', subleaf: '0x0', eax: '0xd', ebx: '0x6f677948', ecx: '0x656e6975', edx: '0x6e65476e' },
        { leaf: '0x1', subleaf: '0x0', eax: '0x900f22', ebx: '0x0', ecx: '0x80000000', edx: '0x0' },
        { leaf: '0x80000000', subleaf: '0x0', eax: '0x8000001f', ebx: '0x0', ecx: '0x0', edx: '0x0' },
        { leaf: '0x8000001f', subleaf: '0x0', eax: '0x2', ebx: '0x2f', ecx: '0x0', edx: '0x0' },
      ],
      msr: { '0xc0010131': '0x1' },
    });
    const { run, doc } = json(['detect', '--snapshot', '-'], snapshot);
    expect(run.status).toBe(0);
    expect(doc).toMatchObject({ confidential: true, type: 'amd-cbit', variant: 'sev', cvm: 'none' });
  });
});

describe('kernel logs as users paste them', () => {
  const kernel = [
    'Memory Encryption Features active: AMD SEV SEV-ES SEV-SNP',
    'SEV: Status: SEV SEV-ES SEV-SNP DebugSwap ',
  ];
  const formats: Record<string, string> = {
    dmesg: kernel.map((l, i) => `[    0.14000${i}] ${l}`).join('\n'),
    'dmesg -x': kernel.map((l) => `kern  :info  : [    0.140000] ${l}`).join('\n'),
    'journalctl -k': kernel.map((l) => `Feb 14 16:16:55 cvm kernel: ${l}`).join('\n'),
    'journalctl -o json': kernel
      .map((l) => JSON.stringify({ _TRANSPORT: 'kernel', MESSAGE: l, PRIORITY: '6' }))
      .join('\n'),
    'serial console (CR only)': kernel.map((l) => `[    0.140000] ${l}`).join('\r'),
    'ticket (prompt, fence, bold)': [
      '$ sudo dmesg | grep -i sev',
      '```',
      ...kernel.map((l) => `**[    0.140000] ${l}**`),
      '```',
    ].join('\n'),
    'two lines joined': kernel.map((l, i) => `[    0.14000${i}] ${l}`).join(''),
    'pr_cont split':
      '[    0.140000] Memory Encryption Features active: AMD\n[    0.140000] SEV SEV-ES SEV-SNP\n[    0.140001] SEV: Status: SEV SEV-ES\n[    0.140001] SEV-SNP DebugSwap',
  };
  for (const [name, log] of Object.entries(formats)) {
    it(`${name}: the same SEV-SNP detection as plain dmesg`, () => {
      const { run, doc } = json(['detect', '--dmesg', '-'], log);
      expect(run.status).toBe(0);
      expect(doc).toMatchObject({ confidential: true, type: 'amd-cbit', variant: 'sev-snp', cvm: 'sev-snp' });
      expect(doc.conflicts ?? []).toEqual([]);
    });
  }

  it('an old kernel that printed only "SEV active" gives the variant the log supports, with a warning', () => {
    const { run, doc } = json(
      ['detect', '--dmesg', '-'],
      '[    0.3] AMD Secure Encrypted Virtualization (SEV) active\n',
    );
    expect(run.status).toBe(0);
    expect(doc).toMatchObject({ confidential: true, type: 'amd-cbit', variant: 'sev' });
    expect(doc.warnings.join()).toContain('does not tell SEV from SEV-ES');
  });
});

describe('strict snapshots', () => {
  it('refuses a duplicate key, naming it and its JSON path (exit 2)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coco-dup-'));
    writeFileSync(
      join(dir, 'dup.json'),
      '{"format":"coco-snapshot/1","msr":{"0xc0010131":"0x7","0xc0010131":"0x103df"}}',
    );
    const run = coco(['detect', '--snapshot', 'dup.json'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toContain('dup.json ($.msr): key "0xc0010131" appears twice');
  });

  it('accepts a UTF-8 byte-order mark in a snapshot and in a log', () => {
    const snap = coco(['detect', '--snapshot', '-', '--json'], {
      input: '\ufeff{"format":"coco-snapshot/1","msr":{"0xc0010131":"0x7"}}',
    });
    expect(JSON.parse(snap.stdout).variant).toBe('sev-snp');
    const log = coco(['detect', '--dmesg', '-', '--json'], {
      input: '\ufeff[    0.1] Memory Encryption Features active: AMD SEV SEV-ES\n',
    });
    expect(JSON.parse(log.stdout).variant).toBe('sev-es');
  });
});
