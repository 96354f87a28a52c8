import { closeSync, mkdirSync, mkdtempSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A machine written as files under a fake root: what live probing reads. */
export interface FakeMachine {
  /** CPUID leaf -> [eax, ebx, ecx, edx], subleaf 0 unless given as [leaf, subleaf]. */
  readonly cpuid?: readonly (readonly [
    number | readonly [number, number],
    readonly [number, number, number, number],
  ])[];
  readonly msr?: readonly (readonly [number, bigint])[];
  readonly cpuinfo?: string;
  /** `/dev/kmsg` records as text (`prio,seq,usec,flags;message` lines). */
  readonly kmsg?: string;
  /** Paths (absolute, as on the machine) that exist as empty files. */
  readonly files?: readonly string[];
}

function place(root: string, path: string): string {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  return full;
}

/** Writes `machine` under a new temporary directory and returns it (the probe root). */
export function writeTree(machine: FakeMachine, root = mkdtempSync(join(tmpdir(), 'coco-tree-'))): string {
  if (machine.cpuid) {
    const fd = openSync(place(root, '/dev/cpu/0/cpuid'), 'w');
    for (const [key, regs] of machine.cpuid) {
      const [leaf, subleaf] = typeof key === 'number' ? [key, 0] : key;
      const bytes = Buffer.alloc(16);
      regs.forEach((r, i) => void bytes.writeUInt32LE(r >>> 0, i * 4));
      // A regular file stands in for the device: record n at byte n * 16 (see DeviceReader).
      writeSync(fd, bytes, 0, 16, (leaf + subleaf * 2 ** 32) * 16);
    }
    closeSync(fd);
  }
  if (machine.msr) {
    const fd = openSync(place(root, '/dev/cpu/0/msr'), 'w');
    for (const [index, value] of machine.msr) {
      const bytes = Buffer.alloc(8);
      bytes.writeBigUInt64LE(value);
      writeSync(fd, bytes, 0, 8, index * 8);
    }
    closeSync(fd);
  }
  if (machine.cpuinfo !== undefined) writeFileSync(place(root, '/proc/cpuinfo'), machine.cpuinfo);
  if (machine.kmsg !== undefined) writeFileSync(place(root, '/dev/kmsg'), machine.kmsg);
  for (const path of machine.files ?? []) writeFileSync(place(root, path), '');
  return root;
}

/** Four ASCII characters as the little-endian register CPUID returns them in. */
export function ascii4(text: string): number {
  return Buffer.from(text.padEnd(4, '\0'), 'latin1').readUInt32LE(0);
}

/**
 * An Azure SNP confidential VM with the paravisor, from the public values of facts §6-§7:
 * AuthenticAMD, the hypervisor bit, "Microsoft Hv", 0x40000003 EBX bit 22, isolation leaf
 * EAX 0x1 / EBX 0xba2, CPUID 0x8000001F reading zeros, SEV status 0x103df, and its kernel-log lines.
 */
export const AZURE_SNP_MACHINE: FakeMachine = {
  cpuid: [
    [0x0, [0x10, ascii4('Auth'), ascii4('cAMD'), ascii4('enti')]],
    [0x1, [0x00a10f11, 0x00080800, 0xfed83203, 0x178bfbff]],
    [0x7, [0x1, 0x219c91a9, 0x00400004, 0x0]],
    [
      [0x7, 1],
      [0x0, 0x0, 0x0, 0x0],
    ],
    [0x40000000, [0x4000000c, ascii4('Micr'), ascii4('osof'), ascii4('t Hv')]],
    [0x40000001, [ascii4('Hv#1'), 0, 0, 0]],
    [0x40000003, [0x0, 0x00400000, 0x0, 0x0]],
    [0x4000000c, [0x1, 0xba2, 0x0, 0x0]],
    // Azure exposes CPUID 0x8000001F to SNP guests under its paravisor, reading zeros (systemd's
    // detect_sev comment), so systemd-detect-virt reaches its Hyper-V fallback.
    [0x80000000, [0x80000021, ascii4('Auth'), ascii4('cAMD'), ascii4('enti')]],
    [0x8000001f, [0x0, 0x0, 0x0, 0x0]],
  ],
  msr: [[0xc0010131, 0x103dfn]],
  cpuinfo:
    'processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu msr pae lm hypervisor\n\nprocessor\t: 1\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu msr pae lm hypervisor\n',
  kmsg: '6,101,0,-;Hyper-V: Isolation Config: Group A 0x1, Group B 0xba2\n SUBSYSTEM=cpu\n6,240,120000,-;Memory Encryption Features active: AMD SEV\n6,241,120001,-;SEV: Status: vTom\n',
};
