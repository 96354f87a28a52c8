import type { LogLine } from '@coco/core';

/** A value read from one kernel-log line, with where it was read (`dmesg line 12`). */
export interface LogValue<T> {
  readonly value: T;
  readonly where: string;
}

/** What Hyper-V's kernel-log lines say; each field holds every distinct value seen, in order. */
export interface HypervLogFacts {
  /** `Hypervisor detected: ...` names: `Microsoft Hyper-V`, or another hypervisor. */
  readonly hypervisorNames: readonly LogValue<string>[];
  /** `high` of `Hyper-V: privilege flags low ..., high ...`: CPUID 0x40000003 EBX. */
  readonly privilegesHigh: readonly LogValue<number>[];
  /** `Hyper-V: Isolation Config: Group A ..., Group B ...`: CPUID 0x4000000C EAX and EBX. */
  readonly isolationConfigs: readonly LogValue<{ readonly groupA: number; readonly groupB: number }>[];
}

/**
 * Whether a `Hypervisor detected: %s` name is Hyper-V's (`x86_hyper_ms_hyperv.name`):
 * `Microsoft Hyper-V` in current kernels, `Microsoft HyperV` in old ones (arch/x86/kernel/cpu/mshyperv.c).
 */
export const isHypervName = (name: string): boolean => /^Microsoft Hyper-?V$/.test(name);

// A 32-bit value as `0x%x` or `%#x` prints it (`%#x` prints zero as "0"); wider never matches.
const NUM = '(0x[0-9a-fA-F]{1,8}|0)';
const DETECTED = /^Hypervisor detected: (.{1,64})$/;
// arch/x86/kernel/cpu/mshyperv.c: "Hyper-V: privilege flags low 0x%x, high 0x%x, hints ..." (older),
// "Hyper-V: privilege flags low %#x, high %#x, ext %#x, hints ..." (newest mainline).
const PRIVILEGES = new RegExp(`^Hyper-V: privilege flags low ${NUM}, high ${NUM},`);
// "Hyper-V: Isolation Config: Group A 0x%x, Group B 0x%x" (same wording since it was added).
const ISOLATION = new RegExp(`^Hyper-V: Isolation Config: Group A ${NUM}, Group B ${NUM}$`);

/** The kernel-log lines readHypervLog reads (`logPatterns` of the Hyper-V plugin). */
export const HYPERV_LOG_PATTERNS: readonly RegExp[] = Object.freeze([DETECTED, PRIVILEGES, ISOLATION]);

function add<T>(list: LogValue<T>[], value: T, where: string): void {
  const key = JSON.stringify(value);
  if (!list.some((v) => JSON.stringify(v.value) === key)) list.push({ value, where });
}

/** Extracts Hyper-V's facts from normalised kernel-log lines (see `parseKernelLog` in core). */
export function readHypervLog(lines: readonly LogLine[]): HypervLogFacts {
  const facts = {
    hypervisorNames: [] as LogValue<string>[],
    privilegesHigh: [] as LogValue<number>[],
    isolationConfigs: [] as LogValue<{ groupA: number; groupB: number }>[],
  };
  for (const { text, source, line } of lines) {
    if (!text.startsWith('Hyper')) continue;
    const where = `${source} line ${line}`;
    const name = DETECTED.exec(text)?.[1]?.trim();
    const high = PRIVILEGES.exec(text)?.[2];
    const config = ISOLATION.exec(text);
    if (name) add(facts.hypervisorNames, name, where);
    if (high) add(facts.privilegesHigh, Number(high), where);
    if (config) {
      const value = { groupA: Number(config[1]), groupB: Number(config[2]) };
      add(facts.isolationConfigs, value, where);
    }
  }
  return facts;
}
