import { type Detection, describeConflict } from '@coco/core';
import { EXIT } from '../errors.js';
import type { CliIo } from '../io.js';
import { safeText } from '../render/safe-text.js';

/** The distinct fixes of a detection that could not decide, in the order the plugins gave them. */
export function undecidedFixes(detection: Detection): string[] {
  return [...new Set(detection.undetermined.map((u) => u.fix))];
}

/**
 * The exit status of a detection, writing one stderr line when it is not a decision: 3 for
 * conflicting evidence, 4 when the evidence cannot decide, 0 for a yes or a no.
 */
export function verdictStatus(detection: Detection, io: CliIo): number {
  if (detection.conflicts.length > 0) {
    const which = detection.conflicts.map(describeConflict).join('; ');
    io.stderr.write(
      `coco: EVIDENCE_CONFLICT: conflicting evidence, no type decided: ${safeText(which)}. Fix: find which source is stale or from another machine and leave it out\n`,
    );
    return EXIT.conflict;
  }
  if (detection.confidential === null) {
    const why =
      detection.undetermined.map((u) => `${u.by}: ${u.because}`).join('; ') || 'no plugin could decide';
    const fixes = undecidedFixes(detection);
    io.stderr.write(
      `coco: CANNOT_TELL: cannot tell whether this is a confidential guest: ${safeText(why)}. Fix: ${safeText(fixes.join('; ')) || 'pass more evidence (coco detect --help)'}\n`,
    );
    return EXIT.undecided;
  }
  return EXIT.ok;
}
