// Tests written from Stryker's survivors in the cpuinfo parser (docs/mutation.md): values trimmed
// and cut at 8192 characters, a carriage return only as a line ending, at most 4096 fields read.
import { parseCpuinfo } from '@coco/core';
import { describe, expect, it } from 'vitest';

describe('parseCpuinfo', () => {
  it('trims each value, and cuts a very long one at 8192 characters instead of refusing it', () => {
    const e = parseCpuinfo('model name\t: AMD EPYC 9654  \nflags\t\t: fpu sev \n');
    expect(e.cpuinfo.get('model name')?.value).toBe('AMD EPYC 9654');
    expect(e.cpuinfo.get('flags')?.value).toBe('fpu sev');
    const long = parseCpuinfo(`model name : ${'x'.repeat(9000)}`);
    expect(long.cpuinfo.get('model name')?.value).toBe('x'.repeat(8192));
  });

  it('takes a carriage return as a line ending only, never inside a field name', () => {
    const e = parseCpuinfo('odd\rname : 1\r\nvendor_id : AuthenticAMD\r\n');
    expect([...e.cpuinfo.keys()]).toEqual(['vendor_id']);
    expect(e.cpuinfo.get('vendor_id')?.value).toBe('AuthenticAMD');
  });

  it('reads at most 4096 fields', () => {
    const text = Array.from({ length: 5000 }, (_, i) => `field${i} : ${i}`).join('\n');
    const e = parseCpuinfo(text);
    expect(e.cpuinfo.size).toBe(4096);
    expect(e.cpuinfo.has('field4095')).toBe(true);
    expect(e.cpuinfo.has('field4096')).toBe(false);
  });
});
