import {
  absent,
  type BackendResult,
  cannotTell,
  type DetectContext,
  type Evidence,
  readBootLog,
} from '@coco/core';
import { cpuVendor } from '@coco/x86';
import { findTdxLogLines } from './log.js';
import { createTdxType } from './type.js';

/** The CPUID leaf that holds the TDX signature (arch/x86/include/asm/shared/tdx.h, v6.18). */
export const TDX_CPUID_LEAF = 0x21;

/**
 * "IntelTDX    " as CPUID leaf 0x21 returns it: EBX "Inte", EDX "lTDX", ECX "    ", each
 * little-endian ASCII; the kernel compares EBX, EDX, ECX in that order (tdx_early_init, v6.18).
 */
export const TDX_SIGNATURE = { ebx: 0x65746e49, edx: 0x5844546c, ecx: 0x20202020 } as const;

// The cpuinfo flag (X86_FEATURE_TDX_GUEST, v5.19+) and the guest driver's node (v6.2+).
const FLAG = 'tdx_guest';
const DEVICE = '/dev/tdx_guest';
const SIGNED = 'leaf 0x21 reads "IntelTDX    "';

const hex = (n: number) => `0x${n.toString(16)}`;

/**
 * Reads CPUID: the signature counts only when the basic maximum leaf (CPUID 0 EAX) reaches 0x21.
 * With leaf 0 absent the signature is taken, as the kernel itself reads leaf 0x21 without
 * checking, but a warning asks for leaf 0: the check was not made.
 */
function readCpuid(
  evidence: Evidence,
  context: DetectContext,
): { kind?: 'tdx' | 'stale' | 'none'; says: string } {
  const leaf = evidence.cpuid(TDX_CPUID_LEAF, 0);
  const max = evidence.cpuid(0, 0)?.eax;
  const known = typeof max === 'number';
  const maxSays = known ? `max basic leaf ${hex(max)}` : 'leaf 0 missing';
  if (
    !leaf ||
    leaf.ebx !== TDX_SIGNATURE.ebx ||
    leaf.edx !== TDX_SIGNATURE.edx ||
    leaf.ecx !== TDX_SIGNATURE.ecx
  ) {
    if (leaf || known)
      context.step('cpuid', `${maxSays}: ${leaf ? 'leaf 0x21 holds' : 'no leaf 0x21, so'} no TDX signature`);
    // The kernel's tdx_early_init reads leaf 0x21 whatever the maximum: no signature, no TDX guest.
    if (leaf) return { kind: 'none', says: 'CPUID 0x21 holds no "IntelTDX    " signature' };
    if (known && max < TDX_CPUID_LEAF) return { kind: 'none', says: `CPUID 0 EAX ${hex(max)} is below 0x21` };
    return { says: '' };
  }
  const says = `${maxSays}, ${SIGNED}`;
  if (!known) {
    context.step('cpuid', `${says}: taken as TDX unchecked, as the kernel does`);
    context.warn(
      'CPUID leaf 0 missing: the TDX signature was not checked against the max leaf; include leaf 0',
    );
    return { kind: 'tdx', says };
  }
  if (max < TDX_CPUID_LEAF) {
    const stale = `${says}, not valid below 0x21: ignored`;
    context.step('cpuid', stale);
    return { kind: 'stale', says: stale };
  }
  context.step('cpuid', `${says}: a TDX guest`);
  return { kind: 'tdx', says };
}

/**
 * Why the evidence proves there is no TDX guest (of the kind the kernel's own TDX path runs), or
 * `null`. A Hyper-V TDX guest under a paravisor shows none of this: @coco/hyperv composes that one.
 */
function absenceOf(evidence: Evidence, cpuid: { kind?: string; says: string }): string | null {
  if (cpuid.kind === 'none' || cpuid.kind === 'stale') return cpuid.says;
  const log = readBootLog(evidence.kernelLog);
  if (log.complete) return 'the whole boot log has no TDX guest line ("tdx: Guest detected", v5.19+)';
  if (evidence.kinds.has('cpuinfo') && evidence.cpuinfoFlags.size > 0) {
    return 'cpuinfo has no tdx_guest flag (every TDX guest kernel sets it, v5.19+)';
  }
  return null;
}

function claim(evidence: Evidence, context: DetectContext): BackendResult {
  const pointers: { source: string; says: string }[] = [];
  const add = (kind: string, says: string, source: string) => {
    context.step(kind, `${says} (${source})`);
    pointers.push({ source, says });
  };
  const cpuid = readCpuid(evidence, context);
  const cpuidSource = evidence.cpuid(TDX_CPUID_LEAF, 0)?.source ?? '';
  if (cpuid.kind === 'tdx') pointers.push({ source: cpuidSource, says: cpuid.says });
  for (const { line, wording } of findTdxLogLines(evidence.kernelLog)) {
    add('kernel-log', `"${line.text}": ${wording.origin}`, `${line.source} line ${line.line}`);
  }
  if (evidence.hasFlag(FLAG)) add('cpuinfo', `flag ${FLAG}`, evidence.cpuinfoFlags.get(FLAG) ?? '');
  const device = evidence.file(DEVICE);
  if (device?.value) add('files', `${DEVICE} exists`, device.source);
  else if (device) context.step('files', `${DEVICE} absent (${device.source}): its driver may not be loaded`);

  const gpaw = evidence.tdxGpaw;
  const given = gpaw && `GPAW ${gpaw.value} (${gpaw.source})`;
  if (!pointers[0]) {
    if (given) {
      const alone = `${given} given, but nothing else shows a TDX guest`;
      context.step('tdx', alone);
      context.warn(alone);
    }
    const why = absenceOf(evidence, cpuid);
    if (why) return absent(why);
    return cannotTell(
      'neither CPUID leaves 0 and 0x21, nor a whole boot log, nor cpuinfo flags are in the evidence',
      'run coco as root with the cpuid module loaded (modprobe cpuid), or pass the whole boot log (--dmesg) or /proc/cpuinfo (--cpuinfo)',
    );
  }
  if (cpuid.kind === 'stale') {
    context.conflict('TDX guest, but CPUID leaf 0x21 is not valid', [
      { says: cpuid.says, source: cpuidSource },
      { says: `TDX guest: ${pointers[0].says}`, source: pointers[0].source },
    ]);
  }
  // A CPU that is not Intel's runs no TDX guest; and the kernel's own TDX path (which prints
  // "tdx: Guest detected" and sets tdx_guest) needs leaf 0x21's signature. Only the summary line
  // "Intel TDX" may come without it: a Hyper-V TD-partitioning guest, whose paravisor blocks the leaf.
  const vendor = cpuVendor(evidence);
  const direct = pointers.find((p) => !/Memory Encryption Features/.test(p.says));
  if (vendor && vendor.value !== 'GenuineIntel') {
    context.conflict("TDX guest evidence on a CPU that is not Intel's", [
      { says: `CPU vendor ${vendor.value}`, source: vendor.source },
      { says: `TDX guest: ${pointers[0].says}`, source: pointers[0].source },
    ]);
  } else if (cpuid.kind === 'none' && direct) {
    context.conflict('TDX guest, but CPUID leaf 0x21 has no TDX signature', [
      { says: cpuid.says, source: cpuidSource || (evidence.cpuid(0)?.source ?? '') },
      { says: `TDX guest: ${direct.says}`, source: direct.source },
    ]);
  }
  const width = gpaw?.value as 48 | 52 | undefined;
  const odd = width && width !== 48 && width !== 52 && `${given} is not 48 or 52`;
  if (odd) context.warn(odd);
  context.step(
    'tdx',
    odd
      ? `${odd}: shared bit unknown`
      : width
        ? `${given}: shared bit ${width - 1}`
        : 'no GPAW: shared bit unknown (give tdx.gpaw or --tdx-gpaw)',
  );
  return { type: createTdxType(odd ? { maskUnknownReason: odd } : { gpaw: width }) };
}

/**
 * Looks for a TDX guest in the evidence: the CPUID leaf 0x21 signature (valid only when
 * CPUID 0 EAX >= 0x21), the kernel's TDX boot lines, the `tdx_guest` cpuinfo flag and
 * `/dev/tdx_guest`. The shared bit comes from the GPAW (`evidence.tdxGpaw`). Every piece used
 * or rejected becomes a step of the trail. A signature in a leaf the maximum basic leaf rules
 * out, alongside other TDX evidence, is reported as a conflict. Without a claim it says whether the
 * evidence rules a TDX guest out, or cannot tell and why. Never throws: evidence that cannot be read
 * gives a warning and `null`.
 */
export function detectTdx(evidence: Evidence, context: DetectContext): BackendResult {
  try {
    return claim(evidence, context);
  } catch {
    context.warn('evidence unreadable: TDX not assessed');
    return null;
  }
}
