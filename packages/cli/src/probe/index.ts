import { type Evidence, EvidenceBuilder } from '@coco/core';
import { probeCpuid } from './cpuid.js';
import { probeCpuinfo } from './cpuinfo.js';
import { probeFiles } from './files.js';
import { nodeProbeFs, type ProbeFs } from './fs.js';
import { probeKernelLog } from './kernel-log.js';
import { probeMsrs } from './msr.js';

/** Options of {@link probeMachine}. */
export interface ProbeOptions {
  /** The directory the machine's files are read under; `/` for this machine (the default). */
  readonly root?: string;
  /** Replaces the file system access entirely (tests inject failures with it). */
  readonly fs?: ProbeFs;
}

/**
 * Reads what this Linux machine shows: CPUID and (on AMD) MSRs through `/dev/cpu/0`, `/proc/cpuinfo`,
 * the kernel log, and the device nodes and sysfs entries of confidential guests. Each source is
 * read on its own; one that cannot be read is listed in `evidence.unavailable` with the reason and
 * what would make it readable, never thrown.
 */
export function probeMachine(options: ProbeOptions = {}): Evidence {
  const fs = options.fs ?? nodeProbeFs(options.root ?? '/');
  const builder = new EvidenceBuilder();
  const { vendor } = probeCpuid(fs, builder);
  const cpuinfoVendor = probeCpuinfo(fs, builder);
  probeMsrs(fs, builder, vendor ?? cpuinfoVendor);
  probeKernelLog(fs, builder);
  probeFiles(fs, builder);
  return builder.build();
}
