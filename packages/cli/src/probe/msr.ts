import type { EvidenceBuilder } from '@coco/core';
import { addMsr } from '@coco/x86';
import type { DeviceReader, ProbeFs } from './fs.js';
import { AMD_MSRS, PROBE_PATHS } from './leaves.js';
import { deviceUnreadable } from './unavailable.js';

/** Vendors whose CPUs have AMD's SEV MSRs. */
const AMD_VENDORS: ReadonlySet<string> = new Set(['AuthenticAMD']);

/**
 * Reads the SEV status and SYSCFG MSRs through `/dev/cpu/0/msr`, only on AMD CPUs (elsewhere they
 * do not exist). Each unreadable MSR becomes an unavailable source, never an error.
 */
export function probeMsrs(fs: ProbeFs, builder: EvidenceBuilder, vendor: string | null): void {
  const path = PROBE_PATHS.msr;
  if (vendor !== null && !AMD_VENDORS.has(vendor)) return;
  let device: DeviceReader;
  try {
    device = fs.openDevice(path);
  } catch (error) {
    builder.addUnavailable({ source: path, kind: 'x86.msr', ...deviceUnreadable(error, 'msr') });
    return;
  }
  try {
    for (const msr of AMD_MSRS) {
      const source = `${path} 0x${msr.index.toString(16)}`;
      try {
        const bytes = device.pread(8, msr.index);
        if (bytes.length < 8) throw Object.assign(new Error('short read'), { code: 'EIO' });
        const value = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
        addMsr(builder, msr.index, value, path);
      } catch (error) {
        builder.addUnavailable({
          source: `${source} (${msr.name})`,
          kind: 'x86.msr',
          ...deviceUnreadable(error, 'msr'),
        });
      }
    }
  } finally {
    device.close();
  }
}
