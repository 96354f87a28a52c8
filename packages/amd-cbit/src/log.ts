import { SEV_STATUS_SPELLINGS } from './status.js';
import type { AmdCbitVariant } from './variants.js';

/** What a "Memory Encryption Features active" line (any kernel's spelling) says. */
export interface MemEncryptLine {
  /** `null` when the line names no feature the variant follows from (a bare `AMD`). */
  readonly variant: AmdCbitVariant | null;
  /** The features as printed: `SME`, `SEV`, `SEV-ES`, `SEV-SNP`. */
  readonly features: readonly string[];
  /** Which kernels print this spelling. */
  readonly wording: string;
}

/** What a `SEV: Status: ...` line says. */
export interface SevStatusLine {
  /** The named bits as a status value (the kernel prints named bits only, so others read as 0). */
  readonly status: bigint;
  /** The names as printed, in order. */
  readonly names: readonly string[];
  /** Words that name no known bit. */
  readonly unknown: readonly string[];
}

const FEATURES = new Set(['SME', 'SEV', 'SEV-ES', 'SEV-SNP']);

// arch/x86/mm/mem_encrypt.c print_mem_encrypt_feature_info() and its ancestors; each pattern is
// anchored and bounded (core has already cut lines to 4 KiB and stripped timestamps and prefixes).
const SPELLINGS: readonly (readonly [RegExp, string])[] = [
  [/^Memory Encryption Features active: {0,2}AMD((?: {1,3}[A-Z-]{1,16}){0,8}) *$/, 'v5.19 and later'],
  [/^AMD Memory Encryption Features active:((?: {1,3}[A-Z-]{1,16}){0,8}) *$/, 'v5.10 to v5.18'],
  [/^AMD Secure (Memory Encryption \(SME\)|Encrypted Virtualization \(SEV\)) active *$/, 'v4.14 to v5.9'],
];

function variantOf(features: readonly string[]): AmdCbitVariant | null {
  if (features.includes('SME')) return 'sme';
  if (features.includes('SEV-SNP')) return 'sev-snp';
  if (features.includes('SEV-ES')) return 'sev-es';
  return features.includes('SEV') ? 'sev' : null;
}

/**
 * Reads the kernel's memory-encryption summary in any of its spellings: `Memory Encryption Features
 * active: AMD SEV SEV-ES SEV-SNP` (v5.19+), `AMD Memory Encryption Features active: SEV SEV-ES`
 * (v5.10-v5.18), `AMD Secure Encrypted Virtualization (SEV) active` (v4.14-v5.9). Returns `null` for
 * any other line, including Intel's.
 */
export function parseMemEncryptLine(text: string): MemEncryptLine | null {
  for (const [pattern, wording] of SPELLINGS) {
    const match = pattern.exec(text);
    if (!match) continue;
    const raw = match[1] ?? '';
    const features = raw.startsWith('Memory')
      ? ['SME']
      : raw.startsWith('Encrypted')
        ? ['SEV']
        : raw.split(' ').filter(Boolean);
    if (!features.every((f) => FEATURES.has(f))) return null;
    return Object.freeze({ variant: variantOf(features), features: Object.freeze(features), wording });
  }
  return null;
}

/**
 * Reads `SEV: Status: SEV SEV-ES SEV-SNP DebugSwap` (v6.9+), accepting every spelling a kernel has
 * printed for a bit, including the spaced names of the first 2024 posting (`Secure TSC`).
 */
export function parseSevStatusLine(text: string): SevStatusLine | null {
  const match = /^SEV: Status:(.{0,1024})$/.exec(text);
  if (!match) return null;
  const words = (match[1] as string).split(' ').filter(Boolean);
  const names: string[] = [];
  const unknown: string[] = [];
  let status = 0n;
  for (let i = 0; i < words.length; ) {
    const hit = SEV_STATUS_SPELLINGS.find(([spelling]) => {
      const parts = spelling.split(' ');
      return parts.every((p, j) => words[i + j] === p);
    });
    if (hit) {
      names.push(hit[0]);
      status |= 1n << BigInt(hit[1]);
      i += hit[0].split(' ').length;
    } else {
      unknown.push(words[i] as string);
      i++;
    }
  }
  return Object.freeze({ status, names: Object.freeze(names), unknown: Object.freeze(unknown) });
}
