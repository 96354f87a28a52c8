import type { LogLine } from '@coco/core';

/** An AMD memory-encryption mode as the kernel's summary line names it. */
export type AmdMemEncryptMode = 'sme' | 'sev' | 'sev-es' | 'sev-snp';

/** What one "Memory Encryption Features active" line says, in any kernel's wording. */
export interface MemEncryptLine {
  /** `AMD`, `Intel`, or `Unknown` (v6.9+ prints `Unknown` for a vendor it does not know). */
  readonly vendor: 'AMD' | 'Intel' | 'Unknown';
  /** The features as printed: `SME`, `SEV`, `SEV-ES`, `SEV-SNP`, or `TDX`. */
  readonly features: readonly string[];
  /** The AMD mode the features select (SME, else the highest SEV level), `null` for none or Intel. */
  readonly amdMode: AmdMemEncryptMode | null;
  /**
   * True for the v4.14-v5.9 wording `AMD Secure Encrypted Virtualization (SEV) active`, which a
   * kernel printed for every SEV level: the line alone cannot tell SEV from SEV-ES.
   */
  readonly ambiguous: boolean;
  /** Which kernels print this wording. */
  readonly wording: string;
}

const TOKENS = new Set(['AMD', 'Intel', 'TDX', 'SME', 'SEV', 'SEV-ES', 'SEV-SNP', 'Unknown']);
const AMD_FEATURES = new Set(['SME', 'SEV', 'SEV-ES', 'SEV-SNP']);

// arch/x86/mm/mem_encrypt.c print_mem_encrypt_feature_info() and its ancestors. The lines arrive
// normalised (timestamps and prefixes stripped, cut to 4 KiB), and each pattern is anchored and bounded.
const CURRENT = /^Memory Encryption Features active: {0,2}((?:[A-Za-z-]{1,16} {0,3}){0,8})$/; // v5.19+
const V5_10 = /^AMD Memory Encryption Features active:((?: {1,3}[A-Z-]{1,16}){0,8}) *$/; // v5.10-v5.18
const V4_14 = /^AMD Secure (Memory Encryption \(SME\)|Encrypted Virtualization \(SEV\)) active *$/; // v4.14-v5.9

function amdMode(features: readonly string[]): AmdMemEncryptMode | null {
  if (features.includes('SME')) return 'sme';
  if (features.includes('SEV-SNP')) return 'sev-snp';
  if (features.includes('SEV-ES')) return 'sev-es';
  return features.includes('SEV') ? 'sev' : null;
}

function words(text: string): string[] {
  return text.split(' ').filter((w) => w !== '');
}

/**
 * Reads the kernel's memory-encryption summary: `Memory Encryption Features active: AMD SEV SEV-ES
 * SEV-SNP` or `... Intel TDX` (v5.19+), `AMD Memory Encryption Features active: SEV SEV-ES`
 * (v5.10-v5.18), `AMD Secure Encrypted Virtualization (SEV) active` (v4.14-v5.9). `null` for any
 * other line, or one whose words are not the kernel's.
 */
export function parseMemEncryptLine(text: string): MemEncryptLine | null {
  const current = CURRENT.exec(text);
  if (current) {
    const [vendor, ...features] = words(current[1] ?? '');
    if (vendor === 'Intel') {
      if (features.length !== 1 || features[0] !== 'TDX') return null;
      return line('Intel', features, 'v5.19 and later');
    }
    if (vendor === 'Unknown' && features.length === 0) return line('Unknown', [], 'v6.9 and later');
    if (vendor !== 'AMD' || !features.every((f) => AMD_FEATURES.has(f))) return null;
    return line('AMD', features, 'v5.19 and later');
  }
  const v510 = V5_10.exec(text);
  if (v510) {
    const features = words(v510[1] ?? '');
    if (!features.every((f) => AMD_FEATURES.has(f))) return null;
    return line('AMD', features, 'v5.10 to v5.18');
  }
  const v414 = V4_14.exec(text);
  if (v414) {
    const sme = (v414[1] ?? '').startsWith('Memory');
    return line('AMD', [sme ? 'SME' : 'SEV'], 'v4.14 to v5.9', !sme);
  }
  return null;
}

function line(
  vendor: MemEncryptLine['vendor'],
  features: readonly string[],
  wording: string,
  ambiguous = false,
): MemEncryptLine {
  return Object.freeze({
    vendor,
    features: Object.freeze([...features]),
    amdMode: vendor === 'AMD' ? amdMode(features) : null,
    ambiguous,
    wording,
  });
}

/** A fact read from the kernel log, with the line it starts on and the text it was read from. */
export interface LogFinding<T> {
  readonly value: T;
  /** The first line; `text` may join continuation lines after it. */
  readonly line: LogLine;
  /** The text read, continuation lines joined with a space. */
  readonly text: string;
  /** Where, for trail steps and conflicts: `dmesg.txt line 12` (or `lines 12-13`). */
  readonly where: string;
}

/** Where lines `first` to `last` of one source are: `dmesg line 12` or `dmesg lines 12-13`. */
export function whereOf(first: LogLine, last: LogLine = first): string {
  return first.line === last.line
    ? `${first.source} line ${first.line}`
    : `${first.source} lines ${first.line}-${last.line}`;
}

/** Whether a line holds only words a continuation of `header` may hold. */
export type ContinuationTest = (text: string) => boolean;

/**
 * Finds the lines `parse` reads, joining a line split by `pr_cont` (the kernel prints the summary
 * a piece at a time, and another CPU's message can land in between, or a copy can break it): a line
 * that `isHeader` accepts takes up to three following lines that `isContinuation` accepts, as long
 * as the joined text still parses. Linear in the number of lines.
 */
export function findSplitLines<T>(
  lines: readonly LogLine[],
  parse: (text: string) => T | null,
  isHeader: (text: string) => boolean,
  isContinuation: ContinuationTest,
): LogFinding<T>[] {
  const found: LogFinding<T>[] = [];
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i] as LogLine;
    if (!isHeader(first.text)) continue;
    let text = first.text;
    let value = parse(text);
    let last = i;
    for (let j = i + 1; j < lines.length && j <= i + 3; j++) {
      const next = (lines[j] as LogLine).text;
      if (!isContinuation(next)) break;
      const joined = `${text} ${next}`;
      const parsed = parse(joined);
      if (!parsed) break;
      text = joined;
      value = parsed;
      last = j;
    }
    if (value) found.push({ value, line: first, text, where: whereOf(first, lines[last]) });
    i = last;
  }
  return found;
}

const HEADER = /^(?:AMD )?(?:Memory Encryption Features active:|Secure )/;

/** Every memory-encryption summary in the log, `pr_cont` splits joined. */
export function findMemEncryptLines(lines: readonly LogLine[]): LogFinding<MemEncryptLine>[] {
  return findSplitLines(
    lines,
    parseMemEncryptLine,
    (text) => HEADER.test(text),
    (text) => words(text).every((w) => TOKENS.has(w)),
  );
}
