import type { EvidenceBuilder } from '@coco/core';
import { addCpuid } from '@coco/x86';
import type { DeviceReader, ProbeFs } from './fs.js';
import { CPUID_RANGES, cpuidOffset, HYPERVISOR_PRESENT_BIT, PROBE_PATHS, SUBLEAVES } from './leaves.js';
import { deviceUnreadable } from './unavailable.js';

/** What the CPUID probe learnt that other probes need. */
export interface CpuidFacts {
  /** The vendor string of leaf 0 (`AuthenticAMD`, `GenuineIntel`), `null` when unread. */
  readonly vendor: string | null;
}

const hex = (n: number) => `0x${n.toString(16)}`;

function vendorOf(ebx: number, edx: number, ecx: number): string {
  const bytes = new Uint8Array(12);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, ebx, true);
  view.setUint32(4, edx, true);
  view.setUint32(8, ecx, true);
  return String.fromCharCode(...bytes).replace(/\0+$/, '');
}

/**
 * Reads CPU 0's CPUID leaves through `/dev/cpu/0/cpuid`: the basic, hypervisor (only when CPUID 1
 * says a hypervisor is present) and extended ranges up to their max leaves, and the subleaves of
 * {@link SUBLEAVES}. An unreadable device becomes an unavailable source, never an error.
 */
export function probeCpuid(fs: ProbeFs, builder: EvidenceBuilder): CpuidFacts {
  const path = PROBE_PATHS.cpuid;
  let device: DeviceReader;
  try {
    device = fs.openDevice(path);
  } catch (error) {
    builder.addUnavailable({ source: path, kind: 'x86.cpuid', ...deviceUnreadable(error, 'cpuid') });
    return { vendor: null };
  }
  let firstFailure: unknown = null;
  const failed: number[] = [];
  const read = (leaf: number, subleaf: number) => {
    try {
      const bytes = device.pread(16, cpuidOffset(leaf, subleaf));
      if (bytes.length < 16) throw Object.assign(new Error('short read'), { code: 'EIO' });
      const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
      const regs = {
        eax: view.getUint32(0, true),
        ebx: view.getUint32(4, true),
        ecx: view.getUint32(8, true),
        edx: view.getUint32(12, true),
      };
      addCpuid(builder, leaf, subleaf, regs, path);
      return regs;
    } catch (error) {
      firstFailure ??= error;
      failed.push(leaf);
      return null;
    }
  };
  let vendor: string | null = null;
  try {
    let hypervisor = false;
    for (const range of CPUID_RANGES) {
      if (range.name === 'hypervisor' && !hypervisor) continue;
      const head = read(range.first, 0);
      if (!head) continue;
      if (range.first === 0) vendor = vendorOf(head.ebx, head.edx, head.ecx);
      const max = head.eax >= range.first && head.eax <= range.cap ? head.eax : range.first;
      for (let leaf = range.first + 1; leaf <= max; leaf++) {
        const regs = read(leaf, 0);
        if (leaf === 1 && regs) hypervisor = ((regs.ecx >>> HYPERVISOR_PRESENT_BIT) & 1) === 1;
        const sub = SUBLEAVES.get(leaf);
        if (!sub || !regs) continue;
        const last = sub.fromEax ? Math.min(regs.eax, sub.max) : sub.max;
        for (let subleaf = 1; subleaf <= last; subleaf++) read(leaf, subleaf);
      }
    }
  } finally {
    device.close();
  }
  if (firstFailure !== null) {
    const where =
      failed.length === 1
        ? `leaf ${hex(failed[0] as number)}`
        : `${failed.length} leaves from ${hex(failed[0] as number)}`;
    builder.addUnavailable({
      source: `${path} ${where}`,
      kind: 'x86.cpuid',
      ...deviceUnreadable(firstFailure, 'cpuid'),
    });
  }
  return { vendor };
}
