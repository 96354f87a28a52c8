import { absent, cannotTell, type Evidence, type HypervisorContext, type HypervisorResult } from '@coco/core';
// CPUID leaves (arch/x86/include/asm/hyperv-tlfs.h, v6.18), read through @coco/x86: 0x40000000 max
// leaf and "Microsoft Hv" (accepted as Linux's `ms_hyperv_platform` does), 0x40000003 EBX privileges
// (`priv_high`) with HV_ISOLATION (bit 22) and HV_CPU_MANAGEMENT (bit 12), 0x4000000C isolation config.
import {
  HYPERV_CPU_MANAGEMENT_BIT as CPU_MANAGEMENT_BIT,
  type CpuidRecord,
  cpuidOf,
  cpuVendor,
  HYPERV_FEATURES as FEATURES,
  hypervisorSignature,
  HYPERV_ISOLATION_BIT as ISOLATION_BIT,
  HYPERV_ISOLATION_CONFIG as ISOLATION_CONFIG,
  isHypervLeaf,
  notX86,
  CPUID_HYPERVISOR as VENDOR,
} from '@coco/x86';
import { composeHypervType } from './compose.js';
import { decodeIsolationConfig, describeIsolation, formatIsolationGroups } from './isolation.js';
import { isHypervName, type LogValue, readHypervLog } from './log.js';

export { HYPERV_SIGNATURE } from '@coco/x86';

const hex = (v: number) => `0x${v.toString(16)}`;

/** The 12 signature bytes of a hypervisor leaf, EBX then ECX then EDX, NUL shown as `\\0`. */
export function cpuidSignature(record: Pick<CpuidRecord, 'ebx' | 'ecx' | 'edx'>): string {
  return hypervisorSignature(record);
}

const FIX =
  'run coco as root with the cpuid module loaded (modprobe cpuid), or pass the whole boot log (--dmesg)';

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
export function detectHyperv(evidence: Evidence, context: HypervisorContext): HypervisorResult {
  // Another architecture's machine is not this plugin's to decide (null, never "cannot tell").
  if (notX86(evidence)) return null;
  const log = readHypervLog(evidence.kernelLog);
  // Steps name the fact they read: a CPUID leaf, or the dmesg line a finding came from.
  const logFact = (where: string) => `dmesg ${/line(?:s)? [\d-]+$/.exec(where)?.[0] ?? where}`;
  const leaf0 = cpuidOf(evidence, VENDOR);
  const maxLeaf = leaf0?.eax ?? 0;
  const sides: LogValue<boolean>[] = [];
  if (leaf0) {
    const hyperv = isHypervLeaf(leaf0);
    context.step(
      'cpuid',
      `CPUID 0x40000000: "${cpuidSignature(leaf0)}", max leaf ${hex(maxLeaf)}${hyperv ? '' : ': not Hyper-V (Linux needs "Microsoft Hv" and a max leaf of 0x40000005..0x4000ffff)'}`,
      'cpuid 0x40000000/0x0',
    );
    sides.push({ value: hyperv, where: leaf0.source });
  }
  for (const n of log.hypervisorNames) {
    context.step('kernel-log', `Hypervisor detected: ${n.value}`, logFact(n.where));
    sides.push({ value: isHypervName(n.value), where: n.where });
  }
  const hvLine = log.isolationConfigs[0] ?? log.privilegesHigh[0];
  if (hvLine) sides.push({ value: true, where: hvLine.where });
  if (disagree(context, 'whether the hypervisor is Hyper-V', sides, (v) => (v ? 'Hyper-V' : 'another'))) {
    return null;
  }
  if (!sides[0]?.value) {
    if (!leaf0 && cpuidOf(evidence, ISOLATION_CONFIG)) {
      context.warn('add CPUID 0x40000000 and 0x40000003 to confirm Hyper-V');
    }
    if (!sides[0]) {
      context.step('cpuid', 'no Hyper-V evidence', 'cpuid 0x40000000/0x0');
      return null;
    }
    return absent('the hypervisor is not Hyper-V');
  }

  const leaf3 = leaf0 && cpuidOf(evidence, FEATURES);
  const high = [...(leaf3 ? [{ value: leaf3.ebx, where: leaf3.source }] : []), ...log.privilegesHigh];
  if (disagree(context, 'CPUID 0x40000003 EBX', high, hex)) return null;
  const privileges = high[0]?.value;
  const source = (fromCpuid: unknown) => (fromCpuid ? 'cpuid' : 'kernel-log');
  if (privileges === undefined && !log.isolationConfigs[0]) {
    context.step('cpuid', 'isolation unknown', 'cpuid 0x40000003/0x0');
    return cannotTell('a Hyper-V guest whose isolation (CPUID 0x40000003) is not in the evidence', FIX);
  }
  // Without the privileges, the kernel printing the isolation config says the isolation bit is set.
  const bit = (n: number) => privileges !== undefined && ((privileges >>> n) & 1) === 1;
  const isolated = privileges === undefined || bit(ISOLATION_BIT);
  const root = bit(CPU_MANAGEMENT_BIT);
  context.step(
    source(leaf3),
    `CPUID 0x40000003 EBX ${privileges === undefined ? 'not known' : hex(privileges)}: ${root ? 'root partition' : isolated ? 'isolated' : 'not isolated'}`,
    leaf3 ? 'cpuid 0x40000003/0x0' : logFact(high[0]?.where ?? log.isolationConfigs[0]?.where ?? ''),
  );
  const configLine = log.isolationConfigs[0];
  if (!isolated && configLine) {
    // mshyperv.c prints the isolation config only when the isolation bit is set.
    context.conflict('whether the Hyper-V guest is isolated', [
      { says: `not isolated (CPUID 0x40000003 EBX ${hex(privileges ?? 0)})`, source: high[0]?.where ?? '' },
      { says: 'isolated: the kernel printed its isolation config', source: configLine.where },
    ]);
    return null;
  }
  if (root || !isolated) return absent(`a Hyper-V ${root ? 'root partition' : 'guest without isolation'}`);

  const leafC = maxLeaf >= ISOLATION_CONFIG ? cpuidOf(evidence, ISOLATION_CONFIG) : undefined;
  const configs = [
    ...(leafC ? [{ value: { groupA: leafC.eax, groupB: leafC.ebx }, where: leafC.source }] : []),
    ...log.isolationConfigs,
  ];
  const show = (c: { groupA: number; groupB: number }) => formatIsolationGroups(c.groupA, c.groupB);
  if (disagree(context, 'Hyper-V isolation config (CPUID 0x4000000C)', configs, show)) return null;
  const raw = configs[0]?.value;
  if (!raw) {
    context.warn('isolated, but no isolation config: type unknown');
    return cannotTell(
      'an isolated Hyper-V guest whose isolation config (CPUID 0x4000000C) is not in the evidence',
      FIX,
    );
  }
  const from = source(leafC);
  const config = decodeIsolationConfig(raw.groupA, raw.groupB);
  const configFact = leafC ? 'cpuid 0x4000000c/0x0' : logFact(configs[0]?.where ?? '');
  context.step(from, `Hyper-V isolation: ${describeIsolation(config)}`, configFact);
  if (config.reservedA.length + config.reservedB.length > 0) {
    context.warn(
      `reserved isolation config bits set (A: ${config.reservedA}; B: ${config.reservedB}); ignored`,
    );
  }
  if (!config.type) {
    context.warn(`isolation type ${config.typeCode} is undefined`);
    return cannotTell(
      `an isolated Hyper-V guest with isolation type ${config.typeCode}, which Hyper-V does not define`,
      'check the isolation config (CPUID 0x4000000C EBX[3:0]); a newer coco may know the type',
    );
  }
  if (config.type === 'none') return absent('Hyper-V isolation type 0 (none)');
  const vendor = cpuVendor(evidence);
  const needs = config.type === 'snp' ? 'AuthenticAMD' : config.type === 'tdx' ? 'GenuineIntel' : null;
  if (vendor && needs && vendor.value !== needs) {
    context.conflict('the CPU vendor of a Hyper-V isolated guest', [
      {
        says: `isolation type ${config.typeCode} (${config.type.toUpperCase()}) runs on ${needs}`,
        source: configs[0]?.where ?? '',
      },
      { says: vendor.value, source: vendor.source },
    ]);
    return null;
  }
  return composeHypervType(config, config.type, context, from, configFact);
}
