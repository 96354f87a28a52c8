import { type BackendClaim, type DetectContext, type Evidence, MASK_BIT_MAX, MASK_BIT_MIN } from '@coco/core';
import { parseMemEncryptLine, parseSevStatusLine } from './log.js';
import { hypervisorPresent, MSR_SYSCFG, readMemEncryptLeaf, SYSCFG_MEM_ENCRYPT_BIT } from './registers.js';
import {
  bitSet,
  formatSevStatus,
  SEV_BIT,
  SEV_STATUS_MSR,
  statusInconsistency,
  variantOfStatus,
} from './status.js';
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
  readonly status?: bigint;
}

const VTOM = "vTOM (bit 3) is set: an amd-vtom guest, left to amd-vtom's backend";

/**
 * amd-cbit's detection: CPUID 0x8000001F for the C-bit, the SEV status MSR (or the kernel's
 * `SEV: Status:` line) for the variant, SYSCFG on bare metal for SME, the kernel's memory-encryption
 * line in any spelling, then cpuinfo flags and /dev/sev-guest when nothing stronger speaks.
 * A status with vTOM set is left to amd-vtom; sources that disagree are reported as a conflict.
 */
export function detectAmdCbit(evidence: Evidence, context: DetectContext): BackendClaim | null {
  const strong: Finding[] = [];
  const weak: Finding[] = [];
  const step = (kind: Kind, says: string) => context.step(kind, says);

  const leaf = readMemEncryptLeaf(evidence);
  if (leaf.ok) {
    const l = leaf.leaf;
    step(
      'cpuid',
      `0x8000001f: C-bit ${l.cBit}, address reduction ${l.physicalAddressReduction}, ${l.vmpls} VMPLs, SME_COHERENT ${l.smeCoherent}`,
    );
  }
  const hypervisor = hypervisorPresent(evidence);

  /** A status from the MSR or a log line; `false` when it is vTOM (detection stops). */
  const status = (value: bigint, kind: Kind, source: string, says: string): boolean => {
    if (bitSet(value, SEV_BIT.vtom)) {
      step(kind, `${says}: ${VTOM}`);
      return false;
    }
    const why = statusInconsistency(value);
    if (why) {
      step(kind, `${says} ignored: ${why}`);
      context.warn(`${source}: impossible SEV status (${why})`);
    } else {
      const variant = variantOfStatus(value) ?? 'none';
      step(kind, `${says}: ${variant}`);
      strong.push({ variant, says: kind === 'msr' ? variant : says, source, kind, status: value });
    }
    return true;
  };

  const msr = evidence.msr(SEV_STATUS_MSR);
  if (
    msr &&
    !status(msr.value, 'msr', `msr 0xc0010131 (${msr.source})`, `SEV status ${formatSevStatus(msr.value)}`)
  )
    return null;

  for (const line of evidence.kernelLog) {
    const where = `kernel log ${line.source} line ${line.line}`;
    const parsed = parseSevStatusLine(line.text);
    if (parsed) {
      const extra = parsed.unknown.length > 0 ? ` (unknown: ${parsed.unknown.join(' ')})` : '';
      if (!status(parsed.status, 'kernel-log', where, `"${line.text}"${extra}`)) return null;
      continue;
    }
    const line2 = parseMemEncryptLine(line.text);
    if (line2) {
      step('kernel-log', `"${line.text}" (${line2.wording}): ${line2.variant ?? 'no variant'}`);
      if (line2.variant)
        strong.push({ variant: line2.variant, says: line.text, source: where, kind: 'kernel-log' });
    }
  }

  const syscfg = evidence.msr(MSR_SYSCFG);
  if (syscfg && bitSet(syscfg.value, SYSCFG_MEM_ENCRYPT_BIT)) {
    if (hypervisor === false && !msr?.value) {
      step('msr', 'SYSCFG bit 23 set and CPUID 1 ECX bit 31 clear: SME on bare metal');
      strong.push({
        variant: 'sme',
        says: 'SYSCFG bit 23 on bare metal',
        source: `msr 0xc0010010 (${syscfg.source})`,
        kind: 'msr',
      });
      if (!strong.some((f) => f.variant === 'sme' && f.kind === 'kernel-log'))
        context.warn(
          'SME needs mem_encrypt=on too; "Memory Encryption Features active: AMD SME" in the log confirms it',
        );
    } else {
      step('msr', 'SYSCFG bit 23 set, but bare metal is not shown: not SME');
    }
  }

  if (evidence.kinds.has('cpuinfo')) {
    const flag = ['sev_snp', 'sev_es', 'sev'].find((f) => evidence.hasFlag(f));
    const guest = evidence.hasFlag('hypervisor');
    const source = evidence.cpuinfoFlags.get(flag ?? 'sme') ?? 'cpuinfo';
    if (flag && guest) {
      const variant = flag === 'sev' ? 'sev' : flag === 'sev_es' ? 'sev-es' : 'sev-snp';
      step('cpuinfo', `flag ${flag} in a guest: ${variant}`);
      weak.push({ variant, says: `flag ${flag}`, source, kind: 'cpuinfo' });
    } else if (flag) {
      step('cpuinfo', `flag ${flag} without hypervisor: a SEV host, not a guest`);
    }
    if (!guest && evidence.hasFlag('sme')) {
      step('cpuinfo', 'flag sme on bare metal (kept only while SME is active, v5.18+)');
      weak.push({ variant: 'sme', says: 'flag sme', source, kind: 'cpuinfo' });
    }
  }
  const device = evidence.file(SEV_GUEST_DEVICE);
  if (device?.value) {
    step('files', `${SEV_GUEST_DEVICE} exists: an SEV-SNP guest`);
    weak.push({
      variant: 'sev-snp',
      says: `${SEV_GUEST_DEVICE} exists`,
      source: device.source,
      kind: 'files',
    });
  }

  const pool = strong.length > 0 ? strong : weak;
  const kinds = new Set(pool.map((f) => f.variant));
  if (kinds.has('sme')) kinds.delete('none'); // status 0 is what an SME host reads
  if (kinds.size > 1) {
    context.conflict(
      'the AMD memory-encryption variant',
      pool.map((f) => ({ says: f.says, source: f.source })),
    );
    return null;
  }
  const [chosen] = kinds;
  if (!chosen || chosen === 'none') {
    if (!chosen && leaf.ok && leaf.leaf.sev && hypervisor !== false)
      step(
        'cpuid',
        'SEV is advertised, but nothing shows it active: add the SEV status MSR or the kernel log',
      );
    return null;
  }
  if (pool === strong) {
    for (const f of weak)
      if (f.variant !== chosen)
        context.warn(`${f.source} says ${f.variant}; stronger evidence says ${chosen}`);
  }

  const sevStatus = (
    pool.find((f) => f.kind === 'msr' && f.status !== undefined) ?? pool.find((f) => f.status !== undefined)
  )?.status;
  // Before v6.9 an AMD vTOM (Hyper-V) guest logs "AMD SEV" too: without the status this claim
  // is tentative, so a hypervisor plugin that composes vTOM takes precedence without a conflict.
  const tentative = chosen === 'sev' && sevStatus === undefined;
  if (tentative)
    context.warn(
      'before v6.9 an AMD vTOM (Hyper-V) guest also logs "AMD SEV"; the SEV status tells them apart',
    );
  let maskBit: number | null = null;
  let maskUnknownReason = leaf.ok ? undefined : leaf.reason;
  if (leaf.ok) {
    const { cBit } = leaf.leaf;
    if (cBit >= MASK_BIT_MIN && cBit <= MASK_BIT_MAX) maskBit = cBit;
    else
      maskUnknownReason = `CPUID 0x8000001f EBX[5:0] reads ${cBit}, outside ${MASK_BIT_MIN}..${MASK_BIT_MAX}`;
  }
  if (maskUnknownReason) step('cpuid', `C-bit unknown: ${maskUnknownReason}`);
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
  step(pool[0]?.kind ?? 'cpuid', `${type.describe()} (from ${pool.map((f) => f.source).join(', ')})`);
  return tentative ? { type, tentative } : { type };
}
