import type { LogLine } from '@coco/core';
import { findMemEncryptLines, parseMemEncryptLine } from '@coco/x86';

/** One kernel-log wording that shows a TDX guest, and which kernels print it. */
export interface TdxLogWording {
  /** Matches the whole normalised line (core strips timestamps, caller ids and syslog prefixes). */
  readonly pattern: RegExp;
  /** The kernel file and the versions that print it. */
  readonly origin: string;
}

/**
 * Every wording of a TDX guest's boot lines, newest first. `tdx: ` is the `pr_fmt` of the guest
 * code; Intel's pre-mainline guest kernels used `x86/tdx: ` and other verbs.
 */
export const TDX_LOG_WORDINGS: readonly TdxLogWording[] = Object.freeze([
  // arch/x86/coco/tdx/tdx.c tdx_early_init(), v5.19..v6.18
  { pattern: /^tdx: Guest detected$/, origin: 'tdx.c, v5.19+' },
  // Intel's guest kernels before the mainline merge (intel/tdx, arch/x86/kernel/tdx.c)
  {
    pattern: /^(?:(?:x86\/)?tdx: Guest initialized|TDX guest is initialized)$/,
    origin: 'Intel TDX kernels before v5.19',
  },
]);

/** A kernel-log line that shows a TDX guest. */
export interface TdxLogMatch {
  readonly line: LogLine;
  readonly wording: TdxLogWording;
}

/**
 * The memory-encryption summary of a TDX guest (arch/x86/mm/mem_encrypt.c
 * print_mem_encrypt_feature_info(), v5.19+), read by @coco/x86's one decoder of that line.
 */
export const TDX_MEM_ENCRYPT_WORDING: TdxLogWording = Object.freeze({
  pattern: /^Memory Encryption Features active: {0,2}Intel TDX *$/,
  origin: 'mem_encrypt.c, v5.19+',
});

/** The wording that `text` (one normalised line) matches, or `undefined`. */
export function matchTdxLogLine(text: string): TdxLogWording | undefined {
  if (parseMemEncryptLine(String(text))?.vendor === 'Intel') return TDX_MEM_ENCRYPT_WORDING;
  return TDX_LOG_WORDINGS.find((w) => w.pattern.test(String(text)));
}

/**
 * Every line of `lines` that shows a TDX guest, in log order. A "Memory Encryption Features
 * active:" summary that `pr_cont` split over several lines counts once, at its first line.
 */
export function findTdxLogLines(lines: readonly LogLine[]): TdxLogMatch[] {
  const found: TdxLogMatch[] = [];
  for (const line of lines) {
    const wording = TDX_LOG_WORDINGS.find((w) => w.pattern.test(line.text));
    if (wording) found.push({ line, wording });
  }
  for (const summary of findMemEncryptLines(lines)) {
    if (summary.value.vendor === 'Intel')
      found.push({ line: summary.line, wording: TDX_MEM_ENCRYPT_WORDING });
  }
  return found.sort((a, b) => lines.indexOf(a.line) - lines.indexOf(b.line));
}
