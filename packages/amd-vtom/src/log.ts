import type { LogLine } from '@coco/core';

/** The SEV status bit that says the guest uses a virtual top of memory (`MSR_AMD64_SNP_VTOM_BIT`, arch/x86/include/asm/msr-index.h, v6.18). */
export const SEV_STATUS_VTOM_BIT = 3;

/** What one `SEV: Status:` line says. */
export interface SevStatusLine {
  /** The names the kernel printed, split on white space. */
  readonly words: readonly string[];
  /** Whether `vTom` (bit 3 of the kernel's cached `sev_status`) is among them. */
  readonly vtom: boolean;
}

const STATUS_LINE = /^SEV: ?Status:(.*)$/;

/**
 * Parses the kernel's `SEV: Status: ...` line (`sev_show_status` in arch/x86/coco/sev/core.c, v6.9 and
 * later; @coco/amd-cbit decodes the status names), normalised as core's kernel-log parser gives it;
 * `null` for any other line. Both spellings are read: the first posting of the patch (February 2024,
 * printed by Azure SNP guests that tested it) used multi-word names such as `Reflect VC` and
 * `VMSA reg prot`, which review made single words before the merge (`ReflectVC`, `VMSARegProt`);
 * `vTom` is spelled the same in both, and is matched as a whole word in any letter case.
 */
export function parseSevStatusLine(text: string): SevStatusLine | null {
  const match = STATUS_LINE.exec(text);
  if (!match) return null;
  const words = (match[1] as string).split(/\s+/).filter((w) => w !== '');
  return { words, vtom: words.some((w) => w.toLowerCase() === 'vtom') };
}

/**
 * True for the kernel's `Memory Encryption Features active: AMD ...` line. Hyper-V vTOM guests print
 * `... AMD SEV` too (arch/x86/mm/mem_encrypt.c), the same as a C-bit SEV guest, so it never decides vTOM.
 */
export function isAmdMemEncryptLine(text: string): boolean {
  return text.startsWith('Memory Encryption Features active: AMD');
}

/** Where a log line came from, for trail steps and conflicts: `dmesg.txt line 12`. */
export function lineLabel(line: LogLine): string {
  return `${line.source} line ${line.line}`;
}
