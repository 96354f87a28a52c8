import type { LogLine } from '@coco/core';
import { findSplitLines, type LogFinding } from './mem-encrypt-log.js';
import { SEV_STATUS_SPELLINGS, sevStatusBitName } from './sev-status.js';

/** What a `SEV: Status: ...` line says. */
export interface SevStatusLine {
  /** The named bits as a status value (the kernel prints named bits only, so others read as 0). */
  readonly status: bigint;
  /** The names as the newest kernel spells them, in the order printed. */
  readonly names: readonly string[];
  /** Words that name no known bit. */
  readonly unknown: readonly string[];
}

// `sev_show_status` (arch/x86/coco/sev/core.c, v6.9+): pr_fmt "SEV: ", "Status: ", then "%s " per
// set bit. Letter case and the space after "SEV:" are not held against a line copied by hand: the
// names are distinct in any case, so a reader that differs there would only invent conflicts.
const STATUS = /^SEV: ?Status:(.{0,1024})$/i;
const BY_LOWER = new Map(SEV_STATUS_SPELLINGS.map(([spelling, bit]) => [spelling.toLowerCase(), bit]));

function readNames(text: string): SevStatusLine {
  const words = text.split(/\s+/).filter((w) => w !== '');
  const names: string[] = [];
  const unknown: string[] = [];
  let status = 0n;
  for (let i = 0; i < words.length; ) {
    // Longest spelling first: `Secure TSC` (the 2024 posting) before a one-word name.
    let taken = 0;
    for (const length of [3, 2, 1]) {
      const bit = BY_LOWER.get(
        words
          .slice(i, i + length)
          .join(' ')
          .toLowerCase(),
      );
      if (i + length <= words.length && bit !== undefined) {
        status |= 1n << BigInt(bit);
        names.push(sevStatusBitName(bit));
        taken = length;
        break;
      }
    }
    if (taken === 0) {
      unknown.push(words[i] as string);
      taken = 1;
    }
    i += taken;
  }
  return Object.freeze({ status, names: Object.freeze(names), unknown: Object.freeze(unknown) });
}

/**
 * Reads `SEV: Status: SEV SEV-ES SEV-SNP DebugSwap ` (v6.9+), accepting every spelling a kernel
 * has printed for a bit, including the spaced names of the first 2024 posting (`Secure TSC`,
 * `VMSA reg prot`). `null` for any other line.
 */
export function parseSevStatusLine(text: string): SevStatusLine | null {
  const match = STATUS.exec(text);
  return match ? readNames(match[1] as string) : null;
}

/** Every `SEV: Status:` line of the log, with the parts `pr_cont` split onto later lines joined. */
export function findSevStatusLines(lines: readonly LogLine[]): LogFinding<SevStatusLine>[] {
  return findSplitLines(
    lines,
    parseSevStatusLine,
    (text) => STATUS.test(text),
    (text) => !STATUS.test(text) && readNames(text).unknown.length === 0,
  );
}
