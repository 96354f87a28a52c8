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

/** The 12 signature bytes of a hypervisor leaf, EBX then ECX then EDX; NUL as `\0`, other controls as `.`. */
export function cpuidSignature(record: Pick<CpuidRecord, 'ebx' | 'ecx' | 'edx'>): string {
  let text = '';
  for (const reg of [record.ebx, record.ecx, record.edx]) {
    for (let shift = 0; shift < 32; shift += 8) {
      const c = (reg >>> shift) & 0xff;
      text += c === 0 ? '\\0' : c < 0x20 || c > 0x7e ? '.' : String.fromCharCode(c);
    }
  }
  return text;
}

type Sides<T> = readonly LogValue<T>[];

/** Reports readings of one fact that disagree as a conflict; true when they did. */
function disagree<T>(
  context: HypervisorContext,
  what: string,
  sides: Sides<T>,
  show: (v: T) => string,
): boolean {
  const shown = sides.map((s) => ({ says: show(s.value), source: s.where }));
  if (shown.every((s) => s.says === shown[0]?.says)) return false;
  context.conflict(what, shown);
  return true;
}

/**
 * Hyper-V's detection: is this a Hyper-V guest, is it isolated, with which configuration; then the
 * composition. Returns `null`, with steps, for anything but an isolated Hyper-V guest.
 */
export function detectHyperv(evidence: Evidence, context: HypervisorContext): HypervisorClaim | null {
  const log = readHypervLog(evidence.kernelLog);

  // 1. Hyper-V? CPUID 0x40000000 (signature and a max leaf Linux accepts) and the kernel log.
  const leaf0 = evidence.cpuid(HYPERV_CPUID.vendorAndMax);
  const maxLeaf = leaf0?.eax ?? 0;
  const sides: LogValue<boolean>[] = [];
  if (leaf0) {
    const sig = cpuidSignature(leaf0);
    const inRange = maxLeaf >= HYPERV_MAX_LEAF_RANGE.min && maxLeaf <= HYPERV_MAX_LEAF_RANGE.max;
    context.step(
      'cpuid',
      `CPUID 0x40000000: "${sig}", max leaf ${hex(maxLeaf)}${sig === HYPERV_SIGNATURE && inRange ? '' : ': not Hyper-V'}`,
    );
    // A "Microsoft Hv" leaf with an unusable max leaf says nothing either way.
    if (sig !== HYPERV_SIGNATURE || inRange) sides.push({ value: inRange, where: leaf0.source });
  }
  for (const n of log.hypervisorNames) {
    context.step('kernel-log', `Hypervisor detected: ${n.value}`);
    sides.push({ value: HYPERV_NAMES.includes(n.value), where: n.where });
  }
  const hvLine = log.isolationConfigs[0] ?? log.privilegesHigh[0] ?? log.rootPartition;
  if (hvLine) sides.push({ value: true, where: hvLine.where });
  if (disagree(context, 'whether the hypervisor is Hyper-V', sides, (v) => (v ? 'Hyper-V' : 'another')))
    return null;
  if (!sides[0]?.value) {
    if (!leaf0 && evidence.cpuid(HYPERV_CPUID.isolationConfig)) {
      context.warn(
        'CPUID 0x4000000C without 0x40000000 does not show Hyper-V: add leaves 0x40000000 and 0x40000003',
      );
    }
    if (!sides[0]) context.step('cpuid', 'no Hyper-V leaf or log line');
    return null;
  }

  // 2. Isolated, and not the root partition? CPUID 0x40000003 EBX or the privilege-flags line.
  const leaf3 = leaf0 ? evidence.cpuid(HYPERV_CPUID.features) : undefined;
  const high: Sides<number> = [
    ...(leaf3 ? [{ value: leaf3.ebx, where: leaf3.source }] : []),
    ...log.privilegesHigh,
  ];
  if (disagree(context, 'CPUID 0x40000003 EBX', high, hex)) return null;
  const privileges = high[0]?.value;
  const source = (fromCpuid: unknown) => (fromCpuid ? 'cpuid' : 'kernel-log');
  if (privileges === undefined && !log.isolationConfigs[0]) {
    context.step('cpuid', 'isolation unknown: no CPUID 0x40000003');
    return null;
  }
  // The kernel prints the isolation config only when the isolation bit is set.
  const isolated = privileges === undefined || ((privileges >>> HYPERV_PRIVILEGE_BITS.isolation) & 1) === 1;
  const root =
    log.rootPartition !== undefined ||
    (((privileges ?? 0) >>> HYPERV_PRIVILEGE_BITS.cpuManagement) & 1) === 1;
  context.step(
    source(leaf3),
    `CPUID 0x40000003 EBX ${privileges === undefined ? 'not known' : hex(privileges)}: ${root ? 'root partition' : isolated ? 'isolated' : 'not isolated'}`,
  );
  if (root || !isolated) return null;

  // 3. The configuration: CPUID 0x4000000C, when the max leaf reaches it, or the log line.
  const leafC =
    maxLeaf >= HYPERV_CPUID.isolationConfig ? evidence.cpuid(HYPERV_CPUID.isolationConfig) : undefined;
  const configs: Sides<{ readonly groupA: number; readonly groupB: number }> = [
    ...(leafC ? [{ value: { groupA: leafC.eax, groupB: leafC.ebx }, where: leafC.source }] : []),
    ...log.isolationConfigs,
  ];
  if (
    disagree(context, 'Hyper-V isolation config (CPUID 0x4000000C)', configs, (c) =>
      formatIsolationGroups(decodeIsolationConfig(c.groupA, c.groupB)),
    )
  ) {
    return null;
  }
  const raw = configs[0]?.value;
  if (!raw) {
    context.warn('isolated, but no isolation config (CPUID 0x4000000C or its log line): type unknown');
    return null;
  }
  const from = source(leafC);
  const config = decodeIsolationConfig(raw.groupA, raw.groupB);
  context.step(from, `Hyper-V isolation: ${describeIsolation(config)} (${formatIsolationGroups(config)})`);
  if (config.reservedA.length + config.reservedB.length > 0) {
    context.warn(
      `reserved isolation config bits set (Group A bits ${config.reservedA.join(', ') || 'none'}; Group B bits ${config.reservedB.join(', ') || 'none'}); ignored`,
    );
  }
  if (config.type === null) {
    context.warn(`isolation type ${config.typeCode} is undefined`);
    return null;
  }
  if (config.type === 'none') return null;
  return composeHypervType(config, config.type, context, from);
}
