// The rendered-format corpus of the kernel-log tests: real kernel messages, each printed the way
// dmesg, journalctl, syslog and tickets print it, and fragments of those formats.
import fc from 'fast-check';

// One set of real kernel messages (Linux arch/x86/mm/mem_encrypt.c, arch/x86/coco/sev/core.c,
// arch/x86/coco/tdx/tdx.c, arch/x86/kernel/cpu/mshyperv.c, arch/arm64/kernel/rsi.c, init/main.c,
// public Azure boot logs), exactly as printk produced them: the SEV status lines end in a space.
export const MESSAGES: readonly string[] = [
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
export const TEXTS = MESSAGES.map((m) => m.trim());

// ----------------------------------------------------------------------------------------------
// A renderer: each message at a time since boot, printed the way each tool prints it.

export interface Rec {
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

export const pad = (n: number, width: number, fill = '0') => String(n).padStart(width, fill);
export const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
export const LEVELS = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'];

/** `%5ld.%06ld` */
export const mono = (us: number) => `${pad(Math.floor(us / 1e6), 5, ' ')}.${pad(us % 1e6, 6)}`;
/** `%12.06f` */
export const delta12 = (us: number) => (us / 1e6).toFixed(6).padStart(12, ' ');
export const wall = (r: Rec) => new Date(r.boot + Math.floor(r.us / 1000));
export const hms = (d: Date) =>
  `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
export const ymd = (d: Date) =>
  `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
export const usec = (r: Rec) => pad((r.boot % 1000) * 1000 + (r.us % 1e6), 6).slice(-6);
/** strftime `%a %b %e %H:%M:%S %Y` */
export const ctime = (d: Date) =>
  `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate(), 2, ' ')} ${hms(d)} ${d.getUTCFullYear()}`;
/** `%b %d` (journalctl) or `%b %e` (rsyslog) */
export const syslogDate = (d: Date, fill: string) =>
  `${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate(), 2, fill)}`;

/** dmesg --color=always: the subsystem prefix (up to the first `: `) in brown, the time in green. */
export function coloured(r: Rec, stamp: string): string {
  const colon = r.msg.indexOf(': ');
  const body =
    colon === -1
      ? r.msg
      : `\x1b[33m${r.msg.slice(0, colon + 2)}\x1b[0m${r.level <= 3 ? '\x1b[31m' : ''}${r.msg.slice(colon + 2)}${r.level <= 3 ? '\x1b[0m' : ''}`;
  return `\x1b[32m${stamp}\x1b[0m ${body}`;
}

export const utf8 = (s: string) => {
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

export const FORMATS = {
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
export type Format = keyof typeof FORMATS;
export const FORMAT_NAMES = Object.keys(FORMATS) as Format[];

/** Formats with the exact printk timestamp first, whose lines can lose the newline between them. */
export const JOINABLE: readonly Format[] = [
  'dmesg',
  'dmesg caller id',
  'syslog(2) caller id',
  'dmesg -x',
  'dmesg -r',
  'dmesg --color=always',
  'dmesg -d',
];

export const BOOT = Date.UTC(2024, 1, 14, 16, 16, 55, 123);
export function records(messages: readonly string[], host = 'myhost', boot = BOOT, step = 137_000): Rec[] {
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

export const render = (format: Format, recs: readonly Rec[]) => recs.map((r) => FORMATS[format](r));

/** Pieces that look like the formats above, for strings that are nearly, but not quite, valid. */
export const FRAGMENTS = [
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
export const nearlyValid = fc
  .array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 })
  .map((parts) => parts.join(''));
export const corpusLine = fc
  .tuple(fc.constantFrom(...FORMAT_NAMES), fc.nat(MESSAGES.length - 1))
  .map(([format, i]) => FORMATS[format](records(MESSAGES)[i]!));
