import { normaliseKernelLog, normaliseKernelLogLine, parseKernelLog } from '@coco/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  corpusLine,
  FORMAT_NAMES,
  FORMATS,
  JOINABLE,
  MESSAGES,
  nearlyValid,
  records,
  render,
  TEXTS,
} from './kernel-log-corpus.js';
import { UNDER_MUTATION } from './under-mutation.js';

const texts = (log: string) => parseKernelLog(log).map((l) => l.text);

describe('kernel log formats: one corpus, every rendering', () => {
  it.each(FORMAT_NAMES)('%s', (format) => {
    const lines = render(format, records(MESSAGES));
    expect(texts(lines.join('\n'))).toEqual(TEXTS);
    expect(lines.map(normaliseKernelLogLine)).toEqual(TEXTS);
    expect(normaliseKernelLog(lines).map((l) => l.text)).toEqual(TEXTS);
  });

  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR alone (serial console)', '\r'],
    ['stray CRs before LF', '\r\r\n'],
  ])('line ends: %s, with a byte-order mark, keep the line numbers', (_name, eol) => {
    const lines = render('dmesg', records(MESSAGES));
    const parsed = parseKernelLog(`\uFEFF${lines.join(eol)}${eol}`);
    expect(parsed.map((l) => l.text)).toEqual(TEXTS);
    expect(parsed.map((l) => l.line)).toEqual(TEXTS.map((_t, i) => i + 1));
    expect(parsed[1]!.raw).toBe(lines[1]);
  });

  it('every message of a log whose newlines were all lost, in order, on the same source line', () => {
    for (const format of JOINABLE) {
      const joined = render(format, records(MESSAGES)).join('');
      const parsed = parseKernelLog(`first line\n${joined}\n`);
      expect(parsed.map((l) => l.text)).toEqual(['first line', ...TEXTS]);
      expect(new Set(parsed.slice(1).map((l) => l.line))).toEqual(new Set([2]));
      expect(new Set(parsed.slice(1).map((l) => l.raw))).toEqual(new Set([joined]));
    }
  });

  it('the example from the issue', () => {
    expect(
      texts('[    0.140000] Memory Encryption Features active: AMD SEV[    0.140001] SEV: Status: vTom'),
    ).toEqual(['Memory Encryption Features active: AMD SEV', 'SEV: Status: vTom']);
    expect(
      normaliseKernelLogLine(
        '\x1b[32m[    0.000000]\x1b[0m \x1b[33mSEV: \x1b[0mStatus: SEV SEV-ES SEV-SNP DebugSwap ',
      ),
    ).toBe('SEV: Status: SEV SEV-ES SEV-SNP DebugSwap');
  });
});

describe('a support ticket', () => {
  const recs = records(MESSAGES);
  const ticket = [
    'Hi, the detector says "not confidential" on our CVM. Output below.',
    '',
    '```text',
    'user@cvm-01:~$ sudo dmesg | grep -iE "sev|hyper-v|tdx"',
    ...render('dmesg', recs.slice(2, 5)),
    '...',
    ...render('dmesg', recs.slice(5, 7)),
    '```',
    '',
    'and from the journal:',
    '```',
    'root@cvm-01:~# journalctl -k -o short-iso',
    '-- Boot 0123456789abcdef0123456789abcdef --',
    ...render('journalctl short-iso', recs.slice(7, 9)),
    '[…]',
    '# dmesg -T',
    ...render('dmesg -T', recs.slice(9, 10)),
    '<snip>',
    '$ journalctl -k -o json',
    ...render('journalctl json', recs.slice(10, 12)),
    '```',
    '> [    0.000000] **Memory Encryption Features active: `AMD SEV`**',
  ].join('\r\n');

  it('keeps the kernel lines and the elisions, drops the rest', () => {
    expect(texts(ticket)).toEqual([
      'Hi, the detector says "not confidential" on our CVM. Output below.',
      ...TEXTS.slice(2, 5),
      '...',
      ...TEXTS.slice(5, 7),
      'and from the journal:',
      ...TEXTS.slice(7, 9),
      '...',
      TEXTS[9],
      '...',
      ...TEXTS.slice(10, 12),
      'Memory Encryption Features active: AMD SEV',
    ]);
  });

  it.each([
    ['$ sudo dmesg | grep -i sev', ''],
    ['# dmesg', ''],
    ['#', ''],
    ['root@host:~# dmesg', ''],
    ['user@host:~$ journalctl -k', ''],
    ['user@host ~ % dmesg', ''],
    ['[root@host ~]# dmesg | less', ''],
    ['```', ''],
    ['```text', ''],
    ['~~~', ''],
    ['> > ', ''],
    ['-- No entries --', ''],
    ['...', '...'],
    ['…', '...'],
    ['[...]', '...'],
    ['> [ ... ]', '...'],
    ['<snip>', '...'],
    ['-- snip --', '...'],
    ['    # Subtest: example', '# Subtest: example'],
    ['__alloc_pages+0x2d5/0x340', '__alloc_pages+0x2d5/0x340'],
    [' ? __pfx___alloc_pages+0x10/0x10', '? __pfx___alloc_pages+0x10/0x10'],
    [
      '**********************************************************',
      '**********************************************************',
    ],
    [
      '**   NOTICE NOTICE NOTICE NOTICE NOTICE NOTICE NOTICE   **',
      '**   NOTICE NOTICE NOTICE NOTICE NOTICE NOTICE NOTICE   **',
    ],
    ['SEV: Status: **vTom**', 'SEV: Status: vTom'],
    ['`tdx: Guest detected`', 'tdx: Guest detected'],
    ['[drm] Initialized', '[drm] Initialized'],
    [
      '[    1.5] pci 0000:00:01.0: [8086:7000] type 00 class 0x060100',
      'pci 0000:00:01.0: [8086:7000] type 00 class 0x060100',
    ],
    ['Feb 14 16:16:55 myhost systemd[1]: Started x.', 'Feb 14 16:16:55 myhost systemd[1]: Started x.'],
  ])('%j becomes %j', (line, text) => {
    expect(normaliseKernelLogLine(line)).toBe(text);
  });
});

describe('journalctl -o json', () => {
  const json = (o: object) => JSON.stringify(o);

  it('reads MESSAGE as a string or as bytes, and drops records from other transports', () => {
    expect(normaliseKernelLogLine(json({ MESSAGE: 'tdx: Guest detected' }))).toBe('tdx: Guest detected');
    expect(normaliseKernelLogLine(json({ _TRANSPORT: 'kernel', MESSAGE: 'a' }))).toBe('a');
    expect(normaliseKernelLogLine(json({ _TRANSPORT: 'syslog', MESSAGE: 'tdx: Guest detected' }))).toBe('');
    expect(normaliseKernelLogLine(json({ _TRANSPORT: 'stdout', MESSAGE: 'SEV: Status: vTom' }))).toBe('');
    expect(normaliseKernelLogLine(json({ MESSAGE: [0x53, 0x45, 0x56, 0xff, 0x21] }))).toBe('SEV\uFFFD!');
    expect(
      normaliseKernelLogLine(json({ MESSAGE: [0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80] })),
    ).toBe('é€😀');
    expect(normaliseKernelLogLine(json({ MESSAGE: null }))).toBe('');
    expect(normaliseKernelLogLine(json({ MESSAGE: [1, 2, 300] }))).toBe('');
    expect(normaliseKernelLogLine(json({ MESSAGE: 'a\nb' }))).toBe('a\nb');
  });

  it('keeps lines that are not journal records as text', () => {
    for (const line of ['{"a":1}', '{not json}', '[1,2]', '"MESSAGE"', '{"MESSAGE":"x"', '{}']) {
      expect(normaliseKernelLogLine(line)).toBe(line);
    }
  });

  it('cannot be used to pollute prototypes', () => {
    const line =
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"MESSAGE":"ok"}';
    expect(normaliseKernelLogLine(line)).toBe('ok');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads records longer than a text line, up to a bound', () => {
    const long = json({ _TRANSPORT: 'kernel', PADDING: 'x'.repeat(10_000), MESSAGE: 'tdx: Guest detected' });
    expect(normaliseKernelLogLine(long)).toBe('tdx: Guest detected');
    const huge = json({ PADDING: 'x'.repeat(100_000), MESSAGE: 'tdx: Guest detected' });
    expect(normaliseKernelLogLine(huge)).toBe(huge.slice(0, 4096));
  });
});

// ----------------------------------------------------------------------------------------------
// Properties.

describe('kernel log normalisation properties', () => {
  it('is idempotent', () => {
    const once = (s: string) => normaliseKernelLogLine(s);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 300 }),
          fc.string({ maxLength: 300 }),
          nearlyValid,
          corpusLine,
        ),
        (s) => {
          const n = once(s);
          expect(once(n)).toBe(n);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('loses no recognised line, whatever the formats, stamps, hosts, line ends and ticket noise', () => {
    type Item = { readonly text: string; readonly expected: readonly string[] };
    const noise: fc.Arbitrary<Item> = fc.constantFrom(
      { text: '', expected: [] },
      { text: '   ', expected: [] },
      { text: '```', expected: [] },
      { text: '```text', expected: [] },
      { text: '$ sudo dmesg | grep -i sev', expected: [] },
      { text: '# dmesg', expected: [] },
      { text: 'root@host:~# dmesg', expected: [] },
      { text: 'user@host:~$ journalctl -k', expected: [] },
      { text: '-- Boot 0123456789abcdef0123456789abcdef --', expected: [] },
      { text: '...', expected: ['...'] },
      { text: '> …', expected: ['...'] },
      { text: '[...]', expected: ['...'] },
      { text: '<snip>', expected: ['...'] },
      { text: JSON.stringify({ _TRANSPORT: 'syslog', MESSAGE: 'tdx: Guest detected' }), expected: [] },
    );
    const host = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}(?:\.[a-z0-9]{1,8}){0,2}$/);
    const scenario = fc
      .record({
        picks: fc.subarray(MESSAGES.map((_m, i) => i)),
        order: fc.boolean(),
        formats: fc.array(fc.constantFrom(...FORMAT_NAMES), { minLength: 1, maxLength: MESSAGES.length }),
        host,
        boot: fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2037, 11, 31) }),
        step: fc.integer({ min: 1, max: 20_000_000 }),
        noise: fc.array(fc.tuple(fc.nat(), noise), { maxLength: 8 }),
        eol: fc.constantFrom('\n', '\r\n', '\r', '\r\r\n'),
        bom: fc.boolean(),
      })
      .map((s) => ({ ...s, picks: s.order ? s.picks : [...s.picks].reverse() }));
    fc.assert(
      fc.property(scenario, (s) => {
        const recs = records(
          s.picks.map((i) => MESSAGES[i]!),
          s.host,
          s.boot,
          s.step,
        );
        const items: Item[] = recs.map((r, i) => ({
          text: FORMATS[s.formats[i % s.formats.length]!](r),
          expected: [r.msg.trim()],
        }));
        for (const [at, item] of s.noise) items.splice(at % (items.length + 1), 0, item);
        const log = (s.bom ? '\uFEFF' : '') + items.map((i) => i.text).join(s.eol);
        expect(texts(log)).toEqual(items.flatMap((i) => i.expected));
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on junk, and stays linear on hostile input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 2000 }), nearlyValid), (s) => {
        parseKernelLog(s.replaceAll('\0', ''));
      }),
      { numRuns: 500 },
    );
    // Under Stryker (docs/mutation.md) the inputs are an eighth of the size: a quadratic mutant still
    // takes minutes on them.
    const MB = UNDER_MUTATION ? 1 << 17 : 1 << 20;
    const hostile = [
      '['.repeat(MB),
      `${'[    0.000000]'.repeat(MB / 14)}`,
      '\r'.repeat(MB),
      '\r\n'.repeat(MB / 2),
      `${'\x1b['.repeat(MB / 2)}`,
      `\x1b[${'1'.repeat(MB)}`,
      '**a'.repeat(MB / 3),
      '`'.repeat(MB),
      '`a``'.repeat(MB / 4),
      '__a _'.repeat(MB / 5),
      `${'> '.repeat(MB / 2)}x`,
      `${'<1>'.repeat(MB / 3)}`,
      `{"MESSAGE":"${'['.repeat(60_000)}"}\n`.repeat(16),
      `${'[    0.000000] a\n'.repeat(MB / 17)}`,
      `${'[ 1.0] [ 2.0] '.repeat(MB / 14)}`,
      `Feb 14 16:16:55 ${'a'.repeat(MB)}`,
      'root@'.repeat(MB / 5),
    ];
    // Under Stryker every statement of the instrumented sources also checks which mutant is active,
    // which makes this loop several times slower (2.7 s for one 1 MiB input on two busy cores): the
    // budget is then wider too.
    const budget = UNDER_MUTATION ? 20_000 : 2000;
    for (const input of hostile) {
      const start = Date.now();
      parseKernelLog(input);
      expect(Date.now() - start, JSON.stringify(input.slice(0, 20))).toBeLessThan(budget);
    }
  });
});
