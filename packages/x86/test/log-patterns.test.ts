// X86_LOG_PATTERNS: the kernel-log lines the x86 decoders read, which a private snapshot keeps.
// A line the decoders read must be kept (or detection from the snapshot differs from detection
// from the log); any other line must be left out (it may hold the boot command line, a MAC, a
// serial). Wordings: the facts sheet (x86-coco.md, sections 2, 3 and 6) and this package's log tests.
import { X86_LOG_PATTERNS } from '@coco/x86';
import { describe, expect, it } from 'vitest';

const kept = (line: string) => X86_LOG_PATTERNS.some((pattern) => pattern.test(line));

describe('X86_LOG_PATTERNS', () => {
  it('keeps the memory-encryption summary in every wording the kernel has printed', () => {
    for (const line of [
      'Memory Encryption Features active: AMD SEV SEV-ES SEV-SNP', // v5.19 and later
      'Memory Encryption Features active: Intel TDX',
      'Memory Encryption Features active: AMD SEV', // a Hyper-V vTOM guest
      'AMD Memory Encryption Features active: SEV SEV-ES', // v5.10 to v5.18
      'AMD Secure Encrypted Virtualization (SEV) active', // before v5.10
      'AMD Secure Memory Encryption (SME) active',
    ])
      expect(kept(line), line).toBe(true);
  });

  it('keeps the SEV status line with any of its bits, in any case, with or without the space', () => {
    for (const line of [
      'SEV: Status: SEV SEV-ES SEV-SNP DebugSwap SecureTSC',
      'SEV: Status: vTom',
      'SEV:Status: SEV',
      'sev: status: sev',
    ])
      expect(kept(line), line).toBe(true);
  });

  it('keeps the lines a pr_cont split leaves, made only of the words those lines hold', () => {
    for (const line of [
      'SEV SEV-ES SEV-SNP',
      'Intel  TDX', // two spaces: a split can leave them
      'AMD',
      'Unknown',
      'DebugSwap',
      'vTom ReflectVC',
      'VMGExitParam VMSARegProt SecureAVIC IBPBOnEntry',
      'SecureTSC   NoHostIBS', // three spaces
      'secure tsc', // the status words in any case
      'SEV SEV SEV SEV SEV SEV SEV SEV SEV SEV', // more than eight words
    ])
      expect(kept(line), line).toBe(true);
  });

  it('leaves out every other line, and the same words with anything else on the line', () => {
    for (const line of [
      'Linux version 6.18.2 (builder@host) #1 SMP',
      'Command line: BOOT_IMAGE=/vmlinuz root=UUID=1234 luks.key=secret',
      'x Memory Encryption Features active: AMD SEV',
      'Booting: AMD Memory Encryption Features active: SEV',
      'Oops: AMD Secure Memory Encryption (SME) active',
      'kvm: SEV: Status: SEV',
      'Booting SEV', // a status word after another word
      'SEV-SNP guest ready', // and before
      'Intel TDX enabled',
      'Seven', // letters of the status words, not a word of them
      'Vista',
      'TDX    SEV', // four spaces
      `${'SEV '.repeat(25)}`.trim(), // more words than any status line holds
      '',
    ])
      expect(kept(line), line).toBe(false);
  });
});
