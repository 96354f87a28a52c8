// Snapshots are private by default: only the kernel-log lines the plugins read, and the same detection.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_NAMES } from '../src/index.js';
import { coco, lines, requireBuilt } from './helpers/cli.js';

beforeAll(requireBuilt);

/** What a detection concludes, without the trail's wording (line numbers differ in a shorter log). */
const conclusion = (stdout: string) => {
  const d = JSON.parse(stdout);
  return {
    confidential: d.confidential,
    type: d.type,
    variant: d.variant,
    hypervisor: d.hypervisor,
    paravisor: d.paravisor,
    attributes: d.attributes,
    mask: d.mask,
    cvm: d.cvm,
    tee: d.tee,
    undetermined: d.undetermined.map((u: { by: string }) => u.by),
    conflicts: d.conflicts.length,
  };
};

const dir = mkdtempSync(join(tmpdir(), 'coco-private-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

// An Azure SNP boot log with what a bug report must not leak (from the shapes of public logs).
const AZURE_BOOT = [
  '[    0.000000] Linux version 6.8.0-1017-azure (buildd@lcy02-amd64-063) (x86_64-linux-gnu-gcc-13 (Ubuntu 13.2.0-23ubuntu4) 13.2.0, GNU ld (GNU Binutils for Ubuntu) 2.42) #17-Ubuntu SMP Mon Oct 28 15:06:37 UTC 2024',
  '[    0.000000] Command line: BOOT_IMAGE=/vmlinuz root=PARTUUID=7d444840-9dc0 ro console=ttyS0 cryptkey=SECRET-TOKEN',
  '[    0.000000] DMI: Microsoft Corporation Virtual Machine/Virtual Machine, BIOS Hyper-V UEFI Release v4.1 08/23/2024',
  '[    0.000000] Hypervisor detected: Microsoft Hyper-V',
  '[    0.000000] Hyper-V: privilege flags low 0xae7f, high 0x7b8030, hints 0xa0e24, misc 0xe0bed7b2',
  '[    0.000000] Hyper-V: Isolation Config: Group A 0x1, Group B 0xba2',
  '[    0.120000] Memory Encryption Features active: AMD SEV',
  '[    0.120001] SEV: Status: vTom ',
  '[    1.900000] Freeing unused kernel image (initmem) memory: 4000K',
  '[    2.345678] hv_netvsc 000d3a1b-2c3d-4e5f-6a7b-8c9d0e1f2a3b eth0: VF slot 1 added, MAC 00:0d:3a:1b:2c:3d',
  '[    3.000000] EXT4-fs (sda1): mounted filesystem 5b9a1c2e-0f6d-4e3b-9c8a-1d2e3f4a5b6c ro',
].join('\n');

describe('coco snapshot keeps only what the plugins read', () => {
  it('leaves the command line, host names and MAC addresses out, and says how many lines it left out', () => {
    const run = coco(['snapshot', '--dmesg', file('azure-boot.log', AZURE_BOOT)]);
    expect(run.status).toBe(0);
    const doc = JSON.parse(run.stdout);
    // 7 lines kept, and one line standing for the two left out between the banner and the next kept line.
    expect(doc.kernelLog).toHaveLength(8);
    expect(doc.kernelLog[1]).toBe('coco snapshot: 2 lines left out');
    expect(run.stdout).not.toContain('SECRET-TOKEN');
    expect(run.stdout).not.toContain('00:0d:3a');
    expect(run.stdout).not.toContain('DMI:');
    expect(lines(run.stderr)).toEqual([
      'coco snapshot: kept 7 of 11 kernel-log lines (those the plugins read); 4 left out; --full-log keeps them all',
    ]);
  });

  it('keeps every line with --full-log, with a warning on stderr', () => {
    const run = coco(['snapshot', '--full-log', '--dmesg', file('azure-boot-full.log', AZURE_BOOT)]);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).kernelLog).toHaveLength(11);
    expect(run.stderr).toContain('--full-log: the snapshot holds the whole kernel log');
  });

  it('gives the same detection from the minimal snapshot as from the whole log', () => {
    const log = file('azure-boot-same.log', AZURE_BOOT);
    const whole = coco(['detect', '--dmesg', log, '--json']);
    const snap = coco(['snapshot', '--dmesg', log]);
    const back = coco(['detect', '--snapshot', file('azure-min.json', snap.stdout), '--json']);
    expect(whole.status).toBe(0);
    expect(back.status).toBe(whole.status);
    expect(conclusion(back.stdout)).toEqual(conclusion(whole.stdout));
    expect(conclusion(whole.stdout)).toMatchObject({
      confidential: true,
      type: 'amd-vtom',
      hypervisor: 'hyperv',
    });
  });

  it('keeps a whole boot log whole: a plain guest is still a "no" from its minimal snapshot', () => {
    const plain = AZURE_BOOT.split('\n')
      .filter((l) => !/Hyper-V|SEV|Encryption/.test(l))
      .join('\n');
    const log = file('plain-boot.log', plain);
    const whole = coco(['detect', '--dmesg', log, '--json']);
    const back = coco([
      'detect',
      '--snapshot',
      file('plain-min.json', coco(['snapshot', '--dmesg', log]).stdout),
      '--json',
    ]);
    expect(conclusion(whole.stdout).confidential).toBe(false);
    expect(conclusion(back.stdout)).toEqual(conclusion(whole.stdout));
  });

  for (const name of EXAMPLE_NAMES) {
    it(`gives the same detection for the bundled example ${name}`, () => {
      const direct = coco(['detect', '--example', name, '--json']);
      const snap = coco(['snapshot', '--example', name]);
      const back = coco(['detect', '--snapshot', file(`${name}.json`, snap.stdout), '--json']);
      expect(back.status).toBe(direct.status);
      expect(conclusion(back.stdout)).toEqual(conclusion(direct.stdout));
    });
  }
});
