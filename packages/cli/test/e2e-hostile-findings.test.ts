// Findings of a hostile review, each through the built command: the input, and what the kernel and
// systemd would say for it. Every case failed before its fix.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { coco, requireBuilt } from './helpers/cli.js';

beforeAll(requireBuilt);

const dir = mkdtempSync(join(tmpdir(), 'coco-hostile-findings-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const detect = (args: readonly string[], input?: string) => {
  const run = coco(['detect', ...args, '--json'], input === undefined ? {} : { input });
  const doc = JSON.parse(run.stdout);
  return { status: run.status, doc, verdict: [doc.confidential, doc.type, doc.variant, doc.cvm] };
};

const BANNER =
  '[    0.000000] Linux version 6.9.0 (build@host) (gcc (GCC) 13.2.0, GNU ld 2.42) #1 SMP PREEMPT_DYNAMIC Mon Jan  1 00:00:00 UTC 2024';
const FREEING = '[    1.000000] Freeing unused kernel image (initmem) memory: 2000K';

/** A whole boot log of an SEV-SNP guest (v6.9+ wording), in the order the kernel prints it. */
const SNP_BOOT = [
  '[    0.000000] SEV: Using SNP CPUID table, 29 entries present.',
  BANNER,
  '[    0.000000] Command line: console=ttyS0 root=/dev/vda1',
  '[    0.000000] Hypervisor detected: KVM',
  '[    0.000000] SEV: SNP running at VMPL0.',
  '[    0.500000] Memory: 4000000K/4194304K available',
  '[    0.140000] Memory Encryption Features active: AMD SEV SEV-ES SEV-SNP',
  '[    0.140001] SEV: Status: SEV SEV-ES SEV-SNP ',
  FREEING,
  '[    1.100000] Run /sbin/init as init process',
];

describe('a log cut at its end is not a whole boot log', () => {
  it('the first lines of an SEV-SNP guest\'s dmesg (dmesg | head) cannot tell, never "no"', () => {
    const head = SNP_BOOT.slice(0, 5).join('\n');
    const { status, doc } = detect(['--dmesg', '-'], head);
    expect(doc.confidential).toBeNull();
    expect(status).toBe(4);
  });

  it('a log filtered to notice and above (journalctl -k -p notice) keeps the banner, and cannot tell', () => {
    // The banner is pr_notice; the memory-encryption summary and the rest are pr_info.
    const { status, doc } = detect(['--dmesg', '-'], `${BANNER}\n[    2.000000] random: crng init done\n`);
    expect(doc.confidential).toBeNull();
    expect(status).toBe(4);
  });

  it('the whole log still decides, and so does a whole log of an ordinary guest', () => {
    expect(detect(['--dmesg', '-'], SNP_BOOT.join('\n')).verdict).toEqual([
      true,
      'amd-cbit',
      'sev-snp',
      'sev-snp',
    ]);
    const plain = [BANNER, '[    0.000000] Hypervisor detected: KVM', FREEING].join('\n');
    const { status, verdict } = detect(['--dmesg', '-'], plain);
    expect(verdict).toEqual([false, null, null, 'none']);
    expect(status).toBe(0);
  });
});

describe('a memory-encryption summary whose features a pr_cont split lost', () => {
  it('"Memory Encryption Features active: AMD" alone proves memory encryption on, so never "no"', () => {
    const log = [BANNER, '[    0.140000] Memory Encryption Features active: AMD', FREEING].join('\n');
    const { status, doc } = detect(['--dmesg', '-'], log);
    expect(doc.confidential).toBeNull();
    expect(status).toBe(4);
  });
});

describe('the private snapshot joins no lines the whole log keeps apart', () => {
  const cases: Record<string, string[]> = {
    'summary continuation after another message': [
      BANNER,
      '[    0.140000] Memory Encryption Features active: AMD',
      '[    0.140000] random: crng init done',
      '[    0.140000]  SEV SEV-ES',
      FREEING,
    ],
    'status continuation after another message': [
      BANNER,
      '[    0.140000] Memory Encryption Features active: AMD SEV SEV-ES SEV-SNP',
      '[    0.140001] SEV: Status: SEV SEV-ES',
      '[    0.140000] random: crng init done',
      '[    0.140001] SEV-SNP',
      FREEING,
    ],
    'a vTom word after another message': [
      BANNER,
      '[    0.140000] Memory Encryption Features active: AMD SEV',
      '[    0.140001] SEV: Status: SEV',
      '[    0.140000] random: crng init done',
      '[    0.140001] vTom',
      FREEING,
    ],
  };
  for (const [name, log] of Object.entries(cases)) {
    it(name, () => {
      const path = file(`${name.replaceAll(' ', '-')}.log`, `${log.join('\n')}\n`);
      const whole = detect(['--dmesg', path]);
      const snapshot = coco(['snapshot', '--dmesg', path]);
      expect(snapshot.status).toBe(0);
      const minimal = detect(['--snapshot', '-'], snapshot.stdout);
      expect(minimal.verdict).toEqual(whole.verdict);
      expect(minimal.status).toBe(whole.status);
      expect(minimal.doc.conflicts.length).toBe(whole.doc.conflicts.length);
    });
  }
});

describe('ticket elisions in more spellings', () => {
  const plain = [BANNER, '[    0.000000] Hypervisor detected: KVM', FREEING];
  for (const elision of [
    '. . .',
    '[...snip...]',
    '(... snip ...)',
    '⋮',
    '[ 40 lines omitted ]',
    '... (truncated)',
    '[truncated]',
    '<truncated>',
    '(output truncated)',
    '... 300 more lines ...',
    '[skipped 300 lines]',
    '..',
  ]) {
    it(`"${elision}" makes a whole log a fragment`, () => {
      const log = [plain[0], plain[1], elision, plain[2]].join('\n');
      const { status, doc } = detect(['--dmesg', '-'], log);
      expect(doc.confidential).toBeNull();
      expect(status).toBe(4);
    });
  }
});

describe('evidence that contradicts the CPUID a claim needs is a conflict', () => {
  it("an SEV-SNP log with an Intel CPU's CPUID (no leaf 0x8000001f): exit 3, not a confident sev-snp", () => {
    const log = file('snp.log', `${SNP_BOOT.join('\n')}\n`);
    for (const args of [
      ['--example', 'not-confidential', '--dmesg', log],
      ['--dmesg', log, '--example', 'not-confidential'],
    ]) {
      const { status, doc } = detect(args);
      expect([doc.confidential, doc.type, doc.cvm]).toEqual([null, null, null]);
      expect(status).toBe(3);
    }
  });

  it('a vTOM status on a guest that is not Hyper-V carries the warning of a status the kernel refuses', () => {
    // docs/differences.md row 8: snp_check_features refuses vTOM (SNP_FEATURES_IMPL_REQ, not PRESENT).
    const { doc } = detect(['--example', 'not-confidential', '--msr', '0xc0010131=0x8']);
    expect(doc.warnings.join('\n')).toMatch(/refuses to boot with vTOM outside an isolated Hyper-V guest/);
  });
});
