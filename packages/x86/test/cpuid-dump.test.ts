import { isCocoError } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { cpuidOf, cpuidRecordsOf, parseCpuidDump } from '../src/index.js';

// Real `cpuid -r` lines of public machines: an AMD EPYC (C-bit 51, EBX 0x4173) and a Zen host (C-bit 47).
const TWO_CPUS = `CPU 0:
   0x00000000 0x00: eax=0x00000010 ebx=0x68747541 ecx=0x444d4163 edx=0x69746e65
   0x80000000 0x00: eax=0x80000028 ebx=0x68747541 ecx=0x444d4163 edx=0x69746e65
   0x8000001f 0x00: eax=0x0101fd3f ebx=0x00004173 ecx=0x000001fd edx=0x00000080

CPU 1:
   0x00000000 0x00: eax=0x00000010 ebx=0x68747541 ecx=0x444d4163 edx=0x69746e65
   0x8000001f 0x00: eax=0x0101fd3f ebx=0x0000ffff ecx=0x000001fd edx=0x00000080
`;

function failure(text: string): { code: string; location: string | undefined; message: string } {
  try {
    parseCpuidDump(text, { source: 'dump.txt' });
  } catch (error) {
    if (isCocoError(error)) return { code: error.code, location: error.location, message: error.message };
    throw error;
  }
  throw new Error('parsed');
}

describe('cpuid -r dumps', () => {
  it('takes CPU 0 of a multi-CPU dump', () => {
    const e = parseCpuidDump(TWO_CPUS, { source: 'dump.txt' });
    expect(cpuidOf(e, 0x8000001f)).toMatchObject({
      eax: 0x0101fd3f,
      ebx: 0x4173,
      source: 'cpuid dump dump.txt',
    });
    expect(cpuidOf(e, 0x8000001f)!.ebx & 0x3f).toBe(51);
    expect(cpuidRecordsOf(e)).toHaveLength(3);
    expect(e.conflicts).toEqual([]);
  });

  it('reads cpuid -1 -r output with its "CPU:" header, and a bare list with indentation', () => {
    const one = parseCpuidDump(
      'CPU:\n   0x8000001f 0x00: eax=0x0001000f ebx=0x0000016f ecx=0x000001fd edx=0x00000001\n',
    );
    expect(cpuidOf(one, 0x8000001f)!.ebx & 0x3f).toBe(47);
    const bare = parseCpuidDump(
      '\n\n    0x00000021 0x00: eax=0x00000000 ebx=0x65746e49 ecx=0x20202020 edx=0x5844546c\r\n',
    );
    expect(cpuidOf(bare, 0x21)?.ebx).toBe(0x65746e49);
  });

  it('names the line and what was expected for a malformed line', () => {
    const f = failure('CPU 0:\n   0x00000000 0x00: eax=0x10 ebx=0x0\n');
    expect(f.code).toBe('CPUID_DUMP_INVALID');
    expect(f.location).toBe('line 2');
    expect(f.message).toContain('expected "0xLEAF 0xSUBLEAF: eax=0x...');
  });

  it('refuses a register wider than 32 bits with its line and register', () => {
    const f = failure('CPU:\n   0x00000001 0x00: eax=0x1ffffffff ebx=0x0 ecx=0x0 edx=0x0\n');
    expect(f.code).toBe('VALUE_OUT_OF_RANGE');
    expect(f.location).toBe('line 2, eax');
  });

  it('refuses an empty dump, a dump that starts at another CPU, and a very long line', () => {
    expect(failure('\n\n').message).toContain('no CPUID entries');
    expect(failure('CPU 3:\n   0x00000000 0x00: eax=0x1 ebx=0x0 ecx=0x0 edx=0x0').message).toContain(
      'not CPU 0',
    );
    expect(failure(`CPU:\n${'x'.repeat(10_000)}`).location).toBe('line 2');
  });
});
