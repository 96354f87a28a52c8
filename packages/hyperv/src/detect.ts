import type { CpuidRecord, Evidence, HypervisorClaim, HypervisorContext } from '@coco/core';
import { composeHypervType } from './compose.js';
import { decodeIsolationConfig, describeIsolation, formatIsolationGroups } from './isolation.js';
import { HYPERV_NAMES, type LogValue, readHypervLog } from './log.js';

/** CPUID leaves Hyper-V defines (arch/x86/include/asm/hyperv-tlfs.h, v6.18). */
export const HYPERV_CPUID = Object.freeze({
  /** EAX: highest Hyper-V leaf; EBX, ECX, EDX: "Microsoft Hv". */
  vendorAndMax: 0x4000_0000,
  /** EBX: partition privileges (the kernel's `priv_high`). */
  features: 0x4000_0003,
  /** EAX, EBX: isolation configuration (Groups A and B). */
  isolationConfig: 0x4000_000c,
});

/**
 * The range of CPUID 0x40000000 EAX for which Linux accepts the "Microsoft Hv" signature
 * (`HYPERV_CPUID_MIN`/`MAX`, arch/x86/include/asm/hyperv-tlfs.h, v6.18; systemd uses the same).
 * coco follows the kernel rather than a narrower range of its own: a machine Linux treats as
 * Hyper-V is Hyper-V here too.
 */
export const HYPERV_MAX_LEAF_RANGE = Object.freeze({ min: 0x4000_0005, max: 0x4000_ffff });

/** CPUID 0x40000003 EBX bits (include/hyperv/hvgdk_mini.h, v6.18). */
export const HYPERV_PRIVILEGE_BITS = Object.freeze({
  /** `HV_CPU_MANAGEMENT`: the root partition. */
  cpuManagement: 12,
  /** `HV_ISOLATION`: an isolated (confidential) partition. */
  isolation: 22,
});

/** The signature of CPUID 0x40000000 (EBX, ECX, EDX). */
export const HYPERV_SIGNATURE = 'Microsoft Hv';

const hex = (v: number) => `0x${v.toString(16)}`;

/** The 12 signature bytes of a hypervisor leaf, EBX then ECX then EDX, NULs shown as `\0`. */
export function cpuidSignature(record: CpuidRecord): string {
  let text = '';
  for (const reg of [record.ebx, record.ecx, record.edx]) {
    for (let i = 0; i < 4; i++) {
      const c = (reg >>> (8 * i)) & 0xff;
      text += c === 0 ? '\\0' : c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16)}`;
    }
  }
  return text;
}

function bit(value: number, n: number): boolean {
  return ((value >>> n) & 1) === 1;
}

/**
 * Reports two readings of one fact that disagree (two log lines, or CPUID against the log) and
 * returns whether they did.
 */
function disagree<T>(
  context: HypervisorContext,
  what: string,
  sides: readonly { readonly value: T; readonly where: string }[],
  show: (v: T) => string,
  same: (a: T, b: T) => boolean,
): boolean {
  const first = sides[0];
  if (!first || sides.every((s) => same(s.value, first.value))) return false;
  context.conflict(
    what,
    sides.map((s) => ({ says: show(s.value), source: s.where })),
  );
  return true;
}

/**
 * Hyper-V's detection: is this a Hyper-V guest, is it isolated, and with which configuration; then
 * composition. Returns `null` (with steps) for anything that is not an isolated Hyper-V guest.
 */
export function detectHyperv(evidence: Evidence, context: HypervisorContext): HypervisorClaim | null {
  const log = readHypervLog(evidence.kernelLog);
  for (const where of log.ignored) context.warn(`${where}: a Hyper-V value wider than 32 bits was ignored`);

  // 1. Is it Hyper-V? CPUID 0x40000000 and/or the kernel log's "Hypervisor detected" line.
  const leaf0 = evidence.cpuid(HYPERV_CPUID.vendorAndMax);
  let cpuHyperv: boolean | undefined;
  let maxLeaf = 0;
  if (leaf0) {
    const signature = cpuidSignature(leaf0);
    maxLeaf = leaf0.eax;
    const inRange = maxLeaf >= HYPERV_MAX_LEAF_RANGE.min && maxLeaf <= HYPERV_MAX_LEAF_RANGE.max;
    cpuHyperv = signature === HYPERV_SIGNATURE && inRange;
    context.step(
      'cpuid',
      signature !== HYPERV_SIGNATURE
        ? `CPUID 0x40000000 signature "${signature}" is not Hyper-V's`
        : inRange
          ? `CPUID 0x40000000: "${HYPERV_SIGNATURE}", max leaf ${hex(maxLeaf)}`
          : `CPUID 0x40000000: "${HYPERV_SIGNATURE}" but max leaf ${hex(maxLeaf)} is outside ${hex(HYPERV_MAX_LEAF_RANGE.min)}..${hex(HYPERV_MAX_LEAF_RANGE.max)}, so Linux does not treat it as Hyper-V`,
    );
  }
  const logSaysHyperv =
    log.privilegesHigh.length > 0 || log.isolationConfigs.length > 0 || log.rootPartition !== undefined;
  const names = log.hypervisorNames;
  const logHyperv =
    names.length > 0 ? names.some((n) => HYPERV_NAMES.includes(n.value)) : logSaysHyperv ? true : undefined;
  if (names.length > 0) {
    context.step('kernel-log', `kernel log: Hypervisor detected: ${names.map((n) => n.value).join(', ')}`);
  }
  const isHv = (v: string) => HYPERV_NAMES.includes(v);
  if (
    disagree(
      context,
      'the hypervisor',
      hypervisorSides(leaf0, cpuHyperv, names, logSaysHyperv),
      String,
      (a, b) => isHv(a) === isHv(b),
    )
  ) {
    return null;
  }
  if (cpuHyperv !== true && logHyperv !== true) {
    if (!leaf0 && names.length === 0) {
      if (evidence.cpuid(HYPERV_CPUID.isolationConfig)) {
        context.warn(
          'CPUID 0x4000000C is present but 0x40000000 is not, so Hyper-V cannot be confirmed; include leaves 0x40000000 and 0x40000003 (or the kernel log) to get the vTOM boundary',
        );
      }
      context.step('cpuid', 'no Hyper-V signature (CPUID 0x40000000) and no Hyper-V kernel-log line');
    }
    return null;
  }

  // 2. Is it isolated? CPUID 0x40000003 EBX, or `high` of the privilege-flags log line.
  const leaf3 = cpuHyperv ? evidence.cpuid(HYPERV_CPUID.features) : undefined;
  const highSides: LogValue<number>[] = [
    ...(leaf3 ? [{ value: leaf3.ebx, where: leaf3.source }] : []),
    ...log.privilegesHigh,
  ];
  if (disagree(context, 'CPUID 0x40000003 EBX (privilege flags high)', highSides, hex, (a, b) => a === b)) {
    return null;
  }
  const high = highSides[0];
  let isolated: boolean;
  let root = log.rootPartition !== undefined;
  if (high) {
    isolated = bit(high.value, HYPERV_PRIVILEGE_BITS.isolation);
    root ||= bit(high.value, HYPERV_PRIVILEGE_BITS.cpuManagement);
    context.step(
      leaf3 ? 'cpuid' : 'kernel-log',
      `${leaf3 ? 'CPUID 0x40000003 EBX' : 'privilege flags high (CPUID 0x40000003 EBX)'} ${hex(high.value)}: isolation bit 22 ${isolated ? 'set' : 'clear'}, CPU management bit 12 ${root ? 'set' : 'clear'}`,
    );
  } else if (log.isolationConfigs.length > 0) {
    isolated = true;
    context.step(
      'kernel-log',
      'the kernel printed the isolation config, which it reads only in an isolated partition',
    );
  } else {
    context.step(
      'cpuid',
      'Hyper-V, but neither CPUID 0x40000003 nor the privilege-flags line says whether it is isolated',
    );
    return null;
  }
  if (root) {
    context.step(
      high ? (leaf3 ? 'cpuid' : 'kernel-log') : 'kernel-log',
      'Hyper-V root partition: not a confidential guest',
    );
    return null;
  }
  if (!isolated) return null;

  // 3. The isolation configuration: CPUID 0x4000000C (when the max leaf reaches it) or the log.
  const leafC =
    leaf0 && maxLeaf >= HYPERV_CPUID.isolationConfig
      ? evidence.cpuid(HYPERV_CPUID.isolationConfig)
      : undefined;
  if (leaf0 && cpuHyperv && maxLeaf < HYPERV_CPUID.isolationConfig) {
    context.step('cpuid', `max leaf ${hex(maxLeaf)} does not reach 0x4000000c: no isolation config in CPUID`);
  }
  const configSides = [
    ...(leafC ? [{ value: { groupA: leafC.eax, groupB: leafC.ebx }, where: leafC.source }] : []),
    ...log.isolationConfigs,
  ];
  const show = (c: { groupA: number; groupB: number }) =>
    formatIsolationGroups(decodeIsolationConfig(c.groupA, c.groupB));
  if (
    disagree(
      context,
      'Hyper-V isolation config (CPUID 0x4000000C)',
      configSides,
      show,
      (a, b) => a.groupA === b.groupA && a.groupB === b.groupB,
    )
  ) {
    return null;
  }
  const raw = configSides[0];
  if (!raw) {
    context.warn(
      'an isolated Hyper-V partition, but its isolation config (CPUID 0x4000000C or the "Hyper-V: Isolation Config" line) is missing, so its type is unknown',
    );
    return null;
  }
  const source = leafC ? 'cpuid' : 'kernel-log';
  const config = decodeIsolationConfig(raw.value.groupA, raw.value.groupB);
  context.step(source, `Hyper-V isolation: ${describeIsolation(config)} (${formatIsolationGroups(config)})`);
  if (config.reservedA.length > 0 || config.reservedB.length > 0) {
    context.warn(
      `reserved isolation config bits are set (Group A bits ${config.reservedA.join(', ') || 'none'}; Group B bits ${config.reservedB.join(', ') || 'none'}); they were ignored`,
    );
  }
  if (config.type === null) {
    context.warn(
      `isolation type ${config.typeCode} is not one Hyper-V defines (0 none, 1 VBS, 2 SNP, 3 TDX)`,
    );
    return null;
  }
  if (config.type === 'none') {
    context.step(source, 'isolation type 0 (none): not a confidential guest');
    return null;
  }
  return composeHypervType(config, config.type, context, source);
}

function hypervisorSides(
  leaf0: CpuidRecord | undefined,
  cpuHyperv: boolean | undefined,
  names: readonly LogValue<string>[],
  logSaysHyperv: boolean,
): { value: string; where: string }[] {
  const sides: { value: string; where: string }[] = [];
  if (leaf0 && cpuHyperv !== undefined) {
    const sig = cpuidSignature(leaf0);
    // A "Microsoft Hv" leaf with an unusable max leaf is not evidence of another hypervisor.
    if (sig !== HYPERV_SIGNATURE || cpuHyperv) {
      sides.push({
        value: sig === HYPERV_SIGNATURE ? HYPERV_NAMES[0]! : `signature "${sig}"`,
        where: leaf0.source,
      });
    }
  }
  for (const n of names) sides.push({ value: n.value, where: n.where });
  if (names.length === 0 && logSaysHyperv)
    sides.push({ value: HYPERV_NAMES[0]!, where: 'Hyper-V kernel-log lines' });
  return sides;
}
