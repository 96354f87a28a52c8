// The reader's fast path reads a plain dmesg line (`[    1.234567] message`) without the
// normaliser. It must take every line of that shape, or a long log pays the normaliser for each,
// and it must leave to the normaliser every line whose normal form could differ: a syslog or
// journal time, a facility prefix, a second message after its own stamp, a first character that
// another prefix starts with. Whatever it takes, it must read as the normaliser does.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kernelMessages, MAX_LINE } from '../src/evidence/kernel-log-formats.js';
import { plainMessage } from '../src/evidence/kernel-log-reader.js';
import { SLOW_MARKERS } from '../src/evidence/kernel-log-scan.js';

const plain = (line: string) => plainMessage(line, 0, line.length);
const STAMP = '[    1.234567] ';
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

describe('the fast path of the kernel-log reader', () => {
  it('takes a plain line whose message starts with any letter or printable sign of no other form', () => {
    for (const first of `${LETTERS}!"%&')*+,/:;=?@\\]^_|}`) {
      const line = `${STAMP}${first}x: probe of 0000:00:01.0 done`;
      expect(plain(line), line).toBe(`${first}x: probe of 0000:00:01.0 done`);
    }
    // Real lines of a 6.18 boot (tools/bench/fixtures/boot-dmesg.txt).
    for (const message of [
      'Linux version 6.18.0 (buildd@lcy02) #1 SMP PREEMPT_DYNAMIC',
      'Memory Encryption Features active: AMD SEV SEV-ES SEV-SNP',
      'x86/cpu: User Mode Instruction Prevention (UMIP) activated',
      'pci 0000:00:01.0: [1af4:1000] type 00 class 0x020000',
      'SEV: Status: SEV SEV-ES SEV-SNP',
    ]) {
      expect(plain(`${STAMP}${message}`)).toBe(message);
    }
  });

  it('takes stamps of any width, tabs after them, and trailing blanks', () => {
    expect(plain('[12345.678901] a b')).toBe('a b');
    expect(plain('[0.5]\tmessage  ')).toBe('message');
    expect(plain(`${STAMP}`)).toBe('');
    expect(plain('[    1.234567]   \t')).toBe('');
    expect(plain('')).toBe('');
  });

  it('leaves to the normaliser a syslog or journal time, whatever follows', () => {
    for (const message of ['Feb 14 16:16:55 host kernel: x', 'Feb  4 16:16:55 host x', 'Wed 2024-02-14 x']) {
      expect(plain(`${STAMP}${message}`), message).toBeNull();
    }
    // Words that only look like one: a capital and two lower-case letters, then no day.
    for (const message of ['Foo bar', 'Feb', 'Feb14 x', 'FEB 14 x', 'FeB 14 x', 'Fe 14 x', 'Feb_14 x']) {
      expect(plain(`${STAMP}${message}`), message).toBe(message);
    }
  });

  it('leaves to the normaliser a facility prefix, and a second message after its own stamp', () => {
    expect(plain(`${STAMP}kern  :info  : x`)).toBeNull();
    expect(plain(`${STAMP}daemon:warn  : x`)).toBeNull();
    expect(plain(`${STAMP}kernel: x`)).toBe('kernel: x');
    expect(plain(`${STAMP}a[    2.000000] b`)).toBeNull();
    expect(plain(`${STAMP}a [12345.678901] b`)).toBeNull();
    // Brackets that start no stamp.
    expect(plain(`${STAMP}a [mem 0x0-0xfff] [x] [1] [ 1.5]`)).toBe('a [mem 0x0-0xfff] [x] [1] [ 1.5]');
  });

  it('leaves to the normaliser what another form starts with, and lines it cannot read', () => {
    for (const first of '0123456789>[<{.(-$#~`') {
      expect(plain(`${STAMP}${first} x`), first).toBeNull();
    }
    for (const line of [
      'no stamp at all',
      '[    1.234567 missing bracket',
      `${STAMP}\u00e9t\u00e9`,
      `${STAMP}\u000bx`,
      `${STAMP}\u007fx`,
      `${STAMP}${'x'.repeat(MAX_LINE)}`,
    ]) {
      expect(plain(line), JSON.stringify(line.slice(0, 30))).toBeNull();
    }
    expect(plain(`${STAMP}${'x'.repeat(MAX_LINE - STAMP.length)}`)).toBe('x'.repeat(MAX_LINE - STAMP.length));
  });

  it('reads a range of a longer text, never past its end', () => {
    const text = `x\n${STAMP}abc\n[    2.000000] def`;
    const start = 2;
    const end = text.indexOf('\n', start);
    expect(plainMessage(text, start, end)).toBe('abc');
    expect(plainMessage(text, end + 1, text.length)).toBe('def');
    // A stamp that ends past the range is not this line's.
    expect(plainMessage('[    1.5] x', 0, 5)).toBeNull();
  });

  it('reads every line it takes as the normaliser does', () => {
    const line = fc
      .tuple(
        fc.constantFrom('[    1.234567]', '[0.5]', '[12345.678901]'),
        fc.constantFrom(' ', '\t', '  '),
        fc.string({ unit: fc.constantFrom(...`${LETTERS} 0123456789[].:-_()`), maxLength: 40 }),
      )
      .map(([stamp, gap, message]) => `${stamp}${gap}${message}`);
    fc.assert(
      fc.property(line, (raw) => {
        // The reader sends a line with a slow marker (markup such as `__`) to the normaliser first.
        if (SLOW_MARKERS.some((marker) => raw.includes(marker))) return;
        const message = plain(raw);
        if (message !== null) expect(kernelMessages(raw)).toEqual(message === '' ? [] : [message]);
      }),
      { numRuns: 3000 },
    );
  });
});
