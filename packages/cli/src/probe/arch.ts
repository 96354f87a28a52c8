import type { Evidence } from '@coco/core';

/** The architecture a tree's `/proc/cpuinfo` shows, as Node's `process.arch` names it, and why. */
export interface InferredArch {
  readonly arch: string;
  readonly because: string;
}

/**
 * Infers the architecture of a machine from its `/proc/cpuinfo` fields, as each kernel's
 * `show_cpuinfo()` prints them:
 * - s390x: `vendor_id : IBM/S390` (arch/s390/kernel/processor.c `show_cpu_summary`);
 * - x86: `vendor_id` (another vendor) or `flags` (arch/x86/kernel/cpu/proc.c);
 * - arm64: `CPU architecture : 8` (arch/arm64/kernel/cpuinfo.c `c_show` prints 8 on every arm64
 *   kernel; 32-bit arm kernels print 7 or below: `arm`);
 * - ppc64: `cpu : POWER...` or `platform : pSeries | PowerNV` (arch/powerpc/kernel/setup-common.c);
 * - riscv64: `isa : rv64...` (arch/riscv/kernel/cpu.c).
 * `undefined` when the fields name none of them.
 */
export function inferArch(evidence: Evidence): InferredArch | undefined {
  const field = (name: string) => evidence.cpuinfo.get(name)?.value.trim();
  const vendor = field('vendor_id');
  if (vendor === 'IBM/S390') return { arch: 's390x', because: 'cpuinfo vendor_id IBM/S390' };
  if (vendor !== undefined || field('flags') !== undefined)
    return { arch: 'x64', because: vendor ? `cpuinfo vendor_id ${vendor}` : 'cpuinfo flags' };
  const armArch = field('CPU architecture');
  if (armArch !== undefined) {
    const n = Number.parseInt(armArch, 10);
    return n >= 8
      ? { arch: 'arm64', because: `cpuinfo CPU architecture ${armArch}` }
      : { arch: 'arm', because: `cpuinfo CPU architecture ${armArch}` };
  }
  const cpu = field('cpu');
  const platform = field('platform');
  if ((cpu !== undefined && /^POWER/i.test(cpu)) || (platform && /^(pSeries|PowerNV)/.test(platform)))
    return { arch: 'ppc64', because: cpu ? `cpuinfo cpu ${cpu}` : `cpuinfo platform ${platform}` };
  const isa = field('isa');
  if (isa !== undefined && /^rv64/.test(isa)) return { arch: 'riscv64', because: `cpuinfo isa ${isa}` };
  return undefined;
}
