import type { LogLine } from '@coco/core';

/** One kernel-log wording that shows a TDX guest, with where and when the kernel printed it. */
export interface TdxLogWording {
  /** Matches the whole normalised line (core strips timestamps, caller ids and syslog prefixes). */
  readonly pattern: RegExp;
  /** What the line means, for the reasoning trail. */
  readonly meaning: string;
  /** The kernel file and the versions that print it. */
  readonly origin: string;
}

/**
 * Every wording of a TDX guest's boot lines, newest first. The shared prefix `tdx: ` is the
 * `pr_fmt` of the guest code; Intel's pre-mainline guest kernels used `x86/tdx: ` and other verbs.
 */
export const TDX_LOG_WORDINGS: readonly TdxLogWording[] = Object.freeze([
  {
    // arch/x86/coco/tdx/tdx.c tdx_early_init(), v5.19..v6.18
    pattern: /^tdx: Guest detected$/,
    meaning: 'the kernel found the TDX signature and runs as a TDX guest',
    origin: 'arch/x86/coco/tdx/tdx.c, v5.19 and later',
  },
  {
    // arch/x86/mm/mem_encrypt.c print_mem_encrypt_feature_info(), v5.19..v6.18 (one space either way)
    pattern: /^Memory Encryption Features active: ?Intel TDX$/,
    meaning: 'the kernel reports Intel TDX memory encryption',
    origin: 'arch/x86/mm/mem_encrypt.c, v5.19 and later',
  },
  {
    // intel/tdx guest kernels before the mainline merge, arch/x86/kernel/tdx.c
    pattern: /^(?:x86\/)?tdx: Guest initialized$/,
    meaning: 'a pre-mainline Intel TDX guest kernel runs as a TDX guest',
    origin: 'Intel TDX guest kernels before v5.19 (intel/tdx, arch/x86/kernel/tdx.c)',
  },
  {
    // intel/tdx guest kernels before the mainline merge, arch/x86/kernel/tdx.c
    pattern: /^TDX guest is initialized$/,
    meaning: 'a pre-mainline Intel TDX guest kernel runs as a TDX guest',
    origin: 'Intel TDX guest kernels before v5.19 (intel/tdx, arch/x86/kernel/tdx.c)',
  },
]);

// pr_info("Memory Encryption Features active:") + pr_cont(" Intel TDX"): when another CPU prints
// in between, the continuation lands on a line of its own.
const SPLIT_HEAD = /^Memory Encryption Features active: ?$/;
const SPLIT_TAIL = /^Intel TDX$/;

/** A kernel-log line that shows a TDX guest. */
export interface TdxLogMatch {
  readonly line: LogLine;
  readonly wording: TdxLogWording;
}

/** The wording that `text` (one normalised line) matches, or `undefined`. */
export function matchTdxLogLine(text: string): TdxLogWording | undefined {
  if (typeof text !== 'string' || text.length > 200) return undefined;
  return TDX_LOG_WORDINGS.find((w) => w.pattern.test(text));
}

/**
 * Every line of `lines` that shows a TDX guest, in log order. A "Memory Encryption Features
 * active:" line whose continuation "Intel TDX" was printed on the next line counts once.
 */
export function findTdxLogLines(lines: readonly LogLine[]): TdxLogMatch[] {
  const found: TdxLogMatch[] = [];
  const encryption = TDX_LOG_WORDINGS[1] as TdxLogWording;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const text = line?.text;
    if (typeof text !== 'string') continue;
    const wording = matchTdxLogLine(text);
    if (wording) found.push({ line, wording } as TdxLogMatch);
    else if (SPLIT_HEAD.test(text) && SPLIT_TAIL.test(String(lines[i + 1]?.text ?? ''))) {
      found.push({ line, wording: encryption } as TdxLogMatch);
      i++;
    }
  }
  return found;
}
