import {
  isCocoError,
  type ParseOptions,
  parseSnapshot as parseWith,
  SNAPSHOT_MAX_BYTES,
  type SnapshotOptions,
  toSnapshot as writeWith,
} from '@coco/core';
import { cpuidOf, msrOf } from '@coco/x86';
import { gpawOf, tdxBackend } from '../src/index.js';

// Snapshot documents with the x86 and TDX facts, read and written with the fact kinds a registry
// holding the TDX backend has (x86.cpuid, x86.msr, tdx.gpaw): format 1 converts through them.
const KINDS = tdxBackend.facts ?? [];
const parseSnapshot = (input: unknown, options: ParseOptions = {}) =>
  parseWith(input, { ...options, factKinds: KINDS });
const toSnapshot = (...[evidence, options]: Parameters<typeof writeWith>) =>
  writeWith(evidence, { ...(options as SnapshotOptions), factKinds: KINDS });

import { describe, expect, it } from 'vitest';

// The example document of the architecture's coco-snapshot/1 section, verbatim.
const DESIGN_EXAMPLE = `{
  "format": "coco-snapshot/1",
  "cpuid": [{ "leaf": "0x4000000c", "subleaf": "0x0", "eax": "0x1", "ebx": "0xba2", "ecx": "0x0", "edx": "0x0" }],
  "msr": { "0xc0010131": "0x103df" },
  "tdx": { "gpaw": 52 },
  "kernelLog": ["Memory Encryption Features active: AMD SEV", "SEV: Status: vTom"],
  "cpuinfoFlags": ["sev", "sev_es"],
  "files": { "/dev/sev-guest": true }
}`;

function failure(input: unknown): { code: string; message: string; location: string | undefined } {
  try {
    parseSnapshot(input as string, { source: 'snap.json' });
  } catch (error) {
    if (isCocoError(error)) return { code: error.code, message: error.message, location: error.location };
    throw new Error(`not a coco error: ${String(error)}`);
  }
  throw new Error('parsed');
}

describe('coco-snapshot/1', () => {
  it('reads every field of the design example', () => {
    const e = parseSnapshot(DESIGN_EXAMPLE, { source: 'design.json' });
    expect(cpuidOf(e, 0x4000000c)).toMatchObject({
      eax: 1,
      ebx: 0xba2,
      ecx: 0,
      edx: 0,
      source: 'snapshot design.json',
    });
    expect(msrOf(e, 0xc0010131)?.value).toBe(0x103dfn);
    expect(gpawOf(e)?.value).toBe(52);
    expect(e.kernelLog.map((l) => l.text)).toEqual([
      'Memory Encryption Features active: AMD SEV',
      'SEV: Status: vTom',
    ]);
    expect([...e.cpuinfoFlags.keys()]).toEqual(['sev', 'sev_es']);
    expect(e.file('/dev/sev-guest')?.value).toBe(true);
    expect([...e.kinds].sort()).toEqual([
      'cpuinfo',
      'files',
      'kernel-log',
      'tdx.gpaw',
      'x86.cpuid',
      'x86.msr',
    ]);
  });

  it('accepts a document with only the format, and upper-case hex', () => {
    expect(parseSnapshot('{"format":"coco-snapshot/1"}').kinds.size).toBe(0);
    const e = parseSnapshot('{"format":"coco-snapshot/1","msr":{"0XC0010131":"0X103DF"}}');
    expect(msrOf(e, 0xc0010131)?.value).toBe(0x103dfn);
  });

  it('round-trips through toSnapshot', () => {
    const e = parseSnapshot(DESIGN_EXAMPLE);
    const again = parseSnapshot(JSON.stringify(toSnapshot(e)));
    expect(toSnapshot(again)).toEqual(toSnapshot(e));
    expect(toSnapshot(e).facts?.['x86.msr']).toEqual({ '0xc0010131': '0x103df' });
    expect(toSnapshot(e, { version: 1 })).toMatchObject({
      format: 'coco-snapshot/1',
      msr: { '0xc0010131': '0x103df' },
      tdx: { gpaw: 52 },
    });
  });

  it('names an unknown top-level key', () => {
    const f = failure('{"format":"coco-snapshot/1","cpu":[]}');
    expect(f.code).toBe('SNAPSHOT_INVALID');
    expect(f.location).toBe('$.cpu');
    expect(f.message).toContain('unknown key "cpu"');
    expect(f.message).toContain('snap.json');
  });

  it('refuses __proto__ and constructor keys without touching any prototype', () => {
    for (const doc of [
      '{"format":"coco-snapshot/1","__proto__":{"polluted":true}}',
      '{"format":"coco-snapshot/1","constructor":{"prototype":{"polluted":true}}}',
      '{"format":"coco-snapshot/1","msr":{"__proto__":"0x1"}}',
      '{"format":"coco-snapshot/1","files":{"__proto__":true}}',
      '{"format":"coco-snapshot/1","tdx":{"__proto__":{"gpaw":48}}}',
      '{"format":"coco-snapshot/1","cpuid":[{"__proto__":{"leaf":"0x1"}}]}',
    ]) {
      expect(failure(doc).code).toBe('SNAPSHOT_INVALID');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('checks every hex width: 32 bits for CPUID, 64 for MSR values', () => {
    const cpuid = (reg: string) =>
      `{"format":"coco-snapshot/1","cpuid":[{"leaf":"0x1","subleaf":"0x0","eax":"${reg}","ebx":"0x0","ecx":"0x0","edx":"0x0"}]}`;
    expect(() => parseSnapshot(cpuid('0xffffffff'))).not.toThrow();
    const wide = failure(cpuid('0x100000000'));
    expect(wide.code).toBe('VALUE_OUT_OF_RANGE');
    expect(wide.location).toBe('$.cpuid[0].eax');
    expect(wide.message).toContain('wider than 32 bits');
    expect(() =>
      parseSnapshot('{"format":"coco-snapshot/1","msr":{"0x1":"0xffffffffffffffff"}}'),
    ).not.toThrow();
    expect(failure('{"format":"coco-snapshot/1","msr":{"0x1":"0x10000000000000000"}}').message).toContain(
      '64 bits',
    );
    expect(failure('{"format":"coco-snapshot/1","msr":{"0x100000000":"0x1"}}').message).toContain('32 bits');
    expect(failure(cpuid('12')).message).toContain('not a 0x-prefixed hex number');
    expect(failure(cpuid('-0x1')).code).toBe('SNAPSHOT_INVALID');
  });

  it('names the JSON path of a wrong type or a missing register', () => {
    expect(failure('{"format":"coco-snapshot/1","cpuid":{}}').location).toBe('$.cpuid');
    expect(failure('{"format":"coco-snapshot/1","cpuid":[{"leaf":"0x1"}]}').location).toBe(
      '$.cpuid[0].subleaf',
    );
    expect(failure('{"format":"coco-snapshot/1","kernelLog":["ok",7]}').location).toBe('$.kernelLog[1]');
    expect(failure('{"format":"coco-snapshot/1","cpuinfoFlags":["Not A Flag"]}').location).toBe(
      '$.cpuinfoFlags[0]',
    );
    expect(failure('{"format":"coco-snapshot/1","files":{"dev/x":true}}').code).toBe('SNAPSHOT_INVALID');
    expect(failure('{"format":"coco-snapshot/1","tdx":{"gpaw":47}}').message).toContain('48 or 52');
    expect(failure('{"format":"coco-snapshot/3"}').location).toBe('$.format');
    expect(failure('[]').location).toBe('$');
    expect(failure('{"format":').message).toContain('not valid JSON');
  });

  it('refuses an oversized document before parsing it', () => {
    const big = `{"format":"coco-snapshot/1","kernelLog":["${'x'.repeat(SNAPSHOT_MAX_BYTES)}"]}`;
    expect(failure(big).message).toContain('more than');
  });

  it('reports the same register twice with different values as a conflict', () => {
    const e = parseSnapshot(
      '{"format":"coco-snapshot/1","cpuid":[{"leaf":"0x1","subleaf":"0x0","eax":"0x1","ebx":"0x0","ecx":"0x0","edx":"0x0"},{"leaf":"0x1","subleaf":"0x0","eax":"0x2","ebx":"0x0","ecx":"0x0","edx":"0x0"}]}',
      { source: 's.json' },
    );
    expect(e.conflicts).toEqual([
      {
        fact: 'cpuid 0x1/0x0 eax',
        values: [
          { value: '0x1', source: 'snapshot s.json' },
          { value: '0x2', source: 'snapshot s.json' },
        ],
      },
    ]);
  });
});
