import {
  absent,
  type BackendResult,
  cannotTell,
  type DetectContext,
  describeValue,
  type Evidence,
  readBootLog,
} from '@coco/core';
import {
  CPUID_HYPERVISOR,
  cpuidOf,
  findMemEncryptLines,
  findSevStatusLines,
  HYPERV_FEATURES,
  HYPERV_ISOLATION_CONFIG,
  HYPERV_ISOLATION_TYPES,
  hypervisorPresent,
  isHypervLeaf,
  isIsolatedPartition,
  msrOf,
  notX86,
  SEV_BIT,
  SEV_STATUS_MSR,
} from '@coco/x86';
import { createAmdVtomType } from './type.js';

export { SEV_STATUS_MSR } from '@coco/x86';

// arch/x86/kernel/cpu/mshyperv.c: every isolated Hyper-V guest prints this line at boot.
const ISOLATION_LINE = /^Hyper-V: Isolation Config: /;

/**
 * Why the evidence proves there is no vTOM guest, or `null`. In mainline only Hyper-V's
 * `hv_vtom_init` turns vTOM on (arch/x86/hyperv/ivm.c): a direct SEV-SNP guest whose status has vTOM
 * is refused at boot (`snp_check_features`). So a status without bit 3, a machine that is not an
 * isolated Hyper-V guest, or a whole boot log without Hyper-V's isolation line rules it out.
 */
function absenceOf(evidence: Evidence, msrVtom: boolean | undefined): string | null {
  if (msrVtom === false) return 'the SEV status MSR has bit 3 (vTOM) clear';
  if (hypervisorPresent(evidence) === false)
    return 'CPUID 1 ECX bit 31 is clear: bare metal, not a vTOM guest';
  const vendor = cpuidOf(evidence, CPUID_HYPERVISOR);
  if (vendor && !isHypervLeaf(vendor)) {
    return 'CPUID 0x40000000 is not Hyper-V: only Hyper-V isolated guests use vTOM in mainline';
  }
  const privileges = vendor && cpuidOf(evidence, HYPERV_FEATURES);
  if (privileges && !isIsolatedPartition(privileges.ebx)) {
    return 'CPUID 0x40000003 EBX says Hyper-V without isolation: no vTOM';
  }
  // hv_vtom_init: the vTOM scheme gives an amd-vtom guest for VBS (1), and for SNP (2) with a paravisor.
  const config =
    privileges && vendor.eax >= HYPERV_ISOLATION_CONFIG && cpuidOf(evidence, HYPERV_ISOLATION_CONFIG);
  if (config) {
    const type = config.ebx & 0xf;
    const paravisor = (config.eax & 1) === 1;
    if (type !== HYPERV_ISOLATION_TYPES.vbs && !(type === HYPERV_ISOLATION_TYPES.snp && paravisor)) {
      return `Hyper-V isolation type ${type}${paravisor ? ' with' : ' without'} a paravisor does not use vTOM for an AMD guest`;
    }
  }
  const log = readBootLog(evidence.kernelLog);
  if (log.complete && !evidence.kernelLog.some((l) => ISOLATION_LINE.test(l.text))) {
    return 'the whole boot log has no "Hyper-V: Isolation Config" line: not an isolated Hyper-V guest';
  }
  return null;
}

/**
 * Finds an AMD vTOM guest: SEV status MSR bit 3 set, or the kernel's `SEV: Status:` line naming
 * `vTom` (in any wording @coco/x86 reads, `pr_cont` splits joined). Every fact used or rejected becomes
 * a trail step; evidence that disagrees about bit 3 (the MSR and the log, or two log lines) is a
 * conflict and nothing is claimed. The boundary is never in this evidence (a composing hypervisor
 * supplies it), so the type's mask is unknown. Without a claim it says whether the evidence rules a
 * vTOM guest out, or cannot tell and why.
 */
export function detectAmdVtom(evidence: Evidence, context: DetectContext): BackendResult {
  // Another architecture's machine is not this plugin's to decide (null, never "cannot tell").
  if (notX86(evidence)) return null;
  const msr = msrOf(evidence, SEV_STATUS_MSR);
  const sides: { says: string; source: string }[] = [];
  let msrVtom: boolean | undefined;
  if (msr) {
    const value = describeValue(msr.value);
    msrVtom = ((msr.value >> BigInt(SEV_BIT.vtom)) & 1n) === 1n;
    const bit = `bit 3 (vTOM) ${msrVtom ? 'set' : 'clear'}`;
    context.step('msr', `SEV status MSR 0xc0010131 = ${value} from ${msr.source}: ${bit}`, 'msr 0xc0010131');
    sides.push({ says: `${bit} in ${value}`, source: msr.source });
  }

  let logVtom: boolean | undefined;
  let mixed = false;
  for (const status of findSevStatusLines(evidence.kernelLog)) {
    const vtom = ((status.value.status >> BigInt(SEV_BIT.vtom)) & 1n) === 1n;
    context.step(
      'kernel-log',
      `"${status.text}" (${status.where}): vTom ${vtom ? 'named' : 'not named'}`,
      `dmesg line ${status.line.line}`,
    );
    if (logVtom !== vtom) {
      if (!mixed) sides.push({ says: `"${status.text}"`, source: status.where });
      mixed = logVtom !== undefined;
      logVtom = vtom;
    }
  }
  for (const line of findMemEncryptLines(evidence.kernelLog)) {
    if (line.value.vendor === 'AMD')
      context.step(
        'kernel-log',
        `"${line.text}" (${line.where}): not used, vTOM and C-bit SEV guests both print it`,
        `dmesg line ${line.line.line}`,
      );
  }

  if (mixed || (msrVtom !== undefined && logVtom !== undefined && msrVtom !== logVtom)) {
    context.conflict('SEV status bit 3 (vTOM)', sides);
    return null;
  }
  if (!msrVtom && !logVtom) {
    const why = absenceOf(evidence, msrVtom);
    if (why) return absent(why);
    return cannotTell(
      'neither the SEV status MSR nor a whole boot log is in the evidence, and CPUID does not rule out an isolated Hyper-V guest',
      'run coco as root with the msr module loaded (modprobe msr), or pass the whole boot log (--dmesg)',
    );
  }
  // Only hv_vtom_init turns vTOM on: elsewhere snp_check_features (arch/x86/boot/compressed/sev.c)
  // refuses to boot with it (vTOM is in SNP_FEATURES_IMPL_REQ, not in SNP_FEATURES_PRESENT).
  const outside = absenceOf(evidence, undefined);
  if (outside)
    context.warn(
      `the SEV status has vTOM set, but ${outside}; the newest kernel refuses to boot with vTOM outside an isolated Hyper-V guest (snp_check_features: GHCB_SNP_UNSUPPORTED)`,
    );
  const type = createAmdVtomType(msrVtom ? { sevStatus: msr?.value } : {});
  context.step(
    msrVtom ? 'msr' : 'kernel-log',
    `an AMD vTOM guest; mask unknown: ${type.maskUnknownReason}`,
    msrVtom ? 'msr 0xc0010131' : 'kernel-log',
  );
  return { type };
}
