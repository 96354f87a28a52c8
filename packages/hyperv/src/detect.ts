import type { CpuidRecord, Evidence, HypervisorClaim, HypervisorContext } from '@coco/core';
import { composeHypervType } from './compose.js';
import { decodeIsolationConfig, describeIsolation, formatIsolationGroups } from './isolation.js';
import { isHypervName, type LogValue, readHypervLog } from './log.js';

// CPUID leaves (arch/x86/include/asm/hyperv-tlfs.h, v6.18): 0x40000000 EAX max leaf and
// EBX, ECX, EDX "Microsoft Hv"; 0x40000003 EBX privileges (`priv_high`); 0x4000000C isolation config.
const VENDOR = 0x4000_0000;
const FEATURES = 0x4000_0003;
const ISOLATION_CONFIG = 0x4000_000c;
// The max leaf range for which Linux accepts the signature (`HYPERV_CPUID_MIN`/`MAX`; systemd uses
// the same): coco follows the kernel rather than a narrower range of its own.
const MAX_LEAF_MIN = 0x4000_0005;
const MAX_LEAF_MAX = 0x4000_ffff;
// 0x40000003 EBX bits HV_ISOLATION and HV_CPU_MANAGEMENT (include/hyperv/hvgdk_mini.h in v6.18,
// include/asm-generic/hyperv-tlfs.h before the headers moved).
const ISOLATION_BIT = 22;
const CPU_MANAGEMENT_BIT = 12;

/** The signature of CPUID 0x40000000 (EBX, ECX, EDX). */
export const HYPERV_SIGNATURE = 'Microsoft Hv';

const hex = (v: number) => `0x${v.toString(16)}`;

/** The 12 signature bytes of a hypervisor leaf, EBX then ECX then EDX, NUL shown as `\0`. */
export function cpuidSignature(record: Pick<CpuidRecord, 'ebx' | 'ecx' | 'edx'>): string {
  let text = '';
  for (const reg of [record.ebx, record.ecx, record.edx]) {
    for (let shift = 0; shift < 32; shift += 8) {
      const c = (reg >>> shift) & 0xff;
      text += c ? String.fromCharCode(c) : '\\0';
    }
  }
  return text;
}

/** Reports readings of one fact that disagree as a conflict; true when they did. */
function disagree<T>(
  context: HypervisorContext,
  what: string,
  sides: readonly LogValue<T>[],
  show: (v: T) => string,
): boolean {
  const shown = sides.map((s) => ({ says: show(s.value), source: s.where }));
  if (shown.every((s) => s.says === shown[0]?.says)) return false;
  context.conflict(what, shown);
  return true;
}

/**
 * Hyper-V's detection: a Hyper-V guest (CPUID 0x40000000 with a max leaf Linux accepts, or the
 * kernel's `Hypervisor detected` line), isolated (CPUID 0x40000003 EBX bit 22 set, bit 12 clear, or
 * the privilege-flags line), with its isolation config (CPUID 0x4000000C when the max leaf reaches
 * it, or the `Isolation Config` line); then the composition. CPUID and the log disagreeing is a
 * conflict. Returns `null`, with steps, for anything but an isolated Hyper-V guest.
 */
export function detectHyperv(evidence: Evidence, context: HypervisorContext): HypervisorClaim | null {
  const log = readHypervLog(evidence.kernelLog);
  const leaf0 = evidence.cpuid(VENDOR);
  const maxLeaf = leaf0?.eax ?? 0;
  const sides: LogValue<boolean>[] = [];
  if (leaf0) {
    const sig = cpuidSignature(leaf0);
    const inRange = maxLeaf >= MAX_LEAF_MIN && maxLeaf <= MAX_LEAF_MAX;
    context.step(
      'cpuid',
      `CPUID 0x40000000: "${sig}", max leaf ${hex(maxLeaf)}${sig === HYPERV_SIGNATURE && inRange ? '' : ': not Hyper-V'}`,
    );
    // A "Microsoft Hv" leaf with an unusable max leaf says nothing either way.
    if (sig !== HYPERV_SIGNATURE || inRange) sides.push({ value: inRange, where: leaf0.source });
  }
  for (const n of log.hypervisorNames) {
    context.step('kernel-log', `Hypervisor detected: ${n.value}`);
    sides.push({ value: isHypervName(n.value), where: n.where });
  }
  const hvLine = log.isolationConfigs[0] ?? log.privilegesHigh[0];
  if (hvLine) sides.push({ value: true, where: hvLine.where });
  if (disagree(context, 'whether the hypervisor is Hyper-V', sides, (v) => (v ? 'Hyper-V' : 'another'))) {
    return null;
  }
  if (!sides[0]?.value) {
    if (!leaf0 && evidence.cpuid(ISOLATION_CONFIG)) {
      context.warn('add CPUID 0x40000000 and 0x40000003 to confirm Hyper-V');
    }
    if (!sides[0]) context.step('cpuid', 'no Hyper-V evidence');
    return null;
  }

  const leaf3 = leaf0 && evidence.cpuid(FEATURES);
  const high = [...(leaf3 ? [{ value: leaf3.ebx, where: leaf3.source }] : []), ...log.privilegesHigh];
  if (disagree(context, 'CPUID 0x40000003 EBX', high, hex)) return null;
  const privileges = high[0]?.value;
  const source = (fromCpuid: unknown) => (fromCpuid ? 'cpuid' : 'kernel-log');
  if (privileges === undefined && !log.isolationConfigs[0]) {
    context.step('cpuid', 'isolation unknown');
    return null;
  }
  // Without the privileges, the kernel printing the isolation config says the isolation bit is set.
  const bit = (n: number) => privileges !== undefined && ((privileges >>> n) & 1) === 1;
  const isolated = privileges === undefined || bit(ISOLATION_BIT);
  const root = bit(CPU_MANAGEMENT_BIT);
  context.step(
    source(leaf3),
    `CPUID 0x40000003 EBX ${privileges === undefined ? 'not known' : hex(privileges)}: ${root ? 'root partition' : isolated ? 'isolated' : 'not isolated'}`,
  );
  if (root || !isolated) return null;

  const leafC = maxLeaf >= ISOLATION_CONFIG ? evidence.cpuid(ISOLATION_CONFIG) : undefined;
  const configs = [
    ...(leafC ? [{ value: { groupA: leafC.eax, groupB: leafC.ebx }, where: leafC.source }] : []),
    ...log.isolationConfigs,
  ];
  const show = (c: { groupA: number; groupB: number }) => formatIsolationGroups(c.groupA, c.groupB);
  if (disagree(context, 'Hyper-V isolation config (CPUID 0x4000000C)', configs, show)) return null;
  const raw = configs[0]?.value;
  if (!raw) {
    context.warn('isolated, but no isolation config: type unknown');
    return null;
  }
  const from = source(leafC);
  const config = decodeIsolationConfig(raw.groupA, raw.groupB);
  context.step(from, `Hyper-V isolation: ${describeIsolation(config)}`);
  if (config.reservedA.length + config.reservedB.length > 0) {
    context.warn(
      `reserved isolation config bits set (A: ${config.reservedA}; B: ${config.reservedB}); ignored`,
    );
  }
  if (!config.type) {
    context.warn(`isolation type ${config.typeCode} is undefined`);
    return null;
  }
  return config.type === 'none' ? null : composeHypervType(config, config.type, context, from);
}
