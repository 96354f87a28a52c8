import { normaliseKernelLog, normaliseKernelLogLine, parseKernelLog } from '@coco/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UNDER_MUTATION } from './under-mutation.js';

// One set of real kernel messages (Linux arch/x86/mm/mem_encrypt.c, arch/x86/coco/sev/core.c,
// arch/x86/coco/tdx/tdx.c, arch/x86/kernel/cpu/mshyperv.c, arch/arm64/kernel/rsi.c, init/main.c,
// public Azure boot logs), exactly as printk produced them: the SEV status lines end in a space.
const MESSAGES: readonly string[] = [
  'Linux version 6.8.0-1017-azure (buildd@lcy02-amd64-063) (x86_64-linux-gnu-gcc-13 (Ubuntu 13.2.0-23ubuntu4) 13.2.0, GNU ld (GNU Binutils for Ubuntu) 2.42) #17-Ubuntu SMP Mon Oct 28 15:06:37 UTC 2024',
  'Command line: BOOT_IMAGE=/boot/vmlinuz-6.8.0-1017-azure root=PARTUUID=x ro console=ttyS0',
  'Hypervisor detected: Microsoft Hyper-V',
  'Hyper-V: privilege flags low 0xae7f, high 0x3b8030, hints 0xa0e24, misc 0xe0bed7b2',
  'Hyper-V: Isolation Config: Group A 0x1, Group B 0xba2',
  'Memory Encryption Features active: AMD SEV',
  'SEV: Status: vTom ',
  'Memory Encryption Features active: AMD SEV SEV-ES SEV-SNP',
  'SEV: Status: SEV SEV-ES SEV-SNP DebugSwap ',
  'SEV: Using SNP CPUID table, 29 entries present.',
  'Memory Encryption Features active: Intel TDX',
  'tdx: Guest detected',
  'AMD Memory Encryption Features active: SEV SEV-ES',
  'AMD Secure Encrypted Virtualization (SEV) active',
  'RME: Using RSI version 1.0',
  '[Firmware Bug]: TSC_DEADLINE disabled due to Errata; please update microcode to version: 0x3a (or later)',
  'ACPI: [Firmware Bug]: BIOS _OSI(Linux) query ignored',
];
const TEXTS = MESSAGES.map((m) => m.trim());

// ----------------------------------------------------------------------------------------------
// A renderer: each message at a time since boot, printed the way each tool prints it.

interface Rec {
  readonly msg: string;
  /** Microseconds since boot. */
  readonly us: number;
  /** Microseconds since the previous record. */
  readonly delta: number;
  readonly level: number;
  readonly caller: string;
  readonly host: string;
  /** Wall clock at boot, ms since the epoch (UTC). */
  readonly boot: number;
}

const pad = (n: number, width: number, fill = '0') => String(n).padStart(width, fill);
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const LEVELS = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'];

/** `%5ld.%06ld` */
const mono = (us: number) => `${pad(Math.floor(us / 1e6), 5, ' ')}.${pad(us % 1e6, 6)}`;
/** `%12.06f` */
const delta12 = (us: number) => (us / 1e6).toFixed(6).padStart(12, ' ');
const wall = (r: Rec) => new Date(r.boot + Math.floor(r.us / 1000));
const hms = (d: Date) =>
  `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
const ymd = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
const usec = (r: Rec) => pad((r.boot % 1000) * 1000 + (r.us % 1e6), 6).slice(-6);
/** strftime `%a %b %e %H:%M:%S %Y` */
const ctime = (d: Date) =>
  `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate(), 2, ' ')} ${hms(d)} ${d.getUTCFullYear()}`;
/** `%b %d` (journalctl) or `%b %e` (rsyslog) */
const syslogDate = (d: Date, fill: string) => `${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate(), 2, fill)}`;

/** dmesg --color=always: the subsystem prefix (up to the first `: `) in brown, the time in green. */
function coloured(r: Rec, stamp: string): string {
  const colon = r.msg.indexOf(': ');
  const body =
    colon === -1
      ? r.msg
      : `\x1b[33m${r.msg.slice(0, colon + 2)}\x1b[0m${r.level <= 3 ? '\x1b[31m' : ''}${r.msg.slice(colon + 2)}${r.level <= 3 ? '\x1b[0m' : ''}`;
  return `\x1b[32m${stamp}\x1b[0m ${body}`;
}

const utf8 = (s: string) => {
  const out: number[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return out;
};

const FORMATS = {
  // dmesg (util-linux sys-utils/dmesg.c print_record)
  dmesg: (r: Rec) => `[${mono(r.us)}] ${r.msg}`,
  'dmesg caller id': (r: Rec) => `[${mono(r.us)}] [${r.caller.padStart(6, ' ')}] ${r.msg}`,
  'syslog(2) caller id': (r: Rec) => `[${mono(r.us)}][${r.caller.padStart(6, ' ')}] ${r.msg}`,
  'dmesg -x': (r: Rec) => `${'kern'.padEnd(6)}:${LEVELS[r.level]!.padEnd(6)}: [${mono(r.us)}] ${r.msg}`,
  'dmesg -r': (r: Rec) => `<${r.level}>[${mono(r.us)}] ${r.msg}`,
  'dmesg --color=always': (r: Rec) => coloured(r, `[${mono(r.us)}]`),
  'dmesg --time-format iso': (r: Rec) => {
    const d = wall(r);
    return `${ymd(d)}T${hms(d)},${usec(r)}+00:00 ${r.msg}`;
  },
  'dmesg -T': (r: Rec) => `[${ctime(wall(r))}] ${r.msg}`,
  'dmesg -T -d': (r: Rec) => `[${ctime(wall(r))} <${delta12(r.delta)}>] ${r.msg}`,
  'dmesg -d': (r: Rec) => `[${mono(r.us)} <${delta12(r.delta)}>] ${r.msg}`,
  'dmesg --time-format delta': (r: Rec) => `[<${delta12(r.delta)}>] ${r.msg}`,
  'dmesg -e (minute change)': (r: Rec) => {
    const d = wall(r);
    return `[${MONTHS[d.getUTCMonth()]}${pad(d.getUTCDate(), 2, ' ')} ${hms(d).slice(0, 5)}] ${r.msg}`;
  },
  'dmesg -e (delta)': (r: Rec) =>
    r.delta < 10e6
      ? `[  +${(r.delta / 1e6).toFixed(6)}] ${r.msg}`
      : `[ +${(r.delta / 1e6).toFixed(6).padStart(9, ' ')}] ${r.msg}`,
  'dmesg -t': (r: Rec) => r.msg,
  'dmesg --time-format ctime --time-format raw': (r: Rec) => `[${ctime(wall(r))}] [${mono(r.us)}] ${r.msg}`,
  // journalctl -k -o … (systemd logs-show.c)
  'journalctl short': (r: Rec) => `${syslogDate(wall(r), '0')} ${hms(wall(r))} ${r.host} kernel: ${r.msg}`,
  'journalctl short --no-hostname': (r: Rec) =>
    `${syslogDate(wall(r), '0')} ${hms(wall(r))} kernel: ${r.msg}`,
  'journalctl short-precise': (r: Rec) =>
    `${syslogDate(wall(r), '0')} ${hms(wall(r))}.${usec(r)} ${r.host} kernel: ${r.msg}`,
  'journalctl short-iso (old systemd)': (r: Rec) =>
    `${ymd(wall(r))}T${hms(wall(r))}+0000 ${r.host} kernel: ${r.msg}`,
  'journalctl short-iso': (r: Rec) => `${ymd(wall(r))}T${hms(wall(r))}+00:00 ${r.host} kernel: ${r.msg}`,
  'journalctl short-iso-precise': (r: Rec) =>
    `${ymd(wall(r))}T${hms(wall(r))}.${usec(r)}+00:00 ${r.host} kernel: ${r.msg}`,
  'journalctl short-monotonic': (r: Rec) => `[${mono(r.us)}] ${r.host} kernel: ${r.msg}`,
  'journalctl short-delta': (r: Rec) => `[${mono(r.us)} <${mono(r.delta)}>] ${r.host} kernel: ${r.msg}`,
  'journalctl short-unix': (r: Rec) =>
    `${Math.floor((r.boot + r.us / 1000) / 1000)}.${usec(r)} ${r.host} kernel: ${r.msg}`,
  'journalctl short-full': (r: Rec) => {
    const d = wall(r);
    return `${DAYS[d.getUTCDay()]} ${ymd(d)} ${hms(d)} UTC ${r.host} kernel: ${r.msg}`;
  },
  'journalctl cat': (r: Rec) => r.msg,
  'journalctl json': (r: Rec) =>
    JSON.stringify({
      __CURSOR: `s=0123456789abcdef;i=${r.us};b=fedcba9876543210;m=${r.us.toString(16)};t=1;x=2`,
      __REALTIME_TIMESTAMP: String(r.boot * 1000 + r.us),
      __MONOTONIC_TIMESTAMP: String(r.us),
      _BOOT_ID: 'fedcba9876543210fedcba9876543210',
      _TRANSPORT: 'kernel',
      PRIORITY: String(r.level),
      SYSLOG_FACILITY: '0',
      SYSLOG_IDENTIFIER: 'kernel',
      _HOSTNAME: r.host,
      MESSAGE: r.msg,
      _SOURCE_MONOTONIC_TIMESTAMP: '0',
    }),
  'journalctl json (byte-array MESSAGE)': (r: Rec) =>
    JSON.stringify({ _TRANSPORT: 'kernel', MESSAGE: utf8(r.msg), _HOSTNAME: r.host }),
  // syslog files
  'kern.log': (r: Rec) =>
    `${syslogDate(wall(r), ' ')} ${hms(wall(r))} ${r.host} kernel: [${mono(r.us)}] ${r.msg}`,
  'rsyslog RFC 3339': (r: Rec) =>
    `${ymd(wall(r))}T${hms(wall(r))}.${usec(r)}+00:00 ${r.host} kernel: [${mono(r.us)}] ${r.msg}`,
  '/dev/kmsg': (r: Rec) => `${r.level},${r.us},${r.us},-;${r.msg}`,
  '/dev/kmsg with caller': (r: Rec) => `${r.level},${r.us},${r.us},-,caller=${r.caller};${r.msg}`,
  // quoted in a ticket
  'quoted dmesg': (r: Rec) => `> [${mono(r.us)}] ${r.msg}`,
  'nested quote': (r: Rec) => `> > ${syslogDate(wall(r), '0')} ${hms(wall(r))} ${r.host} kernel: ${r.msg}`,
  indented: (r: Rec) => `    [${mono(r.us)}] ${r.msg}`,
  'bold line': (r: Rec) => `**[${mono(r.us)}] ${r.msg.trim()}**`,
  'underscore-bold message': (r: Rec) => `[${mono(r.us)}] __${r.msg.trim()}__`,
  'backtick line': (r: Rec) => `\`[${mono(r.us)}] ${r.msg}\``,
  'bold part': (r: Rec) => {
    const m = r.msg.trim();
    const cut = m.lastIndexOf(' ');
    return cut > 0 && cut < m.length - 1
      ? `> [${mono(r.us)}] ${m.slice(0, cut + 1)}**${m.slice(cut + 1)}**`
      : m;
  },
} satisfies Record<string, (r: Rec) => string>;
type Format = keyof typeof FORMATS;
const FORMAT_NAMES = Object.keys(FORMATS) as Format[];

/** Formats with the exact printk timestamp first, whose lines can lose the newline between them. */
const JOINABLE: readonly Format[] = [
  'dmesg',
  'dmesg caller id',
  'syslog(2) caller id',
  'dmesg -x',
  'dmesg -r',
  'dmesg --color=always',
  'dmesg -d',
];

const BOOT = Date.UTC(2024, 1, 14, 16, 16, 55, 123);
function records(messages: readonly string[], host = 'myhost', boot = BOOT, step = 137_000): Rec[] {
  const at = (i: number) => i * step + i * i * 3;
  return messages.map((msg, i) => ({
    msg,
    us: at(i),
    delta: i === 0 ? 0 : at(i) - at(i - 1),
    level: [6, 5, 3, 4][i % 4]!,
    caller: i % 2 ? `C${i % 4}` : `T${i}`,
    host,
    boot,
  }));
}

const render = (format: Format, recs: readonly Rec[]) => recs.map((r) => FORMATS[format](r));
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

/** Pieces that look like the formats above, for strings that are nearly, but not quite, valid. */
const FRAGMENTS = [
  '[',
  ']',
  ' ',
  '    ',
  '0',
  '1.000000',
  '.',
  '<',
  '>',
  '<6>',
  '> ',
  '*',
  '**',
  '_',
  '__',
  '`',
  '```',
  '\x1b',
  '\x1b[',
  '\x1b[0m',
  'm',
  '\r',
  '\n',
  '\t',
  '\uFEFF',
  'kernel:',
  ' host kernel: ',
  'Feb 14 16:16:55',
  '2024-02-14T16:16:55',
  '+00:00',
  '[    0.000000]',
  '[    T0]',
  'kern  :info  : ',
  '6,1,0,-;',
  '{"MESSAGE":"',
  '{"MESSAGE":',
  '"}',
  '"',
  '}',
  '[1,2]',
  '\\n',
  '...',
  '…',
  '$ ',
  '# ',
  'dmesg',
  'root@h:~# ',
  'SEV',
  'a',
];
const nearlyValid = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }).map((parts) => parts.join(''));
const corpusLine = fc
  .tuple(fc.constantFrom(...FORMAT_NAMES), fc.nat(MESSAGES.length - 1))
  .map(([format, i]) => FORMATS[format](records(MESSAGES)[i]!));

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
