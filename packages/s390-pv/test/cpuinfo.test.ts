import { readFileSync } from 'node:fs';
import { parseCpuinfo } from '@coco/core';
import { describe, expect, it } from 'vitest';

// A whole s390x /proc/cpuinfo, as arch/s390/kernel/processor.c writes it: its summary has the
// field "# processors" (a '#' in a field name), which core must read like any other field.
const WHOLE = readFileSync(new URL('./roots/pv-guest/proc/cpuinfo', import.meta.url), 'utf8');

describe('core reading a whole s390x /proc/cpuinfo', () => {
  it('gives vendor_id IBM/S390, "# processors" field included', () => {
    const evidence = parseCpuinfo(WHOLE);
    expect(evidence.cpuinfo.get('vendor_id')?.value).toBe('IBM/S390');
    expect(evidence.cpuinfo.has('# processors')).toBe(true);
  });
});
