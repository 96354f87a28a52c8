// Tests from the first x86 run after plugin interface 2 (docs/mutation.md, 2026-11-30): the cpuid -r
// parser moved here from core, and its error texts, sources and limits had no x86 test.
// The lines are real `cpuid -r` output (Debian's cpuid tool): "CPU n:" headers, then
// "   0xLEAF 0xSUBLEAF: eax=0x... ebx=0x... ecx=0x... edx=0x...".
import { isCocoError } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { cpuidOf, cpuidRecordsOf, parseCpuidDump } from '../src/index.js';

const LEAF0 = '   0x00000000 0x00: eax=0x00000010 ebx=0x68747541 ecx=0x444d4163 edx=0x69746e65';
const LEAF1F = '   0x8000001f 0x00: eax=0x0101fd3f ebx=0x00004173 ecx=0x000001fd edx=0x00000080';

function failure(text: unknown, source?: string) {
  try {
    parseCpuidDump(text as string, source === undefined ? {} : { source });
  } catch (error) {
    if (isCocoError(error))
      return {
        code: error.code,
        input: error.input,
        location: error.location,
        fix: error.fix,
        message: error.message,
      };
    throw error;
  }
  throw new Error('parsed');
}

describe('cpuid -r dumps, their sources and limits', () => {
  it('names the source "cpuid dump <file>", or "cpuid dump" without one', () => {
    expect(cpuidOf(parseCpuidDump(LEAF0, { source: 'dump.txt' }), 0)?.source).toBe('cpuid dump dump.txt');
    expect(cpuidOf(parseCpuidDump(LEAF0), 0)?.source).toBe('cpuid dump');
  });

  it('skips a byte-order mark, comments and blank lines, and counts the entries it read', () => {
    const e = parseCpuidDump(`\uFEFFCPU 0:\n# cpuid -1 -r\n\n${LEAF0}\n${LEAF1F}\n`);
    expect(cpuidRecordsOf(e).map((r) => r.leaf)).toEqual([0, 0x8000001f]);
  });

  it('stops at the next CPU, whatever its number', () => {
    const e = parseCpuidDump(`CPU 0:\n${LEAF0}\nCPU 7:\n${LEAF1F}\n`);
    expect(cpuidRecordsOf(e).map((r) => r.leaf)).toEqual([0]);
    expect(
      cpuidRecordsOf(parseCpuidDump(`CPU 0:\n${LEAF0}\nCPU 0:\n${LEAF1F}\n`)).map((r) => r.leaf),
    ).toEqual([0, 0x8000001f]);
  });

  it('refuses what is not text, a line of more than 512 characters, and says how to fix each', () => {
    expect(failure(42, 'dump.txt')).toEqual({
      code: 'CPUID_DUMP_INVALID',
      input: 'dump.txt',
      location: 'line 0',
      fix: 'pass the output of cpuid -r as a string',
      message: expect.stringContaining('the dump is not text'),
    });
    expect(() => parseCpuidDump(`${LEAF0}${' '.repeat(512 - LEAF0.length)}`)).not.toThrow();
    expect(failure(`${LEAF0}${' '.repeat(513 - LEAF0.length)}`).message).toContain(
      'the line is 513 characters long',
    );
    expect(failure('CPU 1:\n').fix).toBe('dump every CPU with cpuid -r, or CPU 0 with cpuid -1 -r');
    expect(failure('')).toMatchObject({
      input: 'cpuid dump',
      fix: 'pass the output of cpuid -r or cpuid -1 -r',
      message: expect.stringContaining('the dump holds no CPUID entries'),
    });
  });

  it('quotes an unreadable line whole up to 60 characters, and cut with an ellipsis beyond', () => {
    const sixty = 'x'.repeat(60);
    expect(failure(sixty).message).toContain(`cannot read "${sixty}"`);
    expect(failure(`${sixty}yz`).message).toContain(`cannot read "${sixty}…"`);
  });

  it('names the part that is not a 32-bit hex value (too wide is a range error)', () => {
    for (const [line, what] of [
      ['0x1ffffffff 0x00: eax=0x0 ebx=0x0 ecx=0x0 edx=0x0', 'leaf'],
      ['0x00000001 0x1ffffffff: eax=0x0 ebx=0x0 ecx=0x0 edx=0x0', 'subleaf'],
      ['0x00000001 0x00: eax=0x0 ebx=0xzz ecx=0x0 edx=0x0', 'ebx'],
      ['0x00000001 0x00: eax=0x0 ebx=0x0 ecx=0xzz edx=0x0', 'ecx'],
      ['0x00000001 0x00: eax=0x0 ebx=0x0 ecx=0x0 edx=0xzz', 'edx'],
    ] as const) {
      expect(failure(line)).toMatchObject({ location: `line 1, ${what}` });
    }
  });
});
