import {
  absent,
  type BackendResult,
  cannotTell,
  type DetectContext,
  type Evidence,
  readBootLog,
} from '@coco/core';
import {
  bitSet,
  CPUID_FACT,
  cpuidOf,
  findMemEncryptLines,
  findSevStatusLines,
  formatSevStatus,
  hypervisorPresent,
  MSR_FACT,
  msrOf,
  notX86,
  SEV_BIT,
  SEV_STATUS_MSR,
  sevStatusBitName,
  snpUnsupportedBits,
  statusInconsistency,
  variantOfStatus,
  X86_PA_BIT_MAX,
  X86_PA_BIT_MIN,
} from '@coco/x86';
import {
  type MemEncryptLeafResult,
  MSR_SYSCFG,
  readMemEncryptLeaf,
  SYSCFG_MEM_ENCRYPT_BIT,
} from './registers.js';
import { createAmdCbitType } from './type.js';
import type { AmdCbitVariant } from './variants.js';

/** The device node the sev-guest driver creates in an SEV-SNP guest. */
export const SEV_GUEST_DEVICE = '/dev/sev-guest';

type Kind = 'cpuid' | 'msr' | 'kernel-log' | 'cpuinfo' | 'files';

/** What one source says: a variant, or `none` (status 0: no SEV guest). */
interface Finding {
  readonly variant: AmdCbitVariant | 'none';
  readonly says: string;
  readonly source: string;
  readonly kind: Kind;
  /** The fact it was read from, for the trail: `msr 0xc0010131`, `dmesg line 12`. */
  readonly fact?: string;
  readonly status?: bigint;
  /** A wording that cannot tell SEV from SEV-ES (kernels before v5.10). */
  readonly ambiguous?: boolean;
}

/** What the sources say, split by how much they weigh, or why detection stops early. */
interface Findings {
  readonly strong: Finding[];
  readonly weak: Finding[];
  /** Set when a status with vTOM (bit 3) was seen: the guest is amd-vtom's. */
  vtom?: string;
  /** Set when the log names another vendor's memory encryption (`Intel TDX`). */
  otherVendor?: string;
  /**
   * Set when the log has an AMD memory-encryption summary, even one without features (a `pr_cont`
   * split lost them): the kernel prints it only with memory encryption on, so it is never absence.
   */
  amdSummary?: string;
}

const VTOM = "vTOM (bit 3) is set: an amd-vtom guest, left to amd-vtom's backend";
const FIX =
  'run coco as root with the msr module loaded (modprobe msr), or pass the whole boot log (--dmesg) or the SEV status (--msr 0xc0010131=VALUE)';

/** Adds a status (from the MSR or a log line); records vTOM and impossible values instead. */
function addStatus(
  found: Findings,
  context: DetectContext,
  value: bigint,
  kind: Kind,
  source: string,
  says: string,
  fact: string,
): void {
  if (bitSet(value, SEV_BIT.vtom)) {
    context.step(kind, `${says}: ${VTOM}`, fact);
    found.vtom ??= source;
    return;
  }
  const why = statusInconsistency(value);
  if (why) {
    context.step(kind, `${says} ignored: ${why}`, fact);
    context.warn(`${source}: impossible SEV status (${why})`);
    return;
  }
  const variant = variantOfStatus(value) ?? 'none';
  context.step(kind, `${says}: ${variant}`, fact);
  found.strong.push({ variant, says: kind === 'msr' ? variant : says, source, kind, fact, status: value });
}

function fromMsr(evidence: Evidence, found: Findings, context: DetectContext): void {
  const msr = msrOf(evidence, SEV_STATUS_MSR);
  if (msr) {
    const source = `msr 0xc0010131 (${msr.source})`;
    addStatus(
      found,
      context,
      msr.value,
      'msr',
      source,
      `SEV status ${formatSevStatus(msr.value)}`,
      'msr 0xc0010131',
    );
  }
}

function fromLog(evidence: Evidence, found: Findings, context: DetectContext): void {
  for (const status of findSevStatusLines(evidence.kernelLog)) {
    const extra = status.value.unknown.length > 0 ? ` (unknown: ${status.value.unknown.join(' ')})` : '';
    addStatus(
      found,
      context,
      status.value.status,
      'kernel-log',
      `kernel log ${status.where}`,
      `"${status.text}"${extra}`,
      `dmesg line ${status.line.line}`,
    );
  }
  for (const line of findMemEncryptLines(evidence.kernelLog)) {
    const { value } = line;
    if (value.vendor !== 'AMD') {
      context.step('kernel-log', `"${line.text}": not AMD memory encryption`, `dmesg line ${line.line.line}`);
      found.otherVendor ??= `"${line.text}" (${line.where})`;
      continue;
    }
    found.amdSummary ??= `"${line.text}" (${line.where})`;
    const note = value.ambiguous ? ', which cannot tell SEV from SEV-ES' : '';
    context.step(
      'kernel-log',
      `"${line.text}" (${value.wording}${note}): ${value.amdMode ?? 'no variant'}`,
      `dmesg line ${line.line.line}`,
    );
    if (value.amdMode) {
      found.strong.push({
        variant: value.amdMode,
        says: line.text,
        source: `kernel log ${line.where}`,
        kind: 'kernel-log',
        fact: `dmesg line ${line.line.line}`,
        ambiguous: value.ambiguous,
      });
    }
  }
}

/**
 * SME on bare metal, as the kernel's `sme_enable` (arch/x86/boot/startup/sme.c, v6.18) allows it:
 * CPUID 0x8000001F valid with EAX bit 0 (SME) or bit 1 (SEV), a status without SEV, no hypervisor
 * (CPUID 1 ECX bit 31 clear), and SYSCFG bit 23 (MemEncryptionModEn) set.
 */
function fromSyscfg(
  evidence: Evidence,
  leaf: MemEncryptLeafResult,
  found: Findings,
  context: DetectContext,
): void {
  const syscfg = msrOf(evidence, MSR_SYSCFG);
  if (!syscfg || !bitSet(syscfg.value, SYSCFG_MEM_ENCRYPT_BIT)) return;
  const status = msrOf(evidence, SEV_STATUS_MSR)?.value;
  const hypervisor = hypervisorPresent(evidence);
  const why =
    hypervisor !== false
      ? hypervisor
        ? 'a hypervisor is present (CPUID 1 ECX bit 31)'
        : 'CPUID 1 is not in the evidence, so bare metal is not shown'
      : status !== undefined && bitSet(status, SEV_BIT.sev)
        ? 'the SEV status has SEV set'
        : !leaf.ok
          ? `${leaf.reason}, and the kernel needs it`
          : !leaf.leaf.sme && !leaf.leaf.sev
            ? 'CPUID 0x8000001f EAX has neither SME (bit 0) nor SEV (bit 1)'
            : '';
  if (why) {
    context.step('msr', `SYSCFG bit 23 set, but ${why}: not SME`, 'msr 0xc0010010');
    return;
  }
  context.step(
    'msr',
    'SYSCFG bit 23 set on bare metal with SME/SEV in CPUID 0x8000001f: SME',
    'msr 0xc0010010',
  );
  found.strong.push({
    variant: 'sme',
    says: 'SYSCFG bit 23 on bare metal',
    source: `msr 0xc0010010 (${syscfg.source})`,
    kind: 'msr',
    fact: 'msr 0xc0010010',
  });
  if (!found.strong.some((f) => f.variant === 'sme' && f.kind === 'kernel-log'))
    context.warn(
      'SME needs mem_encrypt=on too; "Memory Encryption Features active: AMD SME" in the log confirms it',
    );
}

function fromWeakSources(evidence: Evidence, found: Findings, context: DetectContext): void {
  if (evidence.kinds.has('cpuinfo')) {
    const flag = ['sev_snp', 'sev_es', 'sev'].find((f) => evidence.hasFlag(f));
    const guest = evidence.hasFlag('hypervisor');
    const source = evidence.cpuinfoFlags.get(flag ?? 'sme') ?? 'cpuinfo';
    if (flag && guest) {
      const variant = flag === 'sev' ? 'sev' : flag === 'sev_es' ? 'sev-es' : 'sev-snp';
      context.step('cpuinfo', `flag ${flag} in a guest: ${variant}`, `cpuinfo flag ${flag}`);
      found.weak.push({
        variant,
        says: `flag ${flag}`,
        source,
        kind: 'cpuinfo',
        fact: `cpuinfo flag ${flag}`,
      });
    } else if (flag) {
      context.step(
        'cpuinfo',
        `flag ${flag} without hypervisor: a SEV host, not a guest`,
        `cpuinfo flag ${flag}`,
      );
    }
    if (!guest && evidence.hasFlag('sme')) {
      context.step(
        'cpuinfo',
        'flag sme on bare metal (kept only while SME is active, v5.18+)',
        'cpuinfo flag sme',
      );
      found.weak.push({
        variant: 'sme',
        says: 'flag sme',
        source,
        kind: 'cpuinfo',
        fact: 'cpuinfo flag sme',
      });
    }
  }
  const device = evidence.file(SEV_GUEST_DEVICE);
  if (device?.value) {
    context.step('files', `${SEV_GUEST_DEVICE} exists: an SEV-SNP guest`, `file ${SEV_GUEST_DEVICE}`);
    found.weak.push({
      variant: 'sev-snp',
      says: `${SEV_GUEST_DEVICE} exists`,
      source: device.source,
      kind: 'files',
      fact: `file ${SEV_GUEST_DEVICE}`,
    });
  }
}

/**
 * Why the evidence proves there is no C-bit guest or SME host, or `null` when it cannot. Each rule is
 * where the kernel's `sme_enable` stops: no leaf 0x8000001F, neither SME nor SEV in it, a SEV status
 * without SEV on a guest; or a whole boot log without the memory-encryption summary (every kernel
 * prints it when `sme_me_mask` is set).
 */
function absenceOf(evidence: Evidence, leaf: MemEncryptLeafResult, found: Findings): string | null {
  if (found.vtom) return `the SEV status has vTOM set (${found.vtom}): an amd-vtom guest`;
  if (found.otherVendor) return `the kernel reports another vendor's memory encryption: ${found.otherVendor}`;
  if (!leaf.ok && leaf.undefined) return leaf.reason;
  if (leaf.ok && !leaf.leaf.sme && !leaf.leaf.sev) {
    return 'CPUID 0x8000001f EAX has neither SME (bit 0) nor SEV (bit 1): the kernel enables no C-bit';
  }
  const status = msrOf(evidence, SEV_STATUS_MSR)?.value;
  if (status !== undefined && !bitSet(status, SEV_BIT.sev) && hypervisorPresent(evidence) === true) {
    return `the SEV status ${formatSevStatus(status)} has SEV (bit 0) clear in a guest`;
  }
  if (status === 0n && found.strong.every((f) => f.variant === 'none')) {
    return 'the SEV status is 0: not a SEV guest (and no sign of SME on bare metal)';
  }
  const log = readBootLog(evidence.kernelLog);
  if (log.complete && !found.amdSummary && found.strong.every((f) => f.kind !== 'kernel-log')) {
    return `the whole boot log (${log.banner?.source}) has no "Memory Encryption Features active" line: the kernel enabled no memory encryption`;
  }
  return null;
}

/** Why the evidence cannot decide, naming what is missing. */
function unknownReason(evidence: Evidence, leaf: MemEncryptLeafResult, found: Findings): string {
  const unreadable = evidence.unavailable.filter(
    (n) => n.kind === MSR_FACT.id || n.kind === CPUID_FACT.id || n.kind === 'kernel-log',
  );
  const missing: string[] = [];
  if (!leaf.ok) missing.push(leaf.reason);
  else if (leaf.leaf.sev)
    missing.push('SEV is advertised in CPUID 0x8000001f, but nothing shows whether it is active');
  if (unreadable.length > 0) missing.push(`not read: ${unreadable.map((n) => n.source).join(', ')}`);
  const log = readBootLog(evidence.kernelLog);
  if (found.amdSummary)
    missing.push(`the kernel log names AMD memory encryption without its features: ${found.amdSummary}`);
  if (!evidence.kinds.has('kernel-log')) missing.push('no kernel log');
  else if (!log.complete)
    missing.push(
      log.elided
        ? 'the kernel log was cut'
        : !log.banner
          ? 'the kernel log does not start at boot'
          : 'the kernel log does not reach the end of boot ("Freeing unused kernel ... memory")',
    );
  return missing.join('; ');
}

/**
 * amd-cbit's detection: CPUID 0x8000001F for the C-bit, the SEV status MSR (or the kernel's
 * `SEV: Status:` line) for the variant, SYSCFG on bare metal for SME, the kernel's memory-encryption
 * line in any wording, then cpuinfo flags and /dev/sev-guest when nothing stronger speaks. A status
 * with vTOM set is left to amd-vtom; sources that disagree are reported as a conflict. Without a
 * claim it says whether the evidence proves a C-bit machine absent, or cannot tell and why.
 */
export function detectAmdCbit(evidence: Evidence, context: DetectContext): BackendResult {
  // Another architecture's machine is not this plugin's to decide (null, never "cannot tell").
  if (notX86(evidence)) return null;
  const found: Findings = { strong: [], weak: [] };
  const leaf = readMemEncryptLeaf(evidence);
  if (leaf.ok) {
    const l = leaf.leaf;
    context.step(
      'cpuid',
      `0x8000001f: SME ${l.sme}, SEV ${l.sev}, C-bit ${l.cBit}, address reduction ${l.physicalAddressReduction}, ${l.vmpls} VMPLs, SME_COHERENT ${l.smeCoherent}`,
      'cpuid 0x8000001f/0x0',
    );
  } else if (leaf.undefined) context.step('cpuid', leaf.reason, 'cpuid 0x80000000/0x0');
  fromMsr(evidence, found, context);
  fromLog(evidence, found, context);
  if (found.vtom) return absent(absenceOf(evidence, leaf, found) as string);
  fromSyscfg(evidence, leaf, found, context);
  fromWeakSources(evidence, found, context);

  const pool = found.strong.length > 0 ? found.strong : found.weak;
  const kinds = new Set(pool.map((f) => f.variant));
  if (kinds.has('sme')) kinds.delete('none'); // status 0 is what an SME host reads
  // The v4.14-v5.9 wording says "SEV" for SEV-ES too: it never contradicts a higher level.
  if (kinds.has('sev') && pool.some((f) => f.variant !== 'sev' && f.variant !== 'none')) {
    if (pool.every((f) => f.variant !== 'sev' || f.ambiguous)) kinds.delete('sev');
  }
  if (kinds.size > 1) {
    context.conflict(
      'the AMD memory-encryption variant',
      pool.map((f) => ({ says: f.says, source: f.source })),
    );
    return null;
  }
  const [chosen] = kinds;
  if (!chosen || chosen === 'none') {
    const why = absenceOf(evidence, leaf, found);
    return why ? absent(why) : cannotTell(unknownReason(evidence, leaf, found), FIX);
  }
  // sme_enable (arch/x86/boot/startup/sme.c) sets no C-bit, for SME or any SEV level, without leaf
  // 0x8000001F or without SME/SEV in its EAX, and then prints no memory-encryption line: CPUID that
  // says so contradicts the kernel's own lines, every one that says some encryption is active (the
  // v4.14-v5.9 "SEV active" folded into SEV-ES included). (A status read without the leaf keeps
  // its type.)
  const logged = pool.filter((f) => f.kind === 'kernel-log' && f.variant !== 'none');
  const ruledOut =
    !leaf.ok && leaf.undefined
      ? { says: leaf.reason, source: cpuidOf(evidence, 0x8000_0000)?.source ?? 'cpuid' }
      : leaf.ok && !leaf.leaf.sme && !leaf.leaf.sev
        ? { says: 'CPUID 0x8000001f EAX has neither SME (bit 0) nor SEV (bit 1)', source: leaf.leaf.source }
        : null;
  if (ruledOut && logged.length > 0) {
    context.conflict(`whether the kernel could enable AMD memory encryption (${chosen})`, [
      { says: `no C-bit: ${ruledOut.says}`, source: ruledOut.source },
      ...logged.map((f) => ({ says: f.says, source: f.source })),
    ]);
    return null;
  }
  if (pool === found.strong) {
    for (const f of found.weak)
      if (f.variant !== chosen)
        context.warn(`${f.source} says ${f.variant}; stronger evidence says ${chosen}`);
  }

  const sevStatus = (
    pool.find((f) => f.kind === 'msr' && f.status !== undefined) ?? pool.find((f) => f.status !== undefined)
  )?.status;
  // Before v6.9 an AMD vTOM (Hyper-V) guest logs "AMD SEV" too, and before v5.10 an SEV-ES guest
  // logged "SEV active": without the status such a claim is tentative, so a definite claim (a
  // composing hypervisor plugin) takes precedence without a conflict.
  const ambiguous = sevStatus === undefined && pool.every((f) => f.variant !== chosen || f.ambiguous);
  const tentative = chosen === 'sev' && sevStatus === undefined;
  if (tentative)
    context.warn(
      ambiguous
        ? 'this wording (kernels before v5.10) does not tell SEV from SEV-ES; the SEV status would'
        : 'before v6.9 an AMD vTOM (Hyper-V) guest also logs "AMD SEV"; the SEV status tells them apart',
    );
  if (sevStatus !== undefined) {
    const refused = snpUnsupportedBits(sevStatus);
    if (refused.length > 0)
      context.warn(
        `the SEV status has ${refused.map(sevStatusBitName).join(', ')} set, which the newest kernel refuses to boot with (snp_check_features: GHCB_SNP_UNSUPPORTED)`,
      );
  }
  let maskBit: number | null = null;
  let maskUnknownReason = leaf.ok ? undefined : leaf.reason;
  if (leaf.ok) {
    const { cBit } = leaf.leaf;
    if (cBit >= X86_PA_BIT_MIN && cBit <= X86_PA_BIT_MAX) maskBit = cBit;
    else
      maskUnknownReason = `CPUID 0x8000001f EBX[5:0] reads ${cBit}, outside ${X86_PA_BIT_MIN}..${X86_PA_BIT_MAX}`;
  }
  if (maskUnknownReason) context.step('cpuid', `C-bit unknown: ${maskUnknownReason}`, 'cpuid 0x8000001f/0x0');
  const type = createAmdCbitType({
    variant: chosen,
    ...(sevStatus !== undefined && { sevStatus }),
    maskBit,
    ...(maskUnknownReason && { maskUnknownReason }),
    ...(leaf.ok && {
      smeCoherent: leaf.leaf.smeCoherent,
      physicalAddressReduction: leaf.leaf.physicalAddressReduction,
      vmpls: leaf.leaf.vmpls,
    }),
  });
  // At most a few sources by name: a log with a line repeated 100,000 times keeps the step short.
  const sources = [...new Set(pool.map((f) => f.source))];
  const named = sources.length > 4 ? [...sources.slice(0, 3), `${sources.length - 3} more`] : sources;
  context.step(
    pool[0]?.kind ?? 'cpuid',
    `${type.describe()} (from ${named.join(', ')})`,
    pool[0]?.fact ?? 'cpuid 0x8000001f/0x0',
  );
  return tentative ? { type, tentative } : { type };
}
