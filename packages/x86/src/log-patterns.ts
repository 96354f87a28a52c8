import { SEV_STATUS_SPELLINGS } from './sev-status.js';

const escapeRegExp = (word: string) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const STATUS_WORDS = [...new Set(SEV_STATUS_SPELLINGS.flatMap(([spelling]) => spelling.split(' ')))]
  .sort((a, b) => b.length - a.length)
  .map(escapeRegExp)
  .join('|');

/**
 * The kernel-log lines @coco/x86's decoders read, as the plugins that use them declare them
 * (`logPatterns`): the memory-encryption summary in every wording, the `SEV: Status:` line, and the
 * continuation lines a `pr_cont` split leaves (only the words those lines can hold).
 */
export const X86_LOG_PATTERNS: readonly RegExp[] = Object.freeze([
  /^Memory Encryption Features active:/,
  /^AMD Memory Encryption Features active:/,
  /^AMD Secure (?:Memory Encryption|Encrypted Virtualization) \(/,
  /^SEV: ?Status:/i,
  /^(?:(?:AMD|Intel|TDX|SME|SEV|SEV-ES|SEV-SNP|Unknown) {0,3}){1,8}$/,
  new RegExp(`^(?:(?:${STATUS_WORDS}) {0,3}){1,24}$`, 'i'),
]);
