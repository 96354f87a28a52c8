import type { BackendClaim, DetectContext, Evidence, LogLine } from '@coco/core';
import {
  isAmdMemEncryptLine,
  lineLabel,
  parseSevStatusLine,
  SEV_STATUS_VTOM_BIT,
  sevStatusNames,
} from './log.js';
import { createAmdVtomType } from './type.js';

/** The SEV status MSR, `MSR_AMD64_SEV` (arch/x86/include/asm/msr-index.h). */
export const SEV_STATUS_MSR = 0xc0010131;

function hex(value: bigint): string {
  return `0x${value.toString(16)}`;
}

function quote(line: LogLine): string {
  return `"${line.text}" (${lineLabel(line)})`;
}

/**
 * Finds an AMD vTOM guest: SEV status MSR bit 3 set, or the kernel's `SEV: Status:` line naming
 * `vTom` (either spelling). Every fact used or rejected becomes a trail step; an MSR and a log that
 * disagree about bit 3 are reported as a conflict and nothing is claimed. The boundary is never in
 * this evidence (a composing hypervisor supplies it), so the type's mask is unknown.
 */
export function detectAmdVtom(evidence: Evidence, context: DetectContext): BackendClaim | null {
  const msr = evidence.msr(SEV_STATUS_MSR);
  let msrVtom: boolean | undefined;
  if (msr) {
    msrVtom = ((msr.value >> BigInt(SEV_STATUS_VTOM_BIT)) & 1n) === 1n;
    context.step(
      'msr',
      `SEV status MSR 0xc0010131 = ${hex(msr.value)} (${sevStatusNames(msr.value).join(' ') || 'no bit set'}) from ${msr.source}: ` +
        (msrVtom ? 'bit 3 (vTOM) set, an AMD vTOM guest' : 'bit 3 (vTOM) clear, not an AMD vTOM guest'),
    );
  }

  const withVtom: LogLine[] = [];
  const withoutVtom: LogLine[] = [];
  for (const line of evidence.kernelLog) {
    const status = parseSevStatusLine(line.text);
    if (status) {
      (status.vtom ? withVtom : withoutVtom).push(line);
      const more = status.unknown.length > 8 ? ' ...' : '';
      const unknown =
        status.unknown.length > 0 ? `; unknown names: ${status.unknown.slice(0, 8).join(' ')}${more}` : '';
      context.step(
        'kernel-log',
        `${quote(line)}: the kernel's SEV status ${status.vtom ? 'names vTom (bit 3)' : 'does not name vTom (bit 3)'}${unknown}`,
      );
    } else if (isAmdMemEncryptLine(line.text)) {
      context.step(
        'kernel-log',
        `${quote(line)}: not used for vTOM, which Hyper-V vTOM guests print like C-bit SEV guests`,
      );
    }
  }

  const sides: { says: string; source: string }[] = [];
  if (msr)
    sides.push({
      says: `bit 3 (vTOM) ${msrVtom ? 'set' : 'clear'} in ${hex(msr.value)}`,
      source: msr.source,
    });
  const firstWith = withVtom[0];
  const firstWithout = withoutVtom[0];
  if (firstWith) sides.push({ says: `"${firstWith.text}"`, source: lineLabel(firstWith) });
  if (firstWithout) sides.push({ says: `"${firstWithout.text}"`, source: lineLabel(firstWithout) });
  const logVtom = firstWith ? true : firstWithout ? false : undefined;
  if (
    (firstWith && firstWithout) ||
    (msrVtom !== undefined && logVtom !== undefined && msrVtom !== logVtom)
  ) {
    context.conflict('SEV status bit 3 (vTOM)', sides);
    return null;
  }
  if (msrVtom !== true && logVtom !== true) return null;

  const type = createAmdVtomType(msr && msrVtom ? { sevStatus: msr.value } : {});
  context.step(
    msrVtom ? 'msr' : 'kernel-log',
    `vTOM boundary not in this evidence, mask unknown: ${type.maskUnknownReason}`,
  );
  return { type };
}
