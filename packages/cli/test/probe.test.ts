import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuidOf, cpuidRecordsOf, msrOf, msrsOf } from '@coco/x86';
import { describe, expect, it } from 'vitest';
import { nodeProbeFs, type ProbeFs, probeMachine } from '../src/index.js';
import { AZURE_SNP_MACHINE, ascii4, writeTree } from './helpers/tree.js';

const errno = (code: string) => Object.assign(new Error(code), { code });

/** A fake tree's file system with some methods replaced (a failure the root user cannot cause). */
function withFailures(root: string, patch: Partial<ProbeFs>): ProbeFs {
  return { ...nodeProbeFs(root), ...patch };
}

describe('probeMachine on a fake Azure SNP tree', () => {
  const root = writeTree(AZURE_SNP_MACHINE);
  const evidence = probeMachine({ root });

  it('reads CPUID leaves at leaf | subleaf << 32, including the Hyper-V isolation leaf', () => {
    expect(cpuidOf(evidence, 0x4000000c)).toMatchObject({ eax: 0x1, ebx: 0xba2, source: '/dev/cpu/0/cpuid' });
    expect(cpuidOf(evidence, 0x40000003)?.ebx).toBe(0x400000);
    expect(cpuidOf(evidence, 0x0)?.eax).toBe(0x10);
    expect(cpuidOf(evidence, 0x7, 0)?.ebx).toBe(0x219c91a9);
  });

  it('reads subleaves of leaf 7 up to its EAX, and no leaf past a range maximum', () => {
    expect(cpuidOf(evidence, 0x7, 1)).toBeDefined();
    expect(cpuidOf(evidence, 0x7, 2)).toBeUndefined();
    expect(cpuidOf(evidence, 0x11)).toBeUndefined();
    expect(cpuidOf(evidence, 0x4000000d)).toBeUndefined();
    expect(cpuidOf(evidence, 0x8000001f)).toBeDefined();
    expect(cpuidOf(evidence, 0x80000022)).toBeUndefined();
    expect(cpuidOf(evidence, 0x80000008)).toBeDefined();
  });

  it('reads the SEV status MSR on an AMD CPU', () => {
    expect(msrOf(evidence, 0xc0010131)?.value).toBe(0x103dfn);
    // SYSCFG is at a zero-filled offset of the fake device: read as 0, not skipped.
    expect(msrOf(evidence, 0xc0010010)?.value).toBe(0n);
  });

  it('reads cpuinfo flags and the kernel log without the kmsg record headers and dictionary lines', () => {
    expect(evidence.hasFlag('hypervisor')).toBe(true);
    expect(evidence.kernelLog.map((l) => l.text)).toEqual([
      'Hyper-V: Isolation Config: Group A 0x1, Group B 0xba2',
      'Memory Encryption Features active: AMD SEV',
      'SEV: Status: vTom',
    ]);
  });

  it('records the existence of the facts §7 device nodes, and nothing unavailable', () => {
    expect(evidence.file('/dev/sev-guest')?.value).toBe(false);
    expect(evidence.file('/dev/tdx_guest')?.value).toBe(false);
    expect(evidence.file('/sys/kernel/config/tsm/report')?.value).toBe(false);
    expect(evidence.unavailable).toEqual([]);
  });
});

describe('probeMachine with sources missing or unreadable', () => {
  it('skips the hypervisor range when CPUID 1 ECX bit 31 is clear, and MSRs on Intel', () => {
    const root = writeTree({
      cpuid: [
        [0x0, [0x1f, ascii4('Genu'), ascii4('ntel'), ascii4('ineI')]],
        [0x1, [0x000806f8, 0, 0x7efa3223, 0x1f8bfbff]],
        [0x40000000, [0x40000001, 1, 2, 3]],
      ],
      cpuinfo: 'vendor_id\t: GenuineIntel\nflags\t\t: fpu\n',
      kmsg: '',
    });
    const evidence = probeMachine({ root });
    expect(cpuidOf(evidence, 0x40000000)).toBeUndefined();
    expect(msrsOf(evidence).size).toBe(0);
    expect(evidence.unavailable).toEqual([]);
  });

  it('names modprobe cpuid and modprobe msr when the devices do not exist', () => {
    const root = writeTree({ cpuinfo: 'vendor_id\t: AuthenticAMD\nflags\t\t: fpu sev\n', kmsg: '' });
    const evidence = probeMachine({ root });
    const cpuid = evidence.unavailable.find((u) => u.source === '/dev/cpu/0/cpuid');
    const msr = evidence.unavailable.find((u) => u.source === '/dev/cpu/0/msr');
    expect(cpuid?.fix).toContain('modprobe cpuid');
    expect(msr?.fix).toContain('modprobe msr');
    expect(evidence.hasFlag('sev')).toBe(true);
  });

  it('turns permission denied on the devices into "run as root", not an error', () => {
    const root = writeTree(AZURE_SNP_MACHINE);
    const evidence = probeMachine({
      fs: withFailures(root, {
        openDevice: () => {
          throw errno('EACCES');
        },
      }),
    });
    const cpuid = evidence.unavailable.find((u) => u.source === '/dev/cpu/0/cpuid');
    expect(cpuid?.reason).toBe('permission denied');
    expect(cpuid?.fix).toContain('root');
    // The vendor comes from /proc/cpuinfo, so the MSR device is tried (and refused) too.
    expect(
      evidence.unavailable.some((u) => u.source === '/dev/cpu/0/msr' && u.reason === 'permission denied'),
    ).toBe(true);
    expect(cpuidRecordsOf(evidence)).toEqual([]);
    expect(evidence.kernelLog.length).toBe(3);
  });

  it('reports one refused MSR (EIO) and keeps the other', () => {
    const root = writeTree(AZURE_SNP_MACHINE);
    const real = nodeProbeFs(root);
    const evidence = probeMachine({
      fs: withFailures(root, {
        openDevice(path) {
          const device = real.openDevice(path);
          return {
            pread(length, position) {
              if (path.endsWith('msr') && position === 0xc0010010) throw errno('EIO');
              return device.pread(length, position);
            },
            close: () => device.close(),
          };
        },
      }),
    });
    expect(msrOf(evidence, 0xc0010131)?.value).toBe(0x103dfn);
    expect(msrOf(evidence, 0xc0010010)).toBeUndefined();
    const note = evidence.unavailable.find((u) => u.source.includes('0xc0010010'));
    expect(note?.reason).toContain('EIO');
  });

  it('reports a directory where /proc/cpuinfo should be as unreadable', () => {
    const root = writeTree({ kmsg: '' });
    mkdirSync(join(root, 'proc', 'cpuinfo'), { recursive: true });
    const evidence = probeMachine({ root });
    const note = evidence.unavailable.find((u) => u.source === '/proc/cpuinfo');
    expect(note?.reason).toContain('directory');
  });

  it('falls back to dmesg when /dev/kmsg is refused, and says sysctl when both are', () => {
    const root = writeTree(AZURE_SNP_MACHINE);
    const refused = () => {
      throw errno('EPERM');
    };
    const viaDmesg = probeMachine({
      fs: withFailures(root, {
        readKernelRecords: refused,
        runDmesg: () => '[    0.000000] tdx: Guest detected\n',
      }),
    });
    expect(viaDmesg.kernelLog.map((l) => [l.text, l.source])).toEqual([['tdx: Guest detected', 'dmesg']]);
    const neither = probeMachine({
      fs: withFailures(root, { readKernelRecords: refused, runDmesg: refused }),
    });
    const note = neither.unavailable.find((u) => u.source.startsWith('/dev/kmsg'));
    expect(note?.fix).toContain('dmesg_restrict');
    expect(neither.kinds.has('kernel-log')).toBe(false);
  });

  it('reads a kernel-log device that has no more records without blocking (EAGAIN)', () => {
    const root = mkdtempSync(join(tmpdir(), 'coco-fifo-'));
    mkdirSync(join(root, 'dev'));
    const fifo = join(root, 'dev', 'kmsg');
    execFileSync('mkfifo', [fifo]);
    // A writer that stays open: a blocking reader would wait for more forever.
    const writer = openSync(fifo, constants.O_RDWR);
    try {
      writeSync(writer, '6,1,0,-;tdx: Guest detected\n');
      const evidence = probeMachine({ root });
      expect(evidence.kernelLog.map((l) => l.text)).toEqual(['tdx: Guest detected']);
    } finally {
      closeSync(writer);
    }
  });
});
