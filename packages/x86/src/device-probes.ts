import type { FactProbe, ProbeIO, ProbeRead, ProbeSink } from '@coco/core';
import { CPUID_VENDOR, HYPERVISOR_PRESENT_BIT, registerText } from './cpuid.js';
import { CPUID_FACT, type CpuidRegisters, cpuidKey, cpuidOf, MSR_FACT } from './facts.js';

/** The CPUID device of CPU 0 (arch/x86/kernel/cpuid.c, module `cpuid`). */
export const CPUID_DEVICE = '/dev/cpu/0/cpuid';
/** The MSR device of CPU 0 (arch/x86/kernel/msr.c, module `msr`). */
export const MSR_DEVICE = '/dev/cpu/0/msr';

/** A CPUID range the probe reads: it starts at a leaf whose EAX is the range's maximum leaf. */
export interface CpuidRange {
  readonly name: 'basic' | 'hypervisor' | 'extended';
  readonly first: number;
  /** Reads stop here even if the CPU claims a higher maximum leaf. */
  readonly cap: number;
}

/** The ranges the CPUID probe reads (Intel SDM vol. 2A, AMD APM vol. 3, Hyper-V TLFS "Hypervisor CPUID leaves"). */
export const CPUID_RANGES: readonly CpuidRange[] = Object.freeze([
  { name: 'basic', first: 0x0, cap: 0xff },
  { name: 'hypervisor', first: 0x4000_0000, cap: 0x4000_00ff },
  { name: 'extended', first: 0x8000_0000, cap: 0x8000_00ff },
]);

/**
 * Leaves with subleaves worth reading: leaf 7 (structured features) up to its subleaf-0 EAX (at
 * most 3); leaf 0xD (XSAVE) subleaf 1. Others are read at subleaf 0.
 */
export const CPUID_SUBLEAVES: ReadonlyMap<number, { readonly max: number; readonly fromEax: boolean }> =
  new Map([
    [0x7, { max: 3, fromEax: true }],
    [0xd, { max: 1, fromEax: false }],
  ]);

/** The MSRs the MSR probe reads, only on AMD CPUs (arch/x86/include/asm/msr-index.h, v6.18). */
export const AMD_PROBED_MSRS: readonly { readonly index: number; readonly name: string }[] = Object.freeze([
  { index: 0xc001_0131, name: 'SEV status' },
  { index: 0xc001_0010, name: 'SYSCFG' },
]);

/** Vendors whose CPUs have AMD's SEV MSRs. */
const AMD_VENDORS: readonly string[] = ['AuthenticAMD'];

/**
 * The file position of a leaf/subleaf in `/dev/cpu/N/cpuid`: the kernel's cpuid_read() takes the
 * leaf from the low 32 bits of the position and the subleaf from the high 32 (arch/x86/kernel/cpuid.c).
 */
export function cpuidOffset(leaf: number, subleaf: number): bigint {
  return (BigInt(subleaf >>> 0) << 32n) | BigInt(leaf >>> 0);
}

const hex = (n: number) => `0x${n.toString(16)}`;
const ROOT_FIX = 'run coco as root (sudo)';

type Failure = Extract<ProbeRead, { ok: false }>;

/** The reason and fix for a read of `/dev/cpu/0/{cpuid,msr}` that failed. */
export function deviceReadFailure(
  failure: Failure,
  module: 'cpuid' | 'msr',
): { reason: string; fix: string } {
  const code = failure.code;
  if (failure.missing || code === 'ENOENT' || code === 'ENXIO' || code === 'ENODEV')
    return {
      reason: 'the device does not exist',
      fix: `load the ${module} module (modprobe ${module}) as root`,
    };
  if (code === 'EACCES' || code === 'EPERM') return { reason: 'permission denied', fix: ROOT_FIX };
  if (code === 'EIO')
    return {
      reason: 'the CPU or hypervisor refused the read (EIO)',
      fix:
        module === 'msr'
          ? 'none needed: this machine does not expose that MSR to the guest'
          : 'none needed: this CPU does not answer that leaf',
    };
  // Something stands there that is not the kernel's device (a FIFO, a directory): it was not read.
  if (code === 'EINVAL')
    return {
      reason: failure.reason,
      fix: `remove it; loading the ${module} module (modprobe ${module}) as root creates the device`,
    };
  return {
    reason: failure.reason,
    fix: `${ROOT_FIX}, with the ${module} module loaded (modprobe ${module})`,
  };
}

/**
 * Reads CPU 0's CPUID leaves through `/dev/cpu/0/cpuid`: the basic range, the hypervisor range
 * (only when CPUID 1 ECX bit 31 says a hypervisor is present) and the extended range, each up to
 * its maximum leaf (capped), with the subleaves of {@link CPUID_SUBLEAVES}. A device that cannot be
 * opened is one unavailable note; leaves that cannot be read are one note naming them.
 */
export const CPUID_PROBE: FactProbe<CpuidRegisters> = Object.freeze({
  kind: CPUID_FACT,
  run(io: ProbeIO, sink: ProbeSink<CpuidRegisters>): void {
    let first: Failure | null = null;
    const failed: number[] = [];
    let gone = false;
    const read = (leaf: number, subleaf: number): CpuidRegisters | null => {
      if (gone) return null;
      const got = io.read(CPUID_DEVICE, { offset: cpuidOffset(leaf, subleaf), length: 16 });
      if (!got.ok || got.bytes.length < 16) {
        const failure: Failure = got.ok
          ? { ok: false, missing: false, reason: 'short read', code: 'EIO' }
          : got;
        // A device that is not there, or cannot be opened at all, fails the same way for every leaf.
        if (leaf === 0 && subleaf === 0 && failure.code !== 'EIO') gone = true;
        first ??= failure;
        failed.push(leaf);
        return null;
      }
      const view = new DataView(got.bytes.buffer, got.bytes.byteOffset, 16);
      const regs = Object.freeze({
        eax: view.getUint32(0, true),
        ebx: view.getUint32(4, true),
        ecx: view.getUint32(8, true),
        edx: view.getUint32(12, true),
      });
      sink.fact(cpuidKey(leaf, subleaf), regs);
      return regs;
    };
    let hypervisor = false;
    for (const range of CPUID_RANGES) {
      if (range.name === 'hypervisor' && !hypervisor) continue;
      const head = read(range.first, 0);
      if (!head) continue;
      const max = head.eax >= range.first && head.eax <= range.cap ? head.eax : range.first;
      for (let leaf = range.first + 1; leaf <= max; leaf++) {
        const regs = read(leaf, 0);
        if (leaf === 1 && regs) hypervisor = ((regs.ecx >>> HYPERVISOR_PRESENT_BIT) & 1) === 1;
        const sub = CPUID_SUBLEAVES.get(leaf);
        if (!sub || !regs) continue;
        const last = sub.fromEax ? Math.min(regs.eax, sub.max) : sub.max;
        for (let subleaf = 1; subleaf <= last; subleaf++) read(leaf, subleaf);
      }
    }
    const failure = first as Failure | null;
    if (failure === null) return;
    const where = gone
      ? ''
      : failed.length === 1
        ? ` leaf ${hex(failed[0] as number)}`
        : ` ${failed.length} leaves from ${hex(failed[0] as number)}`;
    sink.unavailable({ source: `${CPUID_DEVICE}${where}`, ...deviceReadFailure(failure, 'cpuid') });
  },
});

/**
 * The CPU vendor as far as the run has read it: CPUID leaf 0 (read by {@link CPUID_PROBE} first),
 * else `/proc/cpuinfo`'s `vendor_id`; `null` when neither was read.
 */
function vendorSoFar(sink: ProbeSink<unknown>): string | null {
  const evidence = sink.evidence();
  const leaf = cpuidOf(evidence, CPUID_VENDOR);
  if (leaf) return registerText(leaf.ebx, leaf.edx, leaf.ecx);
  return evidence.cpuinfo.get('vendor_id')?.value ?? null;
}

/**
 * Reads the SEV status and SYSCFG MSRs through `/dev/cpu/0/msr` (file position = MSR index), only
 * on AMD CPUs or when the vendor is not known (elsewhere they do not exist). Each MSR that cannot be
 * read is an unavailable note; a device that cannot be opened is one note.
 */
export const MSR_PROBE: FactProbe<bigint> = Object.freeze({
  kind: MSR_FACT,
  run(io: ProbeIO, sink: ProbeSink<bigint>): void {
    const vendor = vendorSoFar(sink as ProbeSink<unknown>);
    if (vendor !== null && !AMD_VENDORS.includes(vendor)) return;
    for (const msr of AMD_PROBED_MSRS) {
      const got = io.read(MSR_DEVICE, { offset: BigInt(msr.index), length: 8 });
      if (got.ok && got.bytes.length >= 8) {
        sink.fact(
          hex(msr.index),
          new DataView(got.bytes.buffer, got.bytes.byteOffset, 8).getBigUint64(0, true),
        );
        continue;
      }
      const failure: Failure = got.ok
        ? { ok: false, missing: false, reason: 'short read', code: 'EIO' }
        : got;
      if (failure.code === 'EIO') {
        sink.unavailable({
          source: `${MSR_DEVICE} ${hex(msr.index)} (${msr.name})`,
          ...deviceReadFailure(failure, 'msr'),
        });
        continue;
      }
      // Not there, or not readable at all: one note for the device.
      sink.unavailable({ source: MSR_DEVICE, ...deviceReadFailure(failure, 'msr') });
      return;
    }
  },
});

/** The fact probes of the x86 plugins: CPUID first, so the MSR probe knows the vendor. */
export const X86_FACT_PROBES: readonly FactProbe[] = Object.freeze([CPUID_PROBE, MSR_PROBE] as FactProbe[]);
