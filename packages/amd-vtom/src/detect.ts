import {
  type BackendClaim,
  type DetectContext,
  describeValue,
  type Evidence,
  type LogLine,
} from '@coco/core';
import { isAmdMemEncryptLine, lineLabel, parseSevStatusLine, SEV_STATUS_VTOM_BIT } from './log.js';
import { createAmdVtomType } from './type.js';

/** The SEV status MSR, `MSR_AMD64_SEV` (arch/x86/include/asm/msr-index.h). */
export const SEV_STATUS_MSR = 0xc0010131;

const quote = (line: LogLine) => `"${line.text}" (${lineLabel(line)})`;

/**
 * Finds an AMD vTOM guest: SEV status MSR bit 3 set, or the kernel's `SEV: Status:` line naming
 * `vTom` (either spelling). Every fact used or rejected becomes a trail step; evidence that disagrees
 * about bit 3 (the MSR and the log, or two log lines) is reported as a conflict and nothing is
 * claimed. The boundary is never in this evidence (a composing hypervisor supplies it), so the
 * type's mask is unknown.
 */
export function detectAmdVtom(evidence: Evidence, context: DetectContext): BackendClaim | null {
  const msr = evidence.msr(SEV_STATUS_MSR);
  const sides: { says: string; source: string }[] = [];
  let msrVtom: boolean | undefined;
  if (msr) {
    const value = describeValue(msr.value);
    msrVtom = ((msr.value >> BigInt(SEV_STATUS_VTOM_BIT)) & 1n) === 1n;
    const bit = `bit 3 (vTOM) ${msrVtom ? 'set' : 'clear'}`;
    context.step('msr', `SEV status MSR 0xc0010131 = ${value} from ${msr.source}: ${bit}`);
    sides.push({ says: `${bit} in ${value}`, source: msr.source });
  }

  let logVtom: boolean | undefined;
  let mixed = false;
  for (const line of evidence.kernelLog) {
    const status = parseSevStatusLine(line.text);
    if (status) {
      context.step('kernel-log', `${quote(line)}: vTom ${status.vtom ? 'named' : 'not named'}`);
      if (logVtom !== status.vtom) {
        if (!mixed) sides.push({ says: `"${line.text}"`, source: lineLabel(line) });
        mixed = logVtom !== undefined;
        logVtom = status.vtom;
      }
    } else if (isAmdMemEncryptLine(line.text)) {
      context.step('kernel-log', `${quote(line)}: not used, vTOM and C-bit SEV guests both print it`);
    }
  }

  if (mixed || (msrVtom !== undefined && logVtom !== undefined && msrVtom !== logVtom)) {
    context.conflict('SEV status bit 3 (vTOM)', sides);
    return null;
  }
  if (!msrVtom && !logVtom) return null;

  const type = createAmdVtomType(msrVtom ? { sevStatus: msr?.value } : {});
  context.step(msrVtom ? 'msr' : 'kernel-log', `an AMD vTOM guest; mask unknown: ${type.maskUnknownReason}`);
  return { type };
}
