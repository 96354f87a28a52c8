import { type Detection, describeConflict } from '@coco/core';
import { EXIT } from '../errors.js';
import type { CliIo } from '../io.js';

/** Writes the one stderr line for conflicting evidence and returns the exit status (3 or 0). */
export function conflictStatus(detection: Detection, io: CliIo): number {
  if (detection.conflicts.length === 0) return EXIT.ok;
  const which = detection.conflicts.map(describeConflict).join('; ');
  io.stderr.write(
    `coco: conflicting evidence, no type decided: ${which}. Fix: find which source is stale or from another machine and leave it out\n`,
  );
  return EXIT.conflict;
}
