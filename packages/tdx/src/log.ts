import type { LogLine } from '@coco/core';

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
  // arch/x86/mm/mem_encrypt.c print_mem_encrypt_feature_info(), v5.19..v6.18 (one space either way)
  { pattern: /^Memory Encryption Features active: ?Intel TDX$/, origin: 'mem_encrypt.c, v5.19+' },
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

/** The wording that `text` (one normalised line) matches, or `undefined`. */
export function matchTdxLogLine(text: string): TdxLogWording | undefined {
  return TDX_LOG_WORDINGS.find((w) => w.pattern.test(String(text)));
}

/**
 * Every line of `lines` that shows a TDX guest, in log order. A "Memory Encryption Features
 * active:" line whose continuation "Intel TDX" (a `pr_cont`) landed on the next line counts once.
 */
export function findTdxLogLines(lines: readonly LogLine[]): TdxLogMatch[] {
  const found: TdxLogMatch[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as LogLine;
    const text = `${line?.text}`;
    const next = `${text} ${lines[i + 1]?.text}`;
    const wording = matchTdxLogLine(text);
    if (wording) found.push({ line, wording });
    else if (/^Memory Encryption Features active: ?$/.test(text) && matchTdxLogLine(next)) {
      found.push({ line, wording: matchTdxLogLine(next) as TdxLogWording });
      i++;
    }
  }
  return found;
}
