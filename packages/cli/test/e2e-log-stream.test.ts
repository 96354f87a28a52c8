// coco detect reads a kernel log as a stream: logs far above the 16 MiB input limit, in bounded
// memory, with the same detection as the short log, and repeated lines as one counted step.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { coco, lines, requireBuilt } from './helpers/cli.js';

beforeAll(requireBuilt);

const here = dirname(fileURLToPath(import.meta.url));
const BOOT = readFileSync(
  join(here, '..', '..', '..', 'tools', 'bench', 'fixtures', 'boot-dmesg.txt'),
  'utf8',
);
const dir = mkdtempSync(join(tmpdir(), 'coco-stream-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const verdict = (stdout: string) => {
  const d = JSON.parse(stdout);
  return { type: d.type, confidential: d.confidential, hypervisor: d.hypervisor, cvm: d.cvm, tee: d.tee };
};

describe('coco detect --dmesg reads the log as a stream', () => {
  const big = BOOT.repeat(Math.ceil((20 * 2 ** 20) / BOOT.length));

  it('reads a log above 16 MiB, with the detection of one boot and a trail that does not grow', () => {
    const one = coco(['detect', '--dmesg', file('one.log', BOOT), '--json']);
    const many = coco(['detect', '--dmesg', file('big.log', big), '--json'], { timeout: 60_000 });
    expect(one.status).toBe(0);
    expect(many.status).toBe(0);
    expect(verdict(many.stdout)).toEqual(verdict(one.stdout));
    expect(verdict(one.stdout).type).toBe('amd-vtom');
    const steps = (s: string) => JSON.parse(s).evidence.length;
    expect(steps(many.stdout)).toBe(steps(one.stdout));
    const counts = JSON.parse(many.stdout).evidence.map((e: { count?: number }) => e.count ?? 1);
    expect(Math.max(...counts)).toBeGreaterThan(500);
  });

  it('reads a log above 16 MiB from standard input', () => {
    const run = coco(['detect', '--dmesg', '-', '--json'], { input: big, timeout: 60_000 });
    expect(run.status).toBe(0);
    expect(verdict(run.stdout).type).toBe('amd-vtom');
  });

  it('keeps the other inputs and the other commands within their limits', () => {
    const run = coco(['snapshot', '--dmesg', file('big2.log', big)], { timeout: 60_000 });
    expect(run.status).toBe(2);
    expect(lines(run.stderr)[0]).toContain('INPUT_TOO_LARGE');
  });

  it('refuses a binary input at once', () => {
    const run = coco(['detect', '--dmesg', '/dev/zero'], { timeout: 20_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('NUL');
  });

  it('shows a repeated kernel-log step once, with its count, in explain', () => {
    const line = '[    0.100000] SEV: Status: SEV SEV-ES SEV-SNP \n';
    const run = coco(['explain', '--dmesg', file('repeat.log', line.repeat(500))]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/\(×500\)/);
  });
});
