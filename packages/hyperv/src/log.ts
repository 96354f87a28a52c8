import type { LogLine } from '@coco/core';

/** A value read from one kernel-log line, with where it was read. */
export interface LogValue<T> {
  readonly value: T;
  /** `kernel log line 12` or the line's own source and number. */
  readonly where: string;
}

/** What Hyper-V's kernel-log lines say; each field holds every distinct value seen. */
export interface HypervLogFacts {
  /** `Hypervisor detected: ...` names: `Microsoft Hyper-V`, or another hypervisor. */
  readonly hypervisorNames: readonly LogValue<string>[];
  /** `high` of `Hyper-V: privilege flags low ..., high ...`: CPUID 0x40000003 EBX. */
  readonly privilegesHigh: readonly LogValue<number>[];
  /** `Hyper-V: Isolation Config: Group A ..., Group B ...`: CPUID 0x4000000C EAX and EBX. */
  readonly isolationConfigs: readonly LogValue<{ readonly groupA: number; readonly groupB: number }>[];
  /** `Hyper-V: running as root partition` was printed. */
  readonly rootPartition: LogValue<true> | undefined;
  /** A Hyper-V line whose number did not fit 32 bits, and was ignored. */
  readonly ignored: readonly string[];
}

/**
 * The names x86 Linux gives Hyper-V in `Hypervisor detected: %s` (`x86_hyper_ms_hyperv.name`):
 * `Microsoft Hyper-V` in current kernels, `Microsoft HyperV` in old ones (arch/x86/kernel/cpu/mshyperv.c).
 */
export const HYPERV_NAMES: readonly string[] = Object.freeze(['Microsoft Hyper-V', 'Microsoft HyperV']);

// `%#x` prints 0 as "0", `0x%x` as "0x0": accept both. At most 16 digits are read, then checked.
const NUM = '(0x[0-9a-fA-F]{1,16}|0)';
const DETECTED = /^Hypervisor detected: (.{1,64})$/;
// arch/x86/kernel/cpu/mshyperv.c: "Hyper-V: privilege flags low 0x%x, high 0x%x, hints ..." (older),
// "Hyper-V: privilege flags low %#x, high %#x, ext %#x, hints ..." (newest mainline).
const PRIVILEGES = new RegExp(`^Hyper-V: privilege flags low ${NUM}, high ${NUM},`);
// "Hyper-V: Isolation Config: Group A 0x%x, Group B 0x%x" (same wording since it was added).
const ISOLATION = new RegExp(`^Hyper-V: Isolation Config: Group A ${NUM}, Group B ${NUM}$`);
const ROOT = /^Hyper-V: running as root partition$/;

function u32(text: string): number | undefined {
  const value = BigInt(text);
  return value > 0xffff_ffffn ? undefined : Number(value);
}

function push<T>(list: LogValue<T>[], value: T, where: string, same: (a: T, b: T) => boolean): void {
  if (!list.some((v) => same(v.value, value))) list.push({ value, where });
}

/** Extracts Hyper-V's facts from normalised kernel-log lines (see `parseKernelLog` in core). */
export function readHypervLog(lines: readonly LogLine[]): HypervLogFacts {
  const names: LogValue<string>[] = [];
  const high: LogValue<number>[] = [];
  const configs: LogValue<{ groupA: number; groupB: number }>[] = [];
  const ignored: string[] = [];
  let root: LogValue<true> | undefined;
  for (const line of lines) {
    const text = line.text;
    if (!text.startsWith('Hyper')) continue;
    const where = `${line.source} line ${line.line}`;
    let m = DETECTED.exec(text);
    if (m) {
      push(names, m[1]!.trim(), where, (a, b) => a === b);
      continue;
    }
    m = PRIVILEGES.exec(text);
    if (m) {
      const value = u32(m[2]!);
      if (value === undefined) ignored.push(where);
      else push(high, value, where, (a, b) => a === b);
      continue;
    }
    m = ISOLATION.exec(text);
    if (m) {
      const groupA = u32(m[1]!);
      const groupB = u32(m[2]!);
      if (groupA === undefined || groupB === undefined) ignored.push(where);
      else push(configs, { groupA, groupB }, where, (x, y) => x.groupA === y.groupA && x.groupB === y.groupB);
      continue;
    }
    if (ROOT.test(text)) root ??= { value: true, where };
  }
  return {
    hypervisorNames: names,
    privilegesHigh: high,
    isolationConfigs: configs,
    rootPartition: root,
    ignored,
  };
}
