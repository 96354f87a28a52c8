// The streaming kernel-log reader keeps exactly the lines that parsing the whole log and then
// filtering by the patterns keeps, whatever the chunking, while normalising few of them.
import {
  CORE_LOG_PATTERNS,
  createKernelLogReader,
  isCocoError,
  type LogLine,
  normaliseKernelLog,
  parseKernelLog,
  readKernelLog,
} from '@coco/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kernelMessages, MAX_LINE, splitLines } from '../src/evidence/kernel-log-formats.js';
import { corpusLine, FORMAT_NAMES, FORMATS, MESSAGES, nearlyValid, records } from './kernel-log-corpus.js';
import {
  escapeRegExp,
  expected,
  LEFT_OUT,
  plain,
  readBytesInChunks,
  readInChunks,
  utf8Of,
} from './kernel-log-oracle.js';

// The shapes of the bundled plugins' patterns (@coco/x86, tdx, hyperv), copied so that core's
// tests do not import the plugins: anchored literals, `$`, case-insensitive word lines, groups.
const STATUS_WORDS =
  'VMGExitParam|VMSARegProt|IBPBOnEntry|SecureAVIC|ReflectVC|DebugSwap|NoHostIBS|SecureTSC|Reflect|HostIBS|VMGExit|SEV-SNP|BTBIsol|VmplSSS|IBSVirt|SMTProt|Secure|SEV-ES|param|VMSA|prot|Isol|Virt|vTom|reg|BTB|TSC|IBS|SMT|SEV|VC|No|RI|AI';
const PLUGIN_PATTERNS: readonly RegExp[] = [
  ...CORE_LOG_PATTERNS,
  /^Memory Encryption Features active:/,
  /^AMD Memory Encryption Features active:/,
  /^AMD Secure (?:Memory Encryption|Encrypted Virtualization) \(/,
  /^SEV: ?Status:/i,
  /^(?:(?:AMD|Intel|TDX|SME|SEV|SEV-ES|SEV-SNP|Unknown) {0,3}){1,8}$/,
  new RegExp(`^(?:(?:${STATUS_WORDS}) {0,3}){1,24}$`, 'i'),
  /^tdx: Guest detected$/,
  /^(?:(?:x86\/)?tdx: Guest initialized|TDX guest is initialized)$/,
  /^Hyper-V: Isolation Config: /,
  /^Hypervisor detected: (.{1,64})$/,
  /^Hyper-V: privilege flags low (0x[0-9a-fA-F]{1,8}|0), high (0x[0-9a-fA-F]{1,8}|0),/,
  /^Hyper-V: Isolation Config: Group A (0x[0-9a-fA-F]{1,8}|0), Group B (0x[0-9a-fA-F]{1,8}|0)$/,
  /^RME: Using RSI version \d\.\d\b/,
  /^ACPI: (?=\[)\[Firmware Bug\](?!x)/,
];

const noiseLine = fc.constantFrom(
  '',
  '   ',
  '```',
  '$ sudo dmesg | grep -i sev',
  'root@host:~# dmesg',
  '-- Boot 0123456789abcdef0123456789abcdef --',
  '...',
  '> …',
  '[...]',
  '<snip>',
  '-- SNIP --',
  '8<------',
  JSON.stringify({ _TRANSPORT: 'syslog', MESSAGE: 'tdx: Guest detected' }),
  JSON.stringify({ _TRANSPORT: 'kernel', MESSAGE: 'SEV: Status: SEV ' }),
  '[    0.000000] ',
  '[    1.000000] random: crng init done',
  'kern  :info  : [    0.130000] SEV SEV-ES[    0.130001] SEV-SNP',
  'SEV SEV-ESkern  :info  : [    0.130001] x',
  '[    0.000000] RME: Using RSI version 1.0x',
  '[    0.000000] No',
  '\t\u00a0SEV\u2028',
  // Cut notes in words (their normal form is `...`), prompts after a stamp, a second message.
  'truncated',
  '[    1.000000] truncated',
  '[    1.000000] Output Truncated',
  '[    1.000000] 300 more lines',
  '[    1.000000] ... 300 more lines ...',
  '[    1.000000] [ 40 lines omitted ]',
  '[    1.000000] cut',
  '[    1.000000] root@host:~# dmesg',
  '[    1.000000] Feb 14 16:16:55 host x',
  '[    1.000000] kern  :info  : Hypervisor detected: KVM',
  '[    1.000000] random[    1.000001] Hypervisor detected: KVM',
  '[    1.000000] Hypervisor detected: KVM[    1.000001] random: crng init done',
  '[    1.000000] Hypervisor detected: KVM<6>[    1.000001] x',
  '[    1.000000]  SEV SEV-ES',
  '[    1.000000] SEV:\u00a0Status: SEV',
  '[    1.000000] \u2026',
  // A `kernel:` tag as a message's first or second word (taken off), and further in (kept).
  '[    1.000000] kernel: tdx: Guest detected',
  '[    1.000000] myhost kernel: Hypervisor detected: KVM',
  '[    1.000000]\tmyhost\tkernel:\tSEV: Status: SEV ',
  '[    1.000000]kernel: tdx: Guest detected',
  '[    1.000000] a b kernel: tdx: Guest detected',
  '[    1.000000] tdx: Guest detected kernel: x',
  '[99999999999.999999999] tdx: Guest detected',
  '[1234567890123.5] tdx: Guest detected',
  '[             1.5] tdx: Guest detected',
);

/** A pattern that matches some of the corpus: a literal start of a message, maybe with more. */
const randomPattern = fc
  .tuple(
    fc.constantFrom(...MESSAGES),
    fc.nat(40),
    fc.constantFrom('', '$', '.*$', '\\b', ' ?', '(?=\\s)', '(\\S+)'),
    fc.constantFrom('', 'i', 's', 'u'),
  )
  .map(([message, length, tail, flags]) => {
    const start = message.trim().slice(0, Math.max(1, length));
    return new RegExp(`^${escapeRegExp(start)}${tail}`, flags);
  });

const patterns = fc.oneof(
  fc.constant(PLUGIN_PATTERNS),
  fc.constant(CORE_LOG_PATTERNS),
  fc.array(randomPattern, { minLength: 1, maxLength: 4 }).map((extra) => [...PLUGIN_PATTERNS, ...extra]),
);

const logLine = fc.oneof(
  { weight: 6, arbitrary: corpusLine },
  { weight: 2, arbitrary: noiseLine },
  { weight: 1, arbitrary: nearlyValid },
  { weight: 1, arbitrary: fc.string({ maxLength: 80 }) },
  {
    weight: 1,
    arbitrary: fc.string({ unit: 'binary', maxLength: 80 }).map((s) => s.replaceAll('\0', '')),
  },
);

const log = fc
  .record({
    lines: fc.array(logLine, { maxLength: 40 }),
    eol: fc.constantFrom('\n', '\r\n', '\r', '\r\r\n'),
    bom: fc.boolean(),
    final: fc.boolean(),
  })
  .map((s) => (s.bom ? '\uFEFF' : '') + s.lines.join(s.eol) + (s.final ? s.eol : ''));

describe('the streaming kernel-log reader', () => {
  it('keeps exactly what parsing the whole log and filtering keeps, for any log, patterns and chunking', () => {
    fc.assert(
      fc.property(log, patterns, fc.array(fc.nat(), { maxLength: 6 }), (text, keep, cuts) => {
        const want = plain(expected(text, keep));
        expect(plain(readKernelLog(text, { keep }).lines)).toEqual(want);
        expect(plain(readInChunks(text, cuts, keep).lines)).toEqual(want);
        const utf8 = utf8Of(text);
        expect(plain(readBytesInChunks(utf8.bytes, cuts, keep).lines)).toEqual(
          plain(expected(utf8.text, keep)),
        );
      }),
      { numRuns: 2000 },
    );
  }, 180_000);

  it('reads every line as the normaliser does when it keeps every line (the fast path included)', () => {
    fc.assert(
      fc.property(log, (text) => {
        const want = splitLines(text).flatMap((raw, i) =>
          kernelMessages(raw).map((t) => ({ text: t, raw, line: i + 1, source: 'kernel log' })),
        );
        expect(plain(parseKernelLog(text))).toEqual(want);
        expect(plain(normaliseKernelLog(splitLines(text)))).toEqual(want);
      }),
      { numRuns: 2000 },
    );
  }, 180_000);

  it('keeps every rendering of every corpus message that a pattern matches', () => {
    const recs = records(MESSAGES);
    for (const format of FORMAT_NAMES) {
      const text = recs.map((r) => FORMATS[format](r)).join('\n');
      const got = readKernelLog(text, { keep: PLUGIN_PATTERNS }).lines;
      expect(plain(got)).toEqual(plain(expected(text, PLUGIN_PATTERNS)));
      expect(got.length).toBeGreaterThan(5);
    }
  });

  it('reads plain dmesg lines without the normaliser, and counts every line', () => {
    const filler = '[    1.234567] pci 0000:00:01.0: reg 0x10: [mem 0xfe000000-0xfe7fffff pref]';
    const text = `${[filler, '[    0.000000] Linux version 6.8.0 (x@y) #1', filler, filler].join('\n')}\n`;
    const reading = readKernelLog(text.repeat(1000), { keep: PLUGIN_PATTERNS });
    expect(reading.linesRead).toBe(4001);
    expect(reading.linesNormalised).toBe(0);
    const banners = reading.lines.filter((l) => l.text !== LEFT_OUT);
    expect(banners).toHaveLength(1000);
    expect(banners[999]?.line).toBe(3998);
    expect(reading.lines).toHaveLength(1999);
  });

  it('shares the strings of a repeated line, and detaches kept strings from the chunk', () => {
    const line = '[    0.100000] SEV: Status: SEV SEV-ES SEV-SNP ';
    const reading = readKernelLog(`${line}\n`.repeat(100), { keep: PLUGIN_PATTERNS });
    expect(reading.lines).toHaveLength(100);
    expect(reading.lines[99]?.raw).toBe(line);
    expect(reading.lines[99]?.text).toBe('SEV: Status: SEV SEV-ES SEV-SNP');
  });

  it('cuts a line without end and keeps reading after its line feed', () => {
    const reader = createKernelLogReader({ keep: PLUGIN_PATTERNS });
    for (let i = 0; i < 40; i++) reader.push('x'.repeat(64 * 1024));
    reader.push('\n[    0.000000] tdx: Guest detected\n');
    const reading = reader.finish();
    expect(reading.lines.map((l) => [l.text, l.line])).toEqual([['tdx: Guest detected', 2]]);
  });

  it('reads a log whose lines end with CR alone past the bound of one line, as the whole log', () => {
    // The lines splitLines gives, numbered, kept by `keep`, with the line for lines left out.
    const oracle = (text: string) => {
      const out: { text: string; line: number }[] = [];
      let gap = false;
      splitLines(text).forEach((raw, i) => {
        if (raw === '') return; // a blank line holds no message (checked below), and runs of CRs make millions
        for (const t of kernelMessages(raw)) {
          if (!PLUGIN_PATTERNS.some((r) => r.test(t))) gap = true;
          else {
            if (gap && out.length > 0) out.push({ text: LEFT_OUT, line: i + 1 });
            gap = false;
            out.push({ text: t, line: i + 1 });
          }
        }
      });
      return out;
    };
    const got = (reading: { lines: readonly LogLine[] }) =>
      reading.lines.map((l) => ({ text: l.text, line: l.line }));
    const filler = Array.from(
      { length: 30_000 },
      (_, i) => `[    1.${String(i).padStart(6, '0')}] filler ${i}`,
    );
    const banner = '[    0.000000] Linux version 6.8.0 (x@y) #1';
    const tdx = '[    2.000000] tdx: Guest detected';
    const logs = [
      // Lines that end with CR alone, more than MAX_PHYSICAL_LINE of them in all.
      [banner, ...filler, tdx, ''].join('\r'),
      // An over-long line, then lines after a CR.
      `${banner}\n${'x'.repeat(1.5 * 2 ** 20)}\r${tdx}\r\r${filler[1]}\n${tdx}`,
      // Runs of CRs longer than a line's bound: empty lines before a message, one line ending before a LF.
      `${banner}\r${'\r'.repeat(1.2 * 2 ** 20)}${tdx}\r${'\r'.repeat(1.2 * 2 ** 20)}\n${tdx}\n`,
      `${'\r'.repeat(1.2 * 2 ** 20)}`,
      // Lines ended by runs of three CRs, more than the bound in all: the bound falls inside a
      // line, after a run whose first CRs end empty lines.
      [banner, ...filler.slice(0, 3000).map((l) => `${l} ${'w'.repeat(380)}`), tdx, ''].join('\r\r\r'),
    ];
    expect(kernelMessages('')).toEqual([]);
    for (const text of logs) {
      const want = oracle(text);
      expect(want.some((l) => l.text === 'tdx: Guest detected')).toBe(text !== logs[3]);
      expect(got(readKernelLog(text, { keep: PLUGIN_PATTERNS }))).toEqual(want);
      const cuts = Array.from({ length: Math.ceil(text.length / 65_536) }, (_, i) => i * 65_536 + (i % 7));
      expect(got(readInChunks(text, cuts, PLUGIN_PATTERNS))).toEqual(want);
      expect(got(readBytesInChunks(utf8Of(text).bytes, cuts, PLUGIN_PATTERNS))).toEqual(want);
    }
  }, 60_000);

  it('refuses a NUL byte with its line, and more kept lines than its bound', () => {
    const reader = createKernelLogReader({ source: 'x.log' });
    reader.push('a\nb\n');
    let error: unknown;
    try {
      reader.push('c\0');
    } catch (e) {
      error = e;
    }
    expect(isCocoError(error) && error.code === 'KERNEL_LOG_INVALID' && error.location).toBe('line 3');
    expect(() =>
      readKernelLog('[    0.0] tdx: Guest detected\n'.repeat(11), {
        keep: PLUGIN_PATTERNS,
        maxKeptLines: 10,
      }),
    ).toThrow(/more than 10 of the lines/);
  });

  it('normalises a line that starts with a stamp as the text after the stamp, whatever the stamp', () => {
    // The reader remembers the verdict of a left-out line by the text after its stamp.
    const stamp = fc
      .tuple(
        fc.array(fc.constantFrom(' ', '\t'), { maxLength: 12 }),
        fc.stringMatching(/^\d{1,12}$/),
        fc.stringMatching(/^\d{1,9}$/),
      )
      .map(([space, whole, fraction]) => `[${space.join('')}${whole}.${fraction}]`);
    const rest = fc
      .oneof(corpusLine, noiseLine, nearlyValid, fc.string({ maxLength: 80 }), fc.string({ unit: 'binary' }))
      .map((r) => r.replace(/[\r\n\0]/g, ''));
    fc.assert(
      fc.property(stamp, stamp, rest, (a, b, r) => {
        fc.pre((a + r).length <= MAX_LINE && (b + r).length <= MAX_LINE);
        expect(kernelMessages(a + r)).toEqual(kernelMessages(b + r));
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps exactly what the whole log keeps when messages repeat at other times', () => {
    const message = fc.oneof(corpusLine, noiseLine, nearlyValid).map((l) => l.replace(/[\r\n]/g, ''));
    const stamped = fc
      .tuple(fc.array(message, { minLength: 1, maxLength: 6 }), fc.array(fc.tuple(fc.nat(), fc.nat(99_999))))
      .map(([pool, picks]) =>
        picks.map(
          ([i, t]) => `[${String(t).padStart(5)}.${String(t * 7).padStart(6, '0')}] ${pool[i % pool.length]}`,
        ),
      );
    fc.assert(
      fc.property(stamped, patterns, fc.array(fc.nat(), { maxLength: 6 }), (ls, keep, cuts) => {
        const text = `${ls.join('\n')}\n`;
        expect(plain(readInChunks(text, cuts, keep).lines)).toEqual(plain(expected(text, keep)));
        const utf8 = utf8Of(text);
        expect(plain(readBytesInChunks(utf8.bytes, cuts, keep).lines)).toEqual(
          plain(expected(utf8.text, keep)),
        );
      }),
      { numRuns: 1000 },
    );
  }, 120_000);

  it('keeps the same lines wherever one cut falls (words, stamps and tags split between chunks)', () => {
    const text = [
      '[    0.000001] random: crng init done',
      '[    0.000002] myhost kernel: tdx: Guest detected',
      '[    0.000003] x[    0.000004] Hypervisor detected: KVM',
      '[    0.000005] [Firmware Bug]: x\r\n[    0.000006] SEV: Status: SEV ',
      '[    0.000007] __init__ **bold** `code` \u00e9t\u00e9 \u001b[1mx\u001b[0m',
      'Feb 14 16:16:55 myhost kernel: Memory Encryption Features active: AMD SEV',
      '2024-02-14T16:16:55,123456+00:00 myhost kernel: tdx: Guest detected',
      `[    0.000008] ${'y'.repeat(MAX_LINE)} tdx: Guest detected`,
      '[    0.000009] Linux version 6.8.0 (x@y) #1',
      '',
    ].join('\n');
    const want = plain(expected(text, PLUGIN_PATTERNS));
    expect(want.filter((l) => l.text !== LEFT_OUT)).toHaveLength(6);
    const bytes = utf8Of(text);
    const wantBytes = plain(expected(bytes.text, PLUGIN_PATTERNS));
    // Every position but those deep inside the long run of `y`, where a cut is a cut like its
    // neighbours: its first and last 64 characters, and every 61st between.
    const run = text.indexOf('y'.repeat(MAX_LINE));
    const cuts = Array.from({ length: text.length + 1 }, (_, cut) => cut).filter(
      (cut) => cut <= run + 64 || cut >= run + MAX_LINE - 64 || (cut - run) % 61 === 0,
    );
    expect(cuts.length).toBeLessThan(text.length / 4);
    for (const cut of cuts) {
      expect(plain(readInChunks(text, [cut], PLUGIN_PATTERNS).lines)).toEqual(want);
    }
    for (let cut = 0; cut <= bytes.bytes.length; cut += 7) {
      expect(plain(readBytesInChunks(bytes.bytes, [cut], PLUGIN_PATTERNS).lines)).toEqual(wantBytes);
    }
  });

  it('normalises a repeated left-out message once, and counts its lines', () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `[${String(i).padStart(5)}.000000] [mem 0x0-0x1] x`);
    const text = `[    0.000000] tdx: Guest detected\n${lines.join('\n')}\n[ 2000.000000] tdx: Guest detected\n`;
    const reading = readKernelLog(text, { keep: PLUGIN_PATTERNS });
    expect(reading.linesRead).toBe(1003);
    expect(reading.lines.map((l) => [l.text, l.line])).toEqual([
      ['tdx: Guest detected', 1],
      [LEFT_OUT, 1002],
      ['tdx: Guest detected', 1002],
    ]);
    expect(plain(reading.lines)).toEqual(plain(expected(text, PLUGIN_PATTERNS)));
    // More distinct messages than it remembers (it stops remembering), then repeats and kept lines.
    const distinct = Array.from({ length: 5000 }, (_, i) => `[    1.000000] [mem ${i}] x`);
    const many = `${[...distinct, ...distinct.slice(0, 100), '[    2.000000] tdx: Guest detected'].join('\n')}\n`;
    const manyReading = readKernelLog(many, { keep: PLUGIN_PATTERNS });
    expect(manyReading.linesRead).toBe(5102);
    expect(plain(manyReading.lines)).toEqual(plain(expected(many, PLUGIN_PATTERNS)));
    // The same message after a longer stamp passes MAX_LINE, is cut there and then kept.
    const long = `tdx: Guest detected${' '.repeat(MAX_LINE - 37)}junk`;
    const cut = `[    1.000000] ${long}\n[            2.000000] ${long}\n`;
    expect(readKernelLog(cut, { keep: PLUGIN_PATTERNS }).lines.map((l) => [l.text, l.line])).toEqual([
      ['tdx: Guest detected', 2],
    ]);
  });

  it('keeps the same lines with patterns that cannot share one RegExp (back-references)', () => {
    const text = '[    0.000000] aa\n[    0.000000] b\n';
    const keep = [/^(a)\1$/, /^(?<x>b)$/, /^(?<x>c)$/];
    expect(readKernelLog(text, { keep }).lines.map((l) => l.text)).toEqual(['aa', 'b']);
  });
});
