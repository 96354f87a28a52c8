import { describe, expect, it } from 'vitest';
import { type CliIo, run } from '../src/index.js';
import { createStyle, wantsColour } from '../src/render/style.js';

function captureIo(options: { stdin?: string; env?: Record<string, string>; tty?: boolean } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: { write: (t) => void out.push(t), isTTY: options.tty ?? false },
    stderr: { write: (t) => void err.push(t), isTTY: false },
    readStdin: () => options.stdin ?? '',
    env: options.env ?? {},
    cwd: process.cwd(),
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
      /^coco: coco: no command given\. Fix: use one of detect, explain, snapshot, attrs, pte, examples/,
    );
    expect(cap.stderr().trim().split('\n')).toHaveLength(1);
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
