import { CocoError } from '../errors.js';
import { parseHex } from './hex.js';
import { type Evidence, EvidenceBuilder } from './model.js';

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
  return new EvidenceBuilder().addMsr(Number(index), value, source).build();
}

/** Evidence holding a TDX guest physical-address width (48 or 52), as TDG.VP.INFO reports it. */
export function tdxGpawEvidence(gpaw: number, source = '--tdx-gpaw'): Evidence {
  if (gpaw !== 48 && gpaw !== 52) {
    throw new CocoError('PARAMETER_INVALID', `GPAW ${String(gpaw)} is not 48 or 52`, {
      input: source,
      fix: 'give the GPAW that TDG.VP.INFO reports: 48 or 52',
    });
  }
  return new EvidenceBuilder().setTdxGpaw(gpaw, source).build();
}
