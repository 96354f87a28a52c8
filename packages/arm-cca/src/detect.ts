import {
  absent,
  type BackendResult,
  cannotTell,
  type DetectContext,
  type Evidence,
  readBootLog,
} from '@coco/core';
import {
  ARM_CCA_DEV,
  ARM_CCA_DEV_CHECKED_UNTIL,
  ARM_CCA_DEV_SINCE,
  ARM_CCA_MODULE,
  CCA_TSM_PROVIDER,
  readArch,
  readKernelVersion,
  tsmProviders,
  versionWithin,
} from './arm64.js';
import { IPA_BITS_KEY, REALM_CONFIG_FACT } from './facts.js';
import { findRsiLines } from './log.js';
import { createArmCcaType } from './type.js';

interface Side {
  readonly says: string;
  readonly source: string;
}

const v = (x: { readonly major: number; readonly minor: number }) => `${x.major}.${x.minor}`;

/**
 * Finds an Arm CCA realm guest, as the kernel sees itself (`is_realm_world()`).
 *
 * A realm: the kernel's `RME: Using RSI version 1.0` line (rsi.c) not followed by the warning of a
 * failed `RSI_REALM_CONFIG`; `/sys/devices/platform/arm-cca-dev` (v6.14 and later); the loaded
 * `arm_cca_guest` module; a configfs-tsm report whose provider is `arm_cca_guest`; or the kernel's
 * "failed to register rsi platform device" (printed only in a realm).
 *
 * Not a realm (proved): the RMM refused the kernel's RSI version (`RME: RMM doesn't support RSI
 * version ...`, realm support stays off; a warning says the machine is a realm the kernel cannot use);
 * the realm configuration call failed; no `arm-cca-dev` on a kernel from v6.14 to v6.19; or a whole
 * boot log without the `RME: Using RSI version` line.
 *
 * Evidence that says both is a conflict and nothing is claimed. Evidence of another architecture is
 * not this backend's (`null`). An arm64 machine the evidence cannot decide is "cannot tell", with what
 * would decide it. The shared bit is known only when the evidence carries the realm's IPA width
 * (fact `arm-cca.realm-config` key `ipa-bits`); the kernel never prints it.
 */
export function detectArmCca(evidence: Evidence, context: DetectContext): BackendResult {
  const arch = readArch(evidence);
  const lines = findRsiLines(evidence.kernelLog);
  const dev = evidence.file(ARM_CCA_DEV);
  const mod = evidence.file(ARM_CCA_MODULE);
  const providers = tsmProviders(evidence);
  const ipa = evidence.fact(REALM_CONFIG_FACT, IPA_BITS_KEY);

  const realm: (Side & { fact: string; kind: string })[] = [];
  // Steps about evidence that decides nothing, told only once the architecture is arm64 (or unknown
  // and the evidence is this backend's): a TDX guest's configfs-tsm provider is no realm's business.
  const seen: { kind: string; says: string; fact: string }[] = [];
  const notRealm: (Side & { fact: string; kind: string; because: string })[] = [];

  // A failed RSI_REALM_CONFIG after the version line means realm support stayed off: the kernel's own
  // sequence (rsi_version_matches, then the warning), not a contradiction.
  const configFailed = lines.configWarning.length > 0;
  for (const l of lines.using) {
    if (configFailed) {
      seen.push({
        kind: 'kernel-log',
        says: `"${l.line.text}" (${l.where}): the RMM accepted the version`,
        fact: l.fact,
      });
      continue;
    }
    realm.push({
      says: `"${l.line.text}"`,
      source: l.where,
      fact: l.fact,
      kind: 'kernel-log',
    });
  }
  for (const l of lines.deviceFailed) {
    realm.push({
      says: `"${l.line.text}" (printed only when is_realm_world())`,
      source: l.where,
      fact: l.fact,
      kind: 'kernel-log',
    });
  }
  if (dev?.value === true)
    realm.push({
      says: `${ARM_CCA_DEV} exists`,
      source: dev.source,
      fact: `file ${ARM_CCA_DEV}`,
      kind: 'files',
    });
  if (mod?.value === true)
    realm.push({
      says: `${ARM_CCA_MODULE} exists (the module loads only in a realm)`,
      source: mod.source,
      fact: `file ${ARM_CCA_MODULE}`,
      kind: 'files',
    });
  for (const p of providers) {
    if (p.provider === CCA_TSM_PROVIDER)
      realm.push({
        says: `${p.path} reads "${p.provider}"`,
        source: p.file.source,
        fact: `file ${p.path}`,
        kind: 'files',
      });
    else
      seen.push({
        kind: 'files',
        says: `${p.path} reads "${p.provider}": another provider, not a realm's`,
        fact: `file ${p.path}`,
      });
  }

  for (const l of lines.refused) {
    notRealm.push({
      says: `"${l.line.text}"`,
      source: l.where,
      fact: l.fact,
      kind: 'kernel-log',
      because: `the RMM refused the kernel's RSI version ${l.requested} (it supports ${l.supported}) (${l.where}): realm support is off, cc_platform_has() answers false`,
    });
  }
  for (const l of lines.configWarning) {
    notRealm.push({
      says: `"${l.line.text}"`,
      source: l.where,
      fact: l.fact,
      kind: 'kernel-log',
      because: `RSI_REALM_CONFIG failed at boot (${l.where}): arm64_rsi_init returned before turning realm support on`,
    });
  }
  const kernel = readKernelVersion(evidence);
  if (dev?.value === false) {
    if (kernel && versionWithin(kernel, ARM_CCA_DEV_SINCE, ARM_CCA_DEV_CHECKED_UNTIL)) {
      if (lines.deviceFailed.length === 0)
        notRealm.push({
          says: `${ARM_CCA_DEV} does not exist on kernel ${v(kernel)}`,
          source: dev.source,
          fact: `file ${ARM_CCA_DEV}`,
          kind: 'files',
          because: `${ARM_CCA_DEV} does not exist, and kernel ${v(kernel)} (from ${kernel.from}) registers it in every realm (v${v(ARM_CCA_DEV_SINCE)} to v${v(ARM_CCA_DEV_CHECKED_UNTIL)})`,
        });
    } else {
      seen.push({
        kind: 'files',
        says: `${ARM_CCA_DEV} does not exist: ${kernel ? `kernel ${v(kernel)} (from ${kernel.from}) is outside v${v(ARM_CCA_DEV_SINCE)}..v${v(ARM_CCA_DEV_CHECKED_UNTIL)}, where the device is known` : 'the kernel version is not in the evidence (the device exists from v6.14)'}, so this proves nothing`,
        fact: `file ${ARM_CCA_DEV}`,
      });
    }
  }
  const boot = readBootLog(evidence.kernelLog);
  if (boot.complete && lines.using.length === 0) {
    notRealm.push({
      says: 'a whole boot log without "RME: Using RSI version"',
      source: boot.banner?.source ?? 'kernel log',
      fact: `dmesg line ${boot.banner?.line ?? 1}`,
      kind: 'kernel-log',
      because:
        'the whole boot log has no "RME: Using RSI version" line, which a kernel prints before it turns realm support on',
    });
  }

  const ours =
    realm.length > 0 || notRealm.length > 0 || dev !== undefined || mod !== undefined || ipa !== undefined;
  if (arch.arm64 === false) {
    context.step('cpuinfo', arch.says, arch.fact);
    if (realm.length > 0) {
      context.conflict('the architecture of an Arm CCA realm', [
        { says: arch.says, source: 'cpuinfo' },
        ...realm.map((s) => ({ says: s.says, source: s.source })),
      ]);
    }
    return null;
  }
  if (arch.arm64 === undefined && !ours) return null;
  if (arch.arm64) context.step('cpuinfo', arch.says, arch.fact);
  for (const s of seen) context.step(s.kind, s.says, s.fact);

  for (const s of realm) context.step(s.kind, `${s.says} (${s.source}): a realm`, s.fact);
  for (const s of notRealm) context.step(s.kind, `${s.says} (${s.source}): not a realm`, s.fact);

  if (realm.length > 0 && notRealm.length > 0) {
    context.conflict('whether the kernel runs as an Arm CCA realm', [
      ...realm.map((s) => ({ says: s.says, source: s.source })),
      ...notRealm.map((s) => ({ says: s.says, source: s.source })),
    ]);
    return null;
  }

  if (realm.length > 0) {
    const versions = new Set(lines.using.map((l) => `${l.major}.${l.minor}`));
    if (versions.size > 1)
      context.warn(`the kernel log names several RSI versions (${[...versions].join(', ')})`);
    const type = createArmCcaType(ipa ? { ipaBits: ipa.value } : {});
    if (ipa)
      context.step(
        REALM_CONFIG_FACT.id,
        `realm IPA width ${ipa.value} (${ipa.source}): shared bit ${ipa.value - 1}`,
        `realm config ${IPA_BITS_KEY}`,
      );
    context.step(
      realm[0]?.kind ?? 'files',
      `an Arm CCA realm${type.marking ? '' : `; shared bit unknown: ${type.maskUnknownReason}`}`,
      realm[0]?.fact,
    );
    return { type };
  }

  const proof = notRealm[0];
  if (proof) {
    if (lines.refused.length > 0 || lines.configWarning.length > 0)
      context.warn(
        `the firmware answers the Realm Service Interface, so this machine runs in a realm, but ${proof.because}; pages are not protected as a realm's`,
      );
    return absent(proof.because);
  }
  const read: string[] = [];
  if (dev?.value === false) read.push(`${ARM_CCA_DEV} does not exist`);
  if (mod?.value === false)
    read.push(`${ARM_CCA_MODULE} does not exist (the module may be built in or not loaded)`);
  if (evidence.kinds.has('kernel-log'))
    read.push(
      `the kernel log has no RSI line, and it is not a whole boot log${boot.banner ? '' : ' (no "Linux version" banner)'}`,
    );
  else read.push('no kernel log');
  if (!kernel) read.push('the kernel version is not known');
  return cannotTell(
    `an arm64 machine, but the evidence does not show whether it is a realm: ${read.join('; ')}`,
    'pass the whole boot log (dmesg from boot, where a realm kernel prints "RME: Using RSI version 1.0"), or read /sys/devices/platform/arm-cca-dev and /proc/sys/kernel/osrelease on a kernel from v6.14',
  );
}
