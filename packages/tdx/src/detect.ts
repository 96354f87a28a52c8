import type { BackendClaim, CpuidRecord, DetectContext, Evidence } from '@coco/core';
import { findTdxLogLines } from './log.js';
import { createTdxType } from './type.js';

/** The CPUID leaf that holds the TDX signature (arch/x86/include/asm/shared/tdx.h, v6.18). */
export const TDX_CPUID_LEAF = 0x21;

/** The signature CPUID leaf 0x21 returns in EBX, EDX, ECX, in that order. */
export const TDX_SIGNATURE = 'IntelTDX    ';

/** The cpuinfo flag Linux sets on a TDX guest (X86_FEATURE_TDX_GUEST, v5.19 and later). */
export const TDX_CPUINFO_FLAG = 'tdx_guest';

/** The device node of the TDX guest driver (drivers/virt/coco/tdx-guest, v6.2 and later). */
export const TDX_GUEST_DEVICE = '/dev/tdx_guest';

interface Pointer {
  readonly source: string;
  readonly says: string;
}

const hex = (n: number) => `0x${n.toString(16)}`;

function u32(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff
    ? value
    : undefined;
}

/** The 12 characters of EBX, EDX, ECX read as little-endian ASCII, the order the kernel compares. */
export function cpuidSignature(record: Pick<CpuidRecord, 'ebx' | 'ecx' | 'edx'>): string {
  let text = '';
  for (const reg of [record.ebx, record.edx, record.ecx]) {
    const v = u32(reg) ?? 0;
    for (let shift = 0; shift < 32; shift += 8) text += String.fromCharCode((v >>> shift) & 0xff);
  }
  return text;
}

const printable = (text: string) => JSON.stringify(text.replace(/[^\x20-\x7e]/g, '.'));

type CpuidVerdict = { readonly kind: 'tdx' | 'stale' | 'none'; readonly says?: string };

/**
 * Reads CPUID: the signature counts only when the basic maximum leaf (CPUID 0 EAX) reaches 0x21.
 * With leaf 0 absent the signature is taken, as the kernel itself reads leaf 0x21 without
 * checking, but a warning asks for leaf 0: the check was not made.
 */
function readCpuid(evidence: Evidence, context: DetectContext): CpuidVerdict {
  const leaf0 = evidence.cpuid(0, 0);
  const leaf = evidence.cpuid(TDX_CPUID_LEAF, 0);
  const max = u32(leaf0?.eax);
  if (!leaf) {
    if (max !== undefined) {
      context.step(
        'cpuid',
        max < TDX_CPUID_LEAF
          ? `maximum basic leaf ${hex(max)} is below 0x21: no TDX leaf`
          : `maximum basic leaf ${hex(max)}, but leaf 0x21 is not in the evidence`,
      );
    }
    return { kind: 'none' };
  }
  const signature = cpuidSignature(leaf);
  if (signature !== TDX_SIGNATURE) {
    context.step('cpuid', `leaf 0x21 reads ${printable(signature)}, not "IntelTDX    ": no TDX signature`);
    return { kind: 'none' };
  }
  if (max === undefined) {
    const says =
      'leaf 0x21 reads "IntelTDX    ", leaf 0 is missing so the maximum basic leaf was not checked';
    context.step('cpuid', `${says}; taken as a TDX guest, as the kernel does`);
    context.warn(
      `CPUID leaf 0 is missing from ${leaf.source}, so the TDX signature in leaf 0x21 could not be checked against the maximum basic leaf; include leaf 0`,
    );
    return { kind: 'tdx', says };
  }
  if (max < TDX_CPUID_LEAF) {
    const says = `leaf 0x21 reads "IntelTDX    " but the maximum basic leaf ${hex(max)} is below 0x21`;
    context.step('cpuid', `${says}: the leaf is not valid, signature ignored`);
    return { kind: 'stale', says };
  }
  const says = `maximum basic leaf ${hex(max)} and leaf 0x21 reads "IntelTDX    " (EBX, EDX, ECX): a TDX guest`;
  context.step('cpuid', says);
  return { kind: 'tdx', says };
}

function claim(evidence: Evidence, context: DetectContext): BackendClaim | null {
  const pointers: Pointer[] = [];
  const cpuid = readCpuid(evidence, context);
  const cpuidSource = evidence.cpuid(TDX_CPUID_LEAF, 0)?.source ?? 'cpuid';
  if (cpuid.kind === 'tdx') pointers.push({ source: cpuidSource, says: cpuid.says ?? '' });

  for (const { line, wording } of findTdxLogLines(evidence.kernelLog ?? [])) {
    const where = `${line.source} line ${line.line}`;
    context.step('kernel-log', `"${line.text}" (${where}): ${wording.meaning} (${wording.origin})`);
    pointers.push({ source: where, says: `"${line.text}"` });
  }

  if (evidence.hasFlag(TDX_CPUINFO_FLAG)) {
    const source = evidence.cpuinfoFlags.get(TDX_CPUINFO_FLAG) ?? 'cpuinfo';
    context.step('cpuinfo', `flag tdx_guest (${source}): the kernel runs as a TDX guest`);
    pointers.push({ source, says: 'cpuinfo flag tdx_guest' });
  }

  const device = evidence.file(TDX_GUEST_DEVICE);
  if (device?.value === true) {
    context.step('files', `${TDX_GUEST_DEVICE} exists (${device.source}): the TDX guest driver is bound`);
    pointers.push({ source: device.source, says: `${TDX_GUEST_DEVICE} exists` });
  } else if (device?.value === false) {
    context.step(
      'files',
      `${TDX_GUEST_DEVICE} does not exist (${device.source}); the driver may just not be loaded`,
    );
  }

  const gpaw = evidence.tdxGpaw;
  if (pointers.length === 0) {
    if (gpaw) {
      context.step('tdx', `GPAW ${gpaw.value} (${gpaw.source}) alone does not show a TDX guest: not claimed`);
      context.warn(`a TDX GPAW was given (${gpaw.source}) but no other evidence shows a TDX guest`);
    }
    return null;
  }

  if (cpuid.kind === 'stale') {
    const first = pointers[0] as Pointer;
    context.conflict('whether this is a TDX guest (CPUID leaf 0x21 is not valid)', [
      { says: cpuid.says ?? '', source: cpuidSource },
      { says: `TDX guest: ${first.says}`, source: first.source },
    ]);
  }

  if (!gpaw) {
    context.step('tdx', 'no GPAW in the evidence: the shared bit is unknown (give tdx.gpaw or --tdx-gpaw)');
    return { type: createTdxType() };
  }
  if (gpaw.value === 48 || gpaw.value === 52) {
    context.step('tdx', `GPAW ${gpaw.value} (${gpaw.source}): shared bit ${gpaw.value - 1}`);
    return { type: createTdxType({ gpaw: gpaw.value }) };
  }
  const reason = `GPAW ${gpaw.value} from ${gpaw.source} is not a TDX width (48 or 52)`;
  context.step('tdx', `${reason}: the shared bit is unknown`);
  context.warn(`${reason}; the shared bit is left unknown`);
  return { type: createTdxType({ maskUnknownReason: reason }) };
}

/**
 * Looks for a TDX guest in the evidence: the CPUID leaf 0x21 signature (valid only when
 * CPUID 0 EAX >= 0x21), the kernel's TDX boot lines, the `tdx_guest` cpuinfo flag and
 * `/dev/tdx_guest`. The shared bit comes from the GPAW (`evidence.tdxGpaw`). Every piece used
 * or rejected becomes a step of the trail. A signature in a leaf the maximum basic leaf rules
 * out, alongside other TDX evidence, is reported as a conflict. Never throws: evidence that
 * cannot be read gives a warning and `null`.
 */
export function detectTdx(evidence: Evidence, context: DetectContext): BackendClaim | null {
  try {
    return claim(evidence, context);
  } catch (error) {
    let why = 'unknown error';
    try {
      if (error instanceof Error) why = String(error.message);
    } catch {
      // a hostile getter: keep the generic text
    }
    context.warn(`the evidence could not be read, so TDX was not assessed (${why})`);
    return null;
  }
}
