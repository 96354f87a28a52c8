import { type BackendClaim, type DetectContext, type Evidence, MASK_BIT_MAX, MASK_BIT_MIN } from '@coco/core';
import { parseMemEncryptLine, parseSevStatusLine } from './log.js';
import {
  hypervisorPresent,
  type MemEncryptLeafResult,
  MSR_SYSCFG,
  readMemEncryptLeaf,
  SYSCFG_MEM_ENCRYPT_BIT,
} from './registers.js';
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

/** What one source says: a variant, or `none` (no SEV guest: status 0). */
interface Finding {
  readonly variant: AmdCbitVariant | 'none';
  readonly says: string;
  readonly source: string;
  /** The evidence kind, for the trail. */
  readonly kind: 'cpuid' | 'msr' | 'kernel-log' | 'cpuinfo' | 'files';
  /** The status this source gives, when it gives one. */
  readonly status?: bigint;
}

const VTOM_NOTE = 'vTOM (bit 3) is set, so this is an amd-vtom guest, not a C-bit guest';

function maskOf(leaf: MemEncryptLeafResult): { maskBit: number | null; reason?: string } {
  if (!leaf.ok) return { maskBit: null, reason: leaf.reason };
  const { cBit } = leaf.leaf;
  if (cBit < MASK_BIT_MIN || cBit > MASK_BIT_MAX) {
    return {
      maskBit: null,
      reason: `CPUID 0x8000001f EBX[5:0] reads ${cBit}, outside the physical-address field ${MASK_BIT_MIN}..${MASK_BIT_MAX}`,
    };
  }
  return { maskBit: cBit };
}

/** Reads the weak sources (cpuinfo flags, device nodes), which only decide when nothing stronger does. */
function weakFindings(evidence: Evidence, context: DetectContext): Finding[] {
  const found: Finding[] = [];
  if (evidence.kinds.has('cpuinfo')) {
    const sev = ['sev_snp', 'sev_es', 'sev'].find((f) => evidence.hasFlag(f));
    const guest = evidence.hasFlag('hypervisor');
    const source = evidence.cpuinfoFlags.get(sev ?? 'sme') ?? 'cpuinfo';
    if (sev && guest) {
      const variant = sev === 'sev_snp' ? 'sev-snp' : sev === 'sev_es' ? 'sev-es' : 'sev';
      context.step('cpuinfo', `flag ${sev} with the hypervisor flag: a ${variant} guest`);
      found.push({ variant, says: `flag ${sev}`, source, kind: 'cpuinfo' });
    } else if (sev) {
      context.step(
        'cpuinfo',
        `flag ${sev} without the hypervisor flag: a host that can run SEV guests, not a guest`,
      );
    }
    if (!guest && evidence.hasFlag('sme')) {
      context.step(
        'cpuinfo',
        'flag sme on bare metal: the kernel keeps it only while SME is active (v5.18+)',
      );
      found.push({ variant: 'sme', says: 'flag sme', source, kind: 'cpuinfo' });
    }
  }
  const device = evidence.file(SEV_GUEST_DEVICE);
  if (device?.value) {
    context.step('files', `${SEV_GUEST_DEVICE} exists: the sev-guest driver runs only in SEV-SNP guests`);
    found.push({
      variant: 'sev-snp',
      says: `${SEV_GUEST_DEVICE} exists`,
      source: device.source,
      kind: 'files',
    });
  }
  return found;
}

function distinct(findings: readonly Finding[]): Set<Finding['variant']> {
  const set = new Set(findings.map((f) => f.variant));
  if (set.has('sme')) set.delete('none'); // status 0 is what an SME host reads
  return set;
}

/**
 * amd-cbit's detection: CPUID 0x8000001F for the C-bit, the SEV status MSR (or the kernel's
 * `SEV: Status:` line) for the variant, SYSCFG on bare metal for SME, the kernel's memory-encryption
 * line in any spelling, then cpuinfo flags and /dev/sev-guest when nothing stronger speaks.
 * A status with vTOM set is left to amd-vtom; sources that disagree are reported as a conflict.
 */
export function detectAmdCbit(evidence: Evidence, context: DetectContext): BackendClaim | null {
  const strong: Finding[] = [];
  let logStatus: bigint | undefined;

  const leaf = readMemEncryptLeaf(evidence);
  if (leaf.ok) {
    const l = leaf.leaf;
    context.step(
      'cpuid',
      `0x8000001f: C-bit ${l.cBit}, physical-address reduction ${l.physicalAddressReduction}, ${l.vmpls} VMPLs, SME ${l.sme ? 'yes' : 'no'}, SEV ${l.sev ? 'yes' : 'no'}, SME_COHERENT ${l.smeCoherent ? 'yes' : 'no'}`,
    );
  }
  const hypervisor = hypervisorPresent(evidence);

  const msr = evidence.msr(SEV_STATUS_MSR);
  if (msr) {
    const v = msr.value;
    const source = `msr 0xc0010131 (${msr.source})`;
    if (bitSet(v, SEV_BIT.vtom)) {
      context.step('msr', `SEV status ${formatSevStatus(v)}: ${VTOM_NOTE}`);
      return null;
    }
    const why = statusInconsistency(v);
    if (why) {
      context.step('msr', `SEV status 0x${v.toString(16)} ignored: ${why}`);
      context.warn(`the SEV status 0x${v.toString(16)} from ${msr.source} cannot come from hardware: ${why}`);
    } else {
      const variant = variantOfStatus(v) ?? 'none';
      context.step(
        'msr',
        `SEV status ${formatSevStatus(v)}: ${variant === 'none' ? 'no SEV guest' : variant}`,
      );
      strong.push({
        variant,
        says: variant === 'none' ? 'no SEV (status 0)' : variant,
        source,
        kind: 'msr',
        status: v,
      });
    }
  }

  for (const line of evidence.kernelLog) {
    const where = `kernel log ${line.source} line ${line.line}`;
    const status = parseSevStatusLine(line.text);
    if (status) {
      if (bitSet(status.status, SEV_BIT.vtom)) {
        context.step('kernel-log', `"${line.text}": ${VTOM_NOTE}`);
        return null;
      }
      const extra = status.unknown.length > 0 ? ` (unknown words: ${status.unknown.join(' ')})` : '';
      const why = statusInconsistency(status.status);
      if (why) {
        context.step('kernel-log', `"${line.text}" ignored: ${why}${extra}`);
        continue;
      }
      const variant = variantOfStatus(status.status) ?? 'none';
      context.step('kernel-log', `"${line.text}": ${variant === 'none' ? 'no SEV guest' : variant}${extra}`);
      strong.push({ variant, says: line.text, source: where, kind: 'kernel-log', status: status.status });
      logStatus = status.status;
      continue;
    }
    const features = parseMemEncryptLine(line.text);
    if (features) {
      const what = features.variant ?? 'no variant named';
      context.step('kernel-log', `"${line.text}" (${features.wording} wording): ${what}`);
      if (features.variant)
        strong.push({ variant: features.variant, says: line.text, source: where, kind: 'kernel-log' });
    }
  }

  const syscfg = evidence.msr(MSR_SYSCFG);
  if (syscfg) {
    const on = bitSet(syscfg.value, SYSCFG_MEM_ENCRYPT_BIT);
    context.step(
      'msr',
      `SYSCFG 0xc0010010 bit 23 (memory encryption enabled by firmware) is ${on ? 'set' : 'clear'}`,
    );
    if (on && hypervisor === false && (!msr || msr.value === 0n)) {
      context.step('cpuid', 'CPUID 1 ECX bit 31 is clear: bare metal, so memory encryption here is SME');
      strong.push({
        variant: 'sme',
        says: 'bare metal, SYSCFG bit 23 set',
        source: `msr 0xc0010010 (${syscfg.source})`,
        kind: 'msr',
      });
      if (!strong.some((f) => f.variant === 'sme' && f.kind === 'kernel-log')) {
        context.warn(
          'SME counts as active from SYSCFG bit 23, but the kernel must also have enabled it (mem_encrypt=on); the line "Memory Encryption Features active: AMD SME" in the kernel log confirms it',
        );
      }
    } else if (on && hypervisor === undefined) {
      context.step(
        'msr',
        'SYSCFG bit 23 alone does not show SME: CPUID 1 is needed to rule out a hypervisor',
      );
    }
  }

  const weak = weakFindings(evidence, context);
  const strongKinds = distinct(strong);
  const pool = strong.length > 0 ? strong : weak;
  const kinds = strong.length > 0 ? strongKinds : distinct(weak);
  if (kinds.size > 1) {
    context.conflict(
      'the AMD memory-encryption variant',
      pool.map((f) => ({ says: f.says, source: f.source })),
    );
    return null;
  }
  const [chosen] = kinds;
  if (chosen === undefined) {
    if (leaf.ok && leaf.leaf.sev && hypervisor !== false) {
      context.step(
        'cpuid',
        'SEV is advertised, but nothing shows it active: add the SEV status MSR or the kernel log',
      );
    }
    return null;
  }
  if (chosen === 'none') {
    context.step('msr', 'no SEV guest and no SME: not an amd-cbit machine');
    return null;
  }
  if (strong.length > 0) {
    for (const f of weak) {
      if (f.variant !== chosen)
        context.warn(`${f.source} says ${f.variant}, but ${chosen} follows from stronger evidence`);
    }
  }

  const msrStatus = strong.find((f) => f.kind === 'msr' && f.status !== undefined)?.status;
  const sevStatus = msrStatus ?? logStatus;
  if (sevStatus === undefined && chosen === 'sev-snp') {
    context.step('kernel-log', 'no SEV status: SecureTSC and SecureAVIC are taken as off');
  }
  if (chosen === 'sev' && strong.length > 0 && strong.every((f) => f.status === undefined)) {
    context.warn(
      'a kernel before v6.9 prints "AMD SEV" for an AMD vTOM (Hyper-V) guest too; the SEV status MSR or the CPUID leaves tell them apart',
    );
  }
  const mask = maskOf(leaf);
  if (mask.reason) context.step('cpuid', `C-bit unknown: ${mask.reason}`);
  const type = createAmdCbitType({
    variant: chosen,
    ...(sevStatus !== undefined ? { sevStatus } : {}),
    maskBit: mask.maskBit,
    ...(mask.reason ? { maskUnknownReason: mask.reason } : {}),
    ...(leaf.ok
      ? {
          smeCoherent: leaf.leaf.smeCoherent,
          physicalAddressReduction: leaf.leaf.physicalAddressReduction,
          vmpls: leaf.leaf.vmpls,
        }
      : {}),
  });
  context.step(pool[0]?.kind ?? 'cpuid', `${type.describe()} (from ${pool.map((f) => f.source).join(', ')})`);
  return { type };
}
