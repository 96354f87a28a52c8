import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliIo, run, safeText } from '../src/index.js';
import { createStyle, wantsColour } from '../src/render/style.js';

function captureIo(
  options: {
    stdin?: string;
    env?: Record<string, string>;
    tty?: boolean;
    stdinTTY?: boolean;
    cwd?: string;
  } = {},
) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: { write: (t) => void out.push(t), isTTY: options.tty ?? false },
    stderr: { write: (t) => void err.push(t), isTTY: false },
    readStdin: () => options.stdin ?? '',
    stdinIsTTY: options.stdinTTY ?? false,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
  };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}

describe('run(argv, io) in process', () => {
  it('detects a bundled example and writes coco-detection/1 to the given stdout', async () => {
    const cap = captureIo();
    expect(await run(['detect', '--example', 'sev-plain', '--json'], cap.io)).toBe(0);
    const doc = JSON.parse(cap.stdout());
    expect([doc.type, doc.variant, doc.maskBit, doc.cvm]).toEqual(['amd-cbit', 'sev', 47, 'sev']);
    expect(cap.stderr()).toBe('');
  });

  it('reads standard input through io.readStdin', async () => {
    const cap = captureIo({ stdin: '[    0.1] tdx: Guest detected\n' });
    expect(await run(['detect', '--dmesg', '-', '--tdx-gpaw', '52', '--json'], cap.io)).toBe(0);
    expect(JSON.parse(cap.stdout())).toMatchObject({ type: 'tdx', maskBit: 51, encryptedWhen: 'clear' });
  });

  it('without a command, exits 2 with one line', async () => {
    const cap = captureIo();
    expect(await run([], cap.io)).toBe(2);
    expect(cap.stderr()).toMatch(
      /^coco: USAGE: no command given\. Fix: use one of detect, explain, snapshot, attrs, pte, examples/,
    );
    expect(cap.stderr().trim().split('\n')).toHaveLength(1);
  });

  it('builds a new registry for every call: a --plugin of one call is gone in the next', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coco-run-'));
    writeFileSync(
      join(dir, 'once.mjs'),
      "export default { kind: 'backend', id: 'once-realm', packageName: 'once', interfaceVersion: 1, variants: [{ variant: null, title: 'Once', attributes: ['mem-encrypt'], cvm: 'none' }], createType() { throw new Error('unused'); }, detect() { return null; } };\n",
    );
    const types = (text: string) => JSON.parse(text).types.map((t: { type: string }) => t.type);
    const first = captureIo({ cwd: dir });
    expect(await run(['attrs', '--json', '--plugin', './once.mjs'], first.io)).toBe(0);
    expect(types(first.stdout())).toContain('once-realm');
    const second = captureIo({ cwd: dir });
    expect(await run(['attrs', '--json'], second.io)).toBe(0);
    expect(types(second.stdout())).not.toContain('once-realm');
    // The same plugin again is not a duplicate: it goes into a new registry.
    const third = captureIo({ cwd: dir });
    expect(await run(['attrs', '--json', '--plugin', './once.mjs'], third.io)).toBe(0);
    expect(third.stderr()).toBe('');
  });

  it('prints a hint when standard input is a terminal', async () => {
    const cap = captureIo({ stdin: '[    0.1] tdx: Guest detected\n', stdinTTY: true });
    expect(await run(['detect', '--dmesg', '-', '--tdx-gpaw', '52', '--json'], cap.io)).toBe(0);
    expect(cap.stderr()).toBe(
      'coco: reading the kernel log from standard input; paste it and press Ctrl-D, or pipe it: sudo dmesg | coco detect --dmesg -\n',
    );
  });

  it('refuses standard input over the limit, whatever readStdin returns', async () => {
    const cap = captureIo({ stdin: 'x'.repeat(16 * 2 ** 20 + 1) });
    expect(await run(['detect', '--dmesg', '-'], cap.io)).toBe(2);
    expect(cap.stderr()).toMatch(
      /^coco: INPUT_TOO_LARGE: --dmesg -: standard input is larger than the 16 MiB limit/,
    );
  });

  it('colours a terminal unless NO_COLOR is set', async () => {
    const tty = captureIo({ tty: true });
    await run(['detect', '--example', 'sev-plain'], tty.io);
    expect(tty.stdout()).toContain('\u001b[');
    const noColour = captureIo({ tty: true, env: { NO_COLOR: '1' } });
    await run(['detect', '--example', 'sev-plain'], noColour.io);
    expect(noColour.stdout()).not.toContain('\u001b[');
  });
});

describe('wantsColour', () => {
  const tty = { write: () => {}, isTTY: true };
  const pipe = { write: () => {}, isTTY: false };
  it('is on for a terminal only, off with NO_COLOR or TERM=dumb, forced by FORCE_COLOR below NO_COLOR', () => {
    expect(wantsColour(tty, {})).toBe(true);
    expect(wantsColour(pipe, {})).toBe(false);
    expect(wantsColour(tty, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColour(tty, { NO_COLOR: '' })).toBe(true);
    expect(wantsColour(tty, { TERM: 'dumb' })).toBe(false);
    expect(wantsColour(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(wantsColour(pipe, { FORCE_COLOR: '0' })).toBe(false);
    expect(wantsColour(pipe, { FORCE_COLOR: '1', NO_COLOR: 'yes' })).toBe(false);
  });

  it('leaves text alone when colour is off', () => {
    const style = createStyle(pipe, {});
    expect(style.mark('1')).toBe('1');
    expect(style.bold('x')).toBe('x');
    expect(createStyle(tty, {}).mark('1')).not.toBe('1');
  });
});

describe('safeText', () => {
  it('escapes control characters, C1, separators and bidi overrides; leaves the rest', () => {
    expect(safeText('a\u001b[31mb\nc\rd\te\u0007')).toBe('a\\x1b[31mb\\nc\\rd\\te\\x07');
    expect(safeText('\u009b2J\u007f')).toBe('\\x9b2J\\x7f');
    expect(safeText('x\u202ey\u2028z\u2066')).toBe('x\\u202ey\\u2028z\\u2066');
    expect(safeText('Azure SEV-SNP — bit 51, größe')).toBe('Azure SEV-SNP — bit 51, größe');
  });
});
