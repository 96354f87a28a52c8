import { createMarking, parseSnapshot } from '@coco/core';
import { describe, expect, it } from 'vitest';

describe('smoke', () => {
  it('marks the C-bit at 51', () => {
    const m = createMarking({ maskBit: 51, encryptedWhen: 'set' });
    expect(m.encrypt(0x8000000123456063n)).toBe(0x8008000123456063n);
  });
  it('parses a snapshot', () => {
    const e = parseSnapshot('{"format":"coco-snapshot/1","msr":{"0xc0010131":"0x103df"}}');
    expect(e.msr(0xc0010131)?.value).toBe(0x103dfn);
  });
});
