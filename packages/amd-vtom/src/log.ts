import type { LogLine } from '@coco/core';

/**
 * The SEV status bit names as the kernel prints them on its `SEV: Status:` line, by bit number.
 * arch/x86/coco/sev/core.c `sev_status_feat_names`, v6.18 (bit 18 from v6.18, bit 23 from newer
 * patches); the line itself appeared in v6.9 (commit "x86/sev: Dump SEV_STATUS", February 2024).
 */
export const SEV_STATUS_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0: 'SEV',
  1: 'SEV-ES',
  2: 'SEV-SNP',
  3: 'vTom',
  4: 'ReflectVC',
  5: 'RI',
  6: 'AI',
  7: 'DebugSwap',
  8: 'NoHostIBS',
  9: 'BTBIsol',
  10: 'VmplSSS',
  11: 'SecureTSC',
  12: 'VMGExitParam',
  14: 'IBSVirt',
  16: 'VMSARegProt',
  17: 'SMTProt',
  18: 'SecureAVIC',
  23: 'IBPBOnEntry',
});

/** The SEV status bit that says the guest uses a virtual top of memory (MSR_AMD64_SNP_VTOM_BIT). */
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
 * Parses the kernel's `SEV: Status: ...` line (normalised, as core's kernel-log parser gives it);
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

/** The set bits of a SEV status value as the kernel names them; unnamed set bits as `bit N`. */
export function sevStatusNames(status: bigint): string[] {
  const names: string[] = [];
  for (let bit = 0; bit < 64; bit++) {
    if ((status >> BigInt(bit)) & 1n) names.push(SEV_STATUS_NAMES[bit] ?? `bit ${bit}`);
  }
  return names;
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
