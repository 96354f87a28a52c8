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

/**
 * The older spellings: the first posting of that patch (February 2024, tested on Azure SNP guests)
 * printed multi-word names; review made every name one word before the merge. lkml, "x86/sev: Dump
 * SEV_STATUS" v1.
 */
const OLD_NAMES: Readonly<Record<string, number>> = {
  'Reflect VC': 4,
  'No HostIBS': 8,
  'BTB Isol': 9,
  'Secure TSC': 11,
  'VMGExit param': 12,
  'IBS Virt': 14,
  'VMSA reg prot': 16,
  'SMT prot': 17,
};

/** The SEV status bit that says the guest uses a virtual top of memory (MSR_AMD64_SNP_VTOM_BIT). */
export const SEV_STATUS_VTOM_BIT = 3;

const BY_NAME = new Map<string, number>();
for (const [bit, name] of Object.entries(SEV_STATUS_NAMES)) BY_NAME.set(name.toLowerCase(), Number(bit));
for (const [name, bit] of Object.entries(OLD_NAMES)) BY_NAME.set(name.toLowerCase(), bit);

/** What one `SEV: Status:` line says. */
export interface SevStatusLine {
  /** The status bits the names stand for (the kernel's cached `sev_status`, not necessarily the MSR). */
  readonly bits: bigint;
  /** Whether `vTom` (bit 3) is among the names. */
  readonly vtom: boolean;
  /** Words that are no status name this package knows, in order. */
  readonly unknown: readonly string[];
}

const STATUS_LINE = /^SEV: ?Status:(.*)$/;

/**
 * Parses the kernel's `SEV: Status: ...` line (normalised, as core's kernel-log parser gives it) in the
 * current spelling or the older multi-word one; `null` for any other line.
 */
export function parseSevStatusLine(text: string): SevStatusLine | null {
  const match = STATUS_LINE.exec(text);
  if (!match) return null;
  const words = (match[1] ?? '').split(/\s+/).filter((w) => w !== '');
  let bits = 0n;
  const unknown: string[] = [];
  for (let i = 0; i < words.length; ) {
    let taken = 0;
    for (let n = 3; n >= 1 && taken === 0; n--) {
      const bit =
        i + n <= words.length
          ? BY_NAME.get(
              words
                .slice(i, i + n)
                .join(' ')
                .toLowerCase(),
            )
          : undefined;
      if (bit !== undefined) {
        bits |= 1n << BigInt(bit);
        taken = n;
      }
    }
    if (taken === 0) {
      unknown.push(words[i] as string);
      taken = 1;
    }
    i += taken;
  }
  return { bits, vtom: ((bits >> BigInt(SEV_STATUS_VTOM_BIT)) & 1n) === 1n, unknown };
}

/** The set bits of a SEV status value as the kernel names them; unnamed set bits as `bit N`. */
export function sevStatusNames(status: bigint): string[] {
  const names: string[] = [];
  for (let bit = 0; bit < 64; bit++) {
    if (((status >> BigInt(bit)) & 1n) === 1n) names.push(SEV_STATUS_NAMES[bit] ?? `bit ${bit}`);
  }
  return names;
}

const MEM_ENCRYPT_AMD = /^Memory Encryption Features active: AMD\b/;

/**
 * True for the kernel's `Memory Encryption Features active: AMD ...` line. Hyper-V vTOM guests print
 * `... AMD SEV` too (arch/x86/mm/mem_encrypt.c), the same as a C-bit SEV guest, so it never decides vTOM.
 */
export function isAmdMemEncryptLine(text: string): boolean {
  return MEM_ENCRYPT_AMD.test(text);
}

/** Where a log line came from, for trail steps and conflicts: `dmesg.txt line 12`. */
export function lineLabel(line: LogLine): string {
  return `${line.source} line ${line.line}`;
}
