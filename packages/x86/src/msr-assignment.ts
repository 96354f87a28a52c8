import { CocoError, type Evidence, parseHex } from '@coco/core';
import { X86EvidenceBuilder } from './facts.js';

/** Parses `ADDR=VALUE` (both hex, such as `0xc0010131=0x103df`) into MSR evidence. */
export function parseMsrAssignment(text: string, source = '--msr'): Evidence {
  const match = typeof text === 'string' ? /^([^=]+)=(.+)$/.exec(text.trim()) : null;
  if (!match) {
    throw new CocoError('MSR_INVALID', `${JSON.stringify(String(text).slice(0, 60))} is not ADDR=VALUE`, {
      input: source,
      fix: 'write the MSR index and value in hex, such as 0xc0010131=0x103df',
    });
  }
  const index = parseHex(match[1]!.trim(), 32, {
    input: source,
    location: 'the MSR index',
    code: 'MSR_INVALID',
  });
  const value = parseHex(match[2]!.trim(), 64, {
    input: source,
    location: `MSR ${match[1]!.trim()}`,
    code: 'MSR_INVALID',
  });
  return new X86EvidenceBuilder().addMsr(Number(index), value, source).build();
}
