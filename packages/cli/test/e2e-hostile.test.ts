// Hostile input and hostile plugins, through the built command: every case ends in time, with
// its exit status and one stderr line `coco: CODE: ...`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, type CocoRun, coco, lines, requireBuilt } from './helpers/cli.js';
import { AZURE_SNP_MACHINE, writeTree } from './helpers/tree.js';

beforeAll(requireBuilt);

const dir = mkdtempSync(join(tmpdir(), 'coco-hostile-'));
const file = (name: string, text: string | Buffer) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

/** Runs `coco` and returns the run with how long it took. */
function timed(args: readonly string[], options: Parameters<typeof coco>[1] = {}): CocoRun & { ms: number } {
  const started = Date.now();
  const run = coco(args, options);
  return { ...run, ms: Date.now() - started };
}

/** Runs a shell command line (for redirections); `$COCO` in it stands for the built command. */
function shell(line: string, timeout = 20_000): CocoRun & { ms: number } {
  const started = Date.now();
  const r = spawnSync('sh', ['-c', line.replaceAll('$COCO', `'${process.execPath}' '${BIN}'`)], {
    encoding: 'utf8',
    timeout,
    cwd: dir,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}

/** Exactly one stderr line `coco: CODE: ...` with a fix, mentioning each of `mentions`. */
function expectError(run: CocoRun, status: number, code: string, ...mentions: string[]): string {
  expect(run.status).toBe(status);
  const err = lines(run.stderr);
  expect(err).toHaveLength(1);
  const line = err[0] as string;
  expect(line.startsWith(`coco: ${code}: `)).toBe(true);
  expect(line).toContain('Fix: ');
  expect(line).not.toMatch(/\s+at .*:\d+:\d+/);
  for (const m of mentions) expect(line).toContain(m);
  return line;
}

const TIME_BOUND_MS = 8000;

describe('inputs are bounded and never block', () => {
  it('--dmesg /dev/zero is refused as binary at once, --cpuid /dev/urandom stops at the 16 MiB limit', () => {
    // coco detect streams a kernel log (up to 1 GiB): NUL bytes end it at the first chunk.
    const zero = timed(['detect', '--dmesg', '/dev/zero']);
    expectError(zero, 2, 'KERNEL_LOG_INVALID', '/dev/zero', 'NUL');
    expect(zero.ms).toBeLessThan(TIME_BOUND_MS);
    expectError(
      timed(['snapshot', '--dmesg', '/dev/zero']),
      2,
      'INPUT_TOO_LARGE',
      '--dmesg /dev/zero',
      '16 MiB',
    );
    const random = timed(['detect', '--cpuid', '/dev/urandom']);
    expectError(random, 2, 'INPUT_TOO_LARGE', '--cpuid /dev/urandom', '16 MiB');
    expect(random.ms).toBeLessThan(TIME_BOUND_MS);
  });

  it('--dmesg - < /dev/zero stops at once, or at the limit', () => {
    const run = shell('$COCO detect --dmesg - < /dev/zero');
    expectError(run, 2, 'KERNEL_LOG_INVALID', 'stdin', 'NUL');
    expect(run.ms).toBeLessThan(TIME_BOUND_MS);
    const snapshot = shell('$COCO snapshot --dmesg - < /dev/zero');
    expectError(snapshot, 2, 'INPUT_TOO_LARGE', '--dmesg -', 'standard input', '16 MiB');
  });

  it('a never-ending log without NUL bytes is refused past the 1 GiB log limit, in bounded memory', () => {
    const run = shell('yes "[    0.000000] SEV: Status: SEV" | $COCO detect --dmesg -', 120_000);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/INPUT_TOO_LARGE|KERNEL_LOG_INVALID/);
  });

  it('a 1.5 GiB and a 2 GiB (sparse) file are refused as too large before they are read', () => {
    for (const [name, size, shown] of [
      ['big.log', 1.5 * 2 ** 30, '1.5 GiB'],
      ['huge.log', 2 * 2 ** 30, '2 GiB'],
    ] as const) {
      const path = file(name, '');
      truncateSync(path, size);
      const run = timed(['detect', '--dmesg', path]);
      const line = expectError(run, 2, 'INPUT_TOO_LARGE', name, shown, 'more than the 1 GiB limit');
      expect(line).not.toContain('permissions');
      expect(run.ms).toBeLessThan(TIME_BOUND_MS);
    }
  });

  it('the inputs together are limited to 64 MiB (logs coco detect streams aside)', () => {
    const path = file('fifteen.log', Buffer.alloc(15 * 2 ** 20, 'a'));
    const args = ['snapshot'];
    for (let i = 0; i < 5; i++) args.push('--dmesg', path);
    expectError(timed(args), 2, 'INPUT_TOO_LARGE', 'together', '64 MiB');
  });

  it('a FIFO without a writer ends in INPUT_BLOCKING, not a hang', () => {
    const fifo = join(dir, 'no-writer.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const run = timed(['detect', '--dmesg', fifo]);
    expectError(run, 2, 'INPUT_BLOCKING', '--dmesg', 'FIFO', 'nothing wrote to it');
    expect(run.ms).toBeLessThan(TIME_BOUND_MS);
  });

  it('a FIFO with a writer is read (process substitution works)', () => {
    const fifo = join(dir, 'writer.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const run = shell(
      `(sleep 0.3; printf '[    0.1] tdx: Guest detected\\n' > "${fifo}") & $COCO detect --dmesg "${fifo}" --tdx-gpaw 52 --json`,
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ type: 'tdx', maskBit: 51 });
  });

  it.runIf(existsSync('/dev/kmsg'))('--dmesg /dev/kmsg is refused and points at the live probe', () => {
    const run = timed(['detect', '--dmesg', '/dev/kmsg']);
    expectError(
      run,
      2,
      'INPUT_BLOCKING',
      '--dmesg /dev/kmsg',
      'coco detect with no evidence flags',
      'without blocking',
    );
    expect(run.ms).toBeLessThan(TIME_BOUND_MS);
  });

  it('a terminal given as a file ends in INPUT_BLOCKING, pointing at -', () => {
    const run = shell(
      `script -qec '$COCO detect --dmesg /dev/tty 2>&1' /dev/null < /dev/null`.replace(
        '$COCO',
        `"${process.execPath}" "${BIN}"`,
      ),
    );
    expect(run.stdout).toMatch(
      /coco: INPUT_BLOCKING: --dmesg \/dev\/tty: it is a terminal, whose reads wait/,
    );
    expect(run.stdout).toContain('--dmesg -');
    expect(run.ms).toBeLessThan(TIME_BOUND_MS);
  });

  it('standard input on a terminal prints a hint instead of waiting silently', () => {
    const run = shell(`script -qec "$COCO detect --dmesg - --json" /dev/null < /dev/null`);
    // An empty log cannot tell (exit 4); the hint came first.
    expect(run.status).toBe(4);
    expect(run.stdout).toContain(
      'coco: reading the kernel log from standard input; paste it and press Ctrl-D, or pipe it: sudo dmesg | coco detect --dmesg -',
    );
    // A pipe gets no hint: only the cannot-tell line of an empty log.
    const piped = coco(['detect', '--dmesg', '-', '--json'], { input: '' });
    expect(piped.stderr).not.toContain('paste it and press Ctrl-D');
    expect(lines(piped.stderr)).toHaveLength(1);
  });

  it('a UTF-8 byte-order mark at the start of any input is accepted', () => {
    const bom = '\ufeff';
    const snapshot = coco(['examples', 'sev-plain']).stdout;
    const snap = file('bom.json', bom + snapshot);
    const log = file('bom.log', `${bom}[    0.1] tdx: Guest detected\n`);
    const cpuinfo = file('bom-cpuinfo', `${bom}processor\t: 0\nflags\t\t: fpu hypervisor tdx_guest\n`);
    expect(coco(['detect', '--snapshot', snap, '--json']).status).toBe(0);
    const run = coco(['detect', '--dmesg', log, '--cpuinfo', cpuinfo, '--tdx-gpaw', '52', '--json']);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toMatchObject({ type: 'tdx' });
    const stdin = coco(['detect', '--snapshot', '-', '--json'], { input: bom + snapshot });
    expect(stdin.status).toBe(0);
    expect(JSON.parse(stdin.stdout)).toMatchObject({ type: 'amd-cbit', variant: 'sev' });
  });

  it('live probe: a FIFO in place of /dev/cpu/0/cpuid or /proc/cpuinfo is "not read", never a hang', () => {
    const root = writeTree({ msr: AZURE_SNP_MACHINE.msr ?? [], kmsg: AZURE_SNP_MACHINE.kmsg ?? '' });
    mkdirSync(join(root, 'dev', 'cpu', '0'), { recursive: true });
    mkdirSync(join(root, 'proc'), { recursive: true });
    expect(spawnSync('mkfifo', [join(root, 'dev/cpu/0/cpuid'), join(root, 'proc/cpuinfo')]).status).toBe(0);
    const run = timed(['detect'], { env: { COCO_PROBE_ROOT: root } });
    expect(run.status).toBe(0);
    expect(run.ms).toBeLessThan(TIME_BOUND_MS);
    expect(run.stdout).toContain("/dev/cpu/0/cpuid: it is a FIFO, not the kernel's cpuid device");
    expect(run.stdout).toContain('/proc/cpuinfo: it is a FIFO, not a file the kernel provides');
    expect(run.stdout).not.toMatch(/FIFO[^\n]*sudo/);
  });
});

describe('coco snapshot writes only what coco detect --snapshot reads', () => {
  const logOf = (bytes: number) => {
    const line = '[    1.000000] usb 1-1: new high-speed USB device number 2 using xhci_hcd and more text\n';
    const head = '[    0.1] Memory Encryption Features active: AMD SEV\n[    0.2] SEV: Status: SEV\n';
    return head + line.repeat(Math.floor((bytes - head.length) / line.length));
  };

  it('a log that fits gives a snapshot that detect reads back', () => {
    const log = file('four.log', logOf(4 * 2 ** 20));
    const snap = coco(['snapshot', '--full-log', '--dmesg', log, '--msr', '0xc0010131=0x1'], {
      timeout: 60_000,
    });
    expect(lines(snap.stderr)).toHaveLength(1);
    expect(snap.stderr).toContain('--full-log: the snapshot holds the whole kernel log');
    expect(snap.status).toBe(0);
    const path = file('four.json', snap.stdout);
    expect(statSync(path).size).toBeLessThanOrEqual(16 * 2 ** 20);
    const back = coco(['detect', '--snapshot', path, '--json'], { timeout: 60_000 });
    expect(back.stderr).toBe('');
    expect(back.status).toBe(0);
  });

  it('a log whose snapshot would be larger than 16 MiB: snapshot refuses, writes nothing', () => {
    const log = file('fifteen-and-a-half.log', logOf(15.5 * 2 ** 20));
    // Only the whole log (--full-log) can grow the snapshot past what it was read from.
    const snap = coco(['snapshot', '--full-log', '--dmesg', log], { timeout: 60_000 });
    expectError(snap, 2, 'OUTPUT_TOO_LARGE', 'more than the 16 MiB coco detect --snapshot reads');
    expect(snap.stdout).toBe('');
  });

  it('a 16.5 MB log is refused at the input, naming the limit', () => {
    const log = file('sixteen-and-a-half.log', logOf(16.5 * 1e6 + 1e6));
    expectError(coco(['snapshot', '--dmesg', log]), 2, 'INPUT_TOO_LARGE', '16 MiB');
    // coco detect streams the log, keeping only the lines its plugins read.
    expect(coco(['detect', '--dmesg', log]).status).toBe(0);
  });
});

describe('write errors', () => {
  it.runIf(existsSync('/dev/full'))('a full disk ends with one WRITE_FAILED line and exit 2', () => {
    for (const command of [
      '$COCO examples > /dev/full',
      '$COCO detect --example sev-plain --json > /dev/full',
    ]) {
      const run = shell(command);
      expectError(run, 2, 'WRITE_FAILED', 'standard output', 'ENOSPC');
    }
  });
});

describe('values that start with -', () => {
  it('are values, and the message is about the value', () => {
    expectError(coco(['detect', '--tdx-gpaw', '-1']), 2, 'USAGE', '--tdx-gpaw', '"-1" is not a number');
    expectError(
      coco(['pte', '0x1', '--type', 'tdx', '--mask-bit', '-1']),
      2,
      'USAGE',
      '--mask-bit -1',
      'not a bit number',
    );
    expectError(coco(['pte', '-1', '--type', 'tdx', '--mask-bit', '47']), 2, 'PARAMETER_INVALID', 'VALUE -1');
    expectError(coco(['detect', '--tdx-gpaw=-1']), 2, 'USAGE', '"-1" is not a number');
  });

  it('a file named -x.log, with --dmesg -x.log or --dmesg=-x.log; - alone is still stdin', () => {
    file('-x.log', '[    0.1] tdx: Guest detected\n');
    for (const args of [['--dmesg', '-x.log'], ['--dmesg=-x.log']]) {
      const run = coco(['detect', ...args, '--tdx-gpaw', '52', '--json'], { cwd: dir });
      expect(run.stderr).toBe('');
      expect(JSON.parse(run.stdout)).toMatchObject({ type: 'tdx' });
    }
    expectError(coco(['detect', '--dmesg', '-y.log'], { cwd: dir }), 2, 'FILE_NOT_FOUND', '--dmesg -y.log');
    const stdin = coco(['detect', '--dmesg', '-', '--tdx-gpaw', '52', '--json'], {
      input: '[    0.1] tdx: Guest detected\n',
    });
    expect(JSON.parse(stdin.stdout)).toMatchObject({ type: 'tdx' });
  });

  it('a flag where a value goes still says the value is missing', () => {
    expectError(coco(['detect', '--dmesg', '--json']), 2, 'USAGE', '--dmesg needs a value', '--dmesg=VALUE');
  });
});

describe('error lines carry a stable code', () => {
  it('core codes for core errors, the CLI codes for its own; no doubled prefix', () => {
    const bad = file(
      'snapshot.json',
      JSON.stringify({
        format: 'coco-snapshot/1',
        cpuid: [{ leaf: '0x0', subleaf: '0x0', eax: 'zz', ebx: '0x0', ecx: '0x0', edx: '0x0' }],
      }),
    );
    const line = expectError(coco(['detect', '--snapshot', bad]), 2, 'SNAPSHOT_INVALID', '$.cpuid[0].eax');
    expect(line).toMatch(/^coco: SNAPSHOT_INVALID: \S*snapshot\.json \(\$\.cpuid\[0\]\.eax\): /);
    expect(expectError(coco(['detect', '--dmesg', 'nope.log'], { cwd: dir }), 2, 'FILE_NOT_FOUND')).toMatch(
      /^coco: FILE_NOT_FOUND: --dmesg nope\.log: no such file\. Fix: /,
    );
    expectError(coco(['detect', '--cpuid', dir]), 2, 'FILE_UNREADABLE', 'directory');
    for (const run of [
      coco(['detect', '--bogus']),
      coco([]),
      coco(['pte', '0x1']),
      coco(['examples', 'nope']),
    ]) {
      expect(run.stderr).toMatch(/^coco: USAGE: /);
      expect(run.stderr).not.toMatch(/coco: coco/);
    }
  });
});

describe('a flag that takes one value, given twice', () => {
  it('is an error naming the flag', () => {
    expectError(
      coco(['detect', '--tdx-gpaw', '48', '--tdx-gpaw', '52']),
      2,
      'USAGE',
      '--tdx-gpaw is given twice',
    );
    expectError(
      coco(['pte', '0x1', '--type', 'tdx', '--mask-bit', '47', '--mask-bit', '51']),
      2,
      'USAGE',
      '--mask-bit is given twice',
    );
    expectError(
      coco(['pte', '0x1', '--type', 'tdx', '--type', 'amd-cbit', '--mask-bit', '47']),
      2,
      'USAGE',
      '--type is given twice',
    );
  });

  it('--help says which flags repeat', () => {
    const help = coco(['detect', '--help']).stdout;
    for (const flag of ['--snapshot', '--cpuid', '--dmesg', '--cpuinfo', '--msr', '--example', '--plugin']) {
      expect(help).toMatch(new RegExp(`^  ${flag} [^\\n]*(\\n {22}[^\\n]*)*repeatable`, 'm'));
    }
    expect(help).toContain('--plugin-timeout');
  });
});

const PLUGIN_BODY =
  "kind: 'backend', id: 'slow', packageName: 'slow', interfaceVersion: 2, params: {}, variants: [{ variant: null, title: 'Slow', attributes: ['mem-encrypt'], cvm: 'none' }], createType() { throw new Error('unused'); }";

describe('a third-party plugin cannot hang the command', () => {
  file('loop.mjs', `export default { ${PLUGIN_BODY}, detect() { for (;;) {} } };\n`);
  file(
    'tla.mjs',
    `await new Promise(() => {});\nexport default { ${PLUGIN_BODY}, detect() { return null; } };\n`,
  );
  file(
    'tla-timer.mjs',
    `await new Promise(() => { setInterval(() => {}, 1000); });\nexport default { ${PLUGIN_BODY}, detect() { return null; } };\n`,
  );
  file(
    'sleep.mjs',
    `export default { ${PLUGIN_BODY}, detect() { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000); return null; } };\n`,
  );

  it('an endless loop in detect ends at the default limit of 5 s', () => {
    const run = timed(['detect', '--example', 'sev-plain', '--plugin', './loop.mjs'], { cwd: dir });
    expectError(run, 2, 'PLUGIN_TIMEOUT', '--plugin ./loop.mjs', 'within 5 s', '--plugin-timeout');
    expect(run.ms).toBeGreaterThanOrEqual(4500);
    expect(run.ms).toBeLessThan(5000 + TIME_BOUND_MS);
  });

  it('a sleeping detect and a never-settling top-level await end at --plugin-timeout', () => {
    for (const [plugin, what] of [
      ['./sleep.mjs', 'the command did not finish within 1 s'],
      ['./tla-timer.mjs', 'loading the module did not finish within 1 s'],
      ['./tla.mjs', 'loading the module can never finish'],
    ] as const) {
      const run = timed(['detect', '--example', 'sev-plain', '--plugin', plugin, '--plugin-timeout', '1'], {
        cwd: dir,
      });
      expectError(run, 2, 'PLUGIN_TIMEOUT', `--plugin ${plugin}`, what);
      expect(run.ms).toBeLessThan(1000 + TIME_BOUND_MS);
    }
  });

  it('--plugin-timeout must be a number of seconds', () => {
    expectError(coco(['attrs', '--plugin-timeout', 'soon']), 2, 'USAGE', '--plugin-timeout soon');
    expectError(coco(['attrs', '--plugin', './loop.mjs', '--plugin-timeout', '0'], { cwd: dir }), 2, 'USAGE');
  });

  it('a plugin that ends the process or throws later is reported, not obeyed', () => {
    file('exit.mjs', `export default { ${PLUGIN_BODY}, detect() { process.exit(0); } };\n`);
    expectError(
      coco(['detect', '--example', 'sev-plain', '--plugin', './exit.mjs'], { cwd: dir }),
      2,
      'PLUGIN_FAILED',
      '--plugin ./exit.mjs',
    );
  });

  it('output and status are those of the in-process path (stdin included)', () => {
    file('quiet.mjs', `export default { ${PLUGIN_BODY}, detect() { return null; } };\n`);
    const log = '[    0.1] tdx: Guest detected\n';
    const base = ['detect', '--dmesg', '-', '--tdx-gpaw', '52'];
    const plain = coco(base, { input: log, cwd: dir });
    const isolated = coco([...base, '--plugin', './quiet.mjs'], { input: log, cwd: dir });
    expect(isolated.status).toBe(plain.status);
    expect(isolated.stderr).toBe(plain.stderr);
    expect(isolated.stdout).toBe(plain.stdout);
    const usage = coco(['detect', '--bogus', '--plugin', './quiet.mjs'], { cwd: dir });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toBe(coco(['detect', '--bogus'], { cwd: dir }).stderr);
  });
});

describe('--plugin accepts what the help says', () => {
  it('a package directory with a package.json', () => {
    const pkg = join(dir, 'dir-plugin');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({ name: 'dir-plugin', type: 'module', main: 'main.js' }),
    );
    writeFileSync(
      join(pkg, 'main.js'),
      "export default { kind: 'backend', id: 'dir-realm', packageName: 'dir-plugin', interfaceVersion: 1, variants: [{ variant: null, title: 'Dir', attributes: ['mem-encrypt'], cvm: 'none' }], createType() { throw new Error('unused'); }, detect() { return null; } };\n",
    );
    const run = coco(['attrs', '--json', '--plugin', './dir-plugin'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout).types.map((t: { type: string }) => t.type)).toContain('dir-realm');
    mkdirSync(join(dir, 'empty-dir'), { recursive: true });
    expectError(
      coco(['attrs', '--plugin', './empty-dir'], { cwd: dir }),
      2,
      'PLUGIN_NOT_FOUND',
      'package.json',
    );
  });

  it('refuses http:, https: and data: URLs, and a malformed file: URL', () => {
    for (const url of [
      'http://example.com/p.mjs',
      'https://example.com/p.mjs',
      'data:text/javascript,export default 1',
    ]) {
      expectError(
        coco(['attrs', '--plugin', url]),
        2,
        'USAGE',
        `${url.split(':')[0] ?? ''}: URLs are not loaded`,
      );
    }
    for (const url of ['file://%zz', 'file:///%zz']) {
      const line = expectError(coco(['attrs', '--plugin', url]), 2, 'USAGE', 'not a valid file: URL');
      expect(line).not.toContain('internal error');
    }
  });
});

describe('text from plugins is printed with control characters escaped', () => {
  it('in error lines', () => {
    file('evil-load.mjs', "throw new Error('bad\\u001b[31m red\\u001b]0;title\\u0007');\n");
    const run = coco(['attrs', '--plugin', './evil-load.mjs'], { cwd: dir });
    expectError(run, 2, 'PLUGIN_LOAD_FAILED', 'bad\\x1b[31m red\\x1b]0;title\\x07');
    expect(run.stderr).not.toContain('\u001b');
  });

  it('in detect, explain and attrs output', () => {
    file(
      'evil-text.mjs',
      `export default { kind: 'backend', id: 'evil', packageName: 'evil', interfaceVersion: 1,
  attributes: [{ id: 'evil:x', kernelName: 'EVIL\\u001b[2J', description: 'wipes\\u001b[2J\\nFAKE: line' }],
  variants: [{ variant: null, title: 'Evil\\u001b]0;owned\\u0007', attributes: ['evil:x'], cvm: 'none' }],
  createType() { throw new Error('unused'); },
  detect(evidence, context) {
    context.step('cpuinfo', 'looked \\u001b[31mred\\u001b[0m\\nConfidential guest: FAKE');
    context.warn('warn\\r\\u001b[K');
    return null;
  } };\n`,
    );
    for (const args of [
      ['detect', '--example', 'sev-plain'],
      ['explain', '--example', 'sev-plain'],
      ['attrs'],
    ]) {
      const run = coco([...args, '--plugin', './evil-text.mjs'], { cwd: dir });
      expect(run.status).toBe(0);
      // No control character but the newlines coco writes itself (colour is off: not a terminal).
      expect([...run.stdout].some((c) => c !== '\n' && c.charCodeAt(0) < 0x20)).toBe(false);
      expect(run.stdout).not.toMatch(/^Confidential guest: FAKE/m);
      expect(run.stdout).not.toMatch(/^FAKE/m);
    }
    const explain = coco(['explain', '--example', 'sev-plain', '--plugin', './evil-text.mjs'], { cwd: dir });
    expect(explain.stdout).toContain('looked \\x1b[31mred\\x1b[0m\\nConfidential guest: FAKE (evil)');
    expect(explain.stdout).toContain('warning: evil: warn\\r\\x1b[K');
  });
});

describe("a plugin cannot change another plugin's answer (through the built command)", () => {
  const body = "kind: 'hypervisor', interfaceVersion: 1, packageName: 'evil'";
  file(
    'pollute-import.mjs',
    `Object.prototype.guest = false;\nObject.prototype.msr = { '0xc0010131': '0x7' };\nObject.prototype.maskBit = 12;\nexport default { ${body}, id: 'pollute-import', detect() { return null; } };\n`,
  );
  file(
    'pollute-detect.mjs',
    `export default { ${body}, id: 'pollute-detect', detect() { Object.prototype.guest = false; Object.prototype.variant = 'sme'; return null; } };\n`,
  );
  file(
    'tamper.mjs',
    `export default { kind: 'hypervisor', interfaceVersion: 2, packageName: 'evil', id: 'tamper', detect(evidence) { evidence.storedFacts.get('x86.msr').set('0xc0010131', { value: 0x103dfn, source: 'evil' }); return null; } };\n`,
  );
  file(
    'tamper-v1.mjs',
    `export default { ${body}, id: 'tamper-v1', detect(evidence) { evidence.msrs.set(0xc0010131, { value: 0x7n, source: 'evil' }); return null; } };\n`,
  );
  const plain = () => JSON.parse(coco(['detect', '--example', 'snp-cbit-51', '--json']).stdout);
  const strip = (d: Record<string, unknown>) => ({ ...d, evidence: 0, warnings: 0 });

  it('pollution of Object.prototype at import or in detect changes no result', () => {
    for (const plugin of ['./pollute-import.mjs', './pollute-detect.mjs']) {
      const run = coco(['detect', '--example', 'snp-cbit-51', '--json', '--plugin', plugin], { cwd: dir });
      expect(run.status).toBe(0);
      expect(strip(JSON.parse(run.stdout))).toEqual(strip(plain()));
    }
  });

  it("an interface-1 plugin's evidence.msrs.set changes no other plugin's answer", () => {
    const run = coco(['detect', '--example', 'snp-cbit-51', '--json', '--plugin', './tamper-v1.mjs'], {
      cwd: dir,
    });
    expect(run.status).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(strip(doc)).toEqual(strip(plain()));
    expect(doc.warnings.join()).toMatch(
      /plugin "tamper-v1" \(evil\) implements plugin interface 1, which is deprecated/,
    );
  });

  it('a write to the evidence fails in the plugin, which is skipped with a warning; amd-cbit still sees SEV-SNP', () => {
    const run = coco(['detect', '--example', 'snp-cbit-51', '--json', '--plugin', './tamper.mjs'], {
      cwd: dir,
    });
    expect(run.status).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect([doc.type, doc.variant]).toEqual(['amd-cbit', 'sev-snp']);
    expect(doc.warnings.join()).toMatch(
      /plugin tamper \(evil\) failed during detection and was skipped: .*set/,
    );
  });
});
