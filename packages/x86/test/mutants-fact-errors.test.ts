// The errors of x86's fact kinds (facts.ts): a snapshot's bad CPUID leaf or MSR is refused with the
// stable code a script keys on, the input and the JSON location it names, and a message about the
// value; a value out of range given to the builder names its range. Written from Stryker's
// surviving mutants (docs/mutation.md), which emptied these codes and locations unnoticed.
import { type CocoError, isCocoError, type JsonValue, parseSnapshot } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { CPUID_FACT, MSR_FACT, X86EvidenceBuilder } from '../src/index.js';

/** What a call throws, as the parts a user sees. */
function refusal(call: () => unknown) {
  try {
    call();
  } catch (error) {
    if (isCocoError(error)) {
      const { code, input, location, fix } = error as CocoError & { input?: string; location?: string };
      return { code, input, location, message: error.message, fix };
    }
    if (error instanceof Error) return { message: error.message };
    throw error;
  }
  throw new Error('accepted');
}

const readAll = (read: (json: JsonValue) => Iterable<unknown>, json: JsonValue) => [...read(json)];
const REGS = { eax: '0x1', ebx: '0x2', ecx: '0x3', edx: '0x4' };

describe('format 1 CPUID leaves (the cpuid array)', () => {
  const read = (json: JsonValue) => readAll((j) => CPUID_FACT.legacy?.read(j) ?? [], json);

  it('names the array, the entry and the register that is wrong', () => {
    expect(refusal(() => read({}))).toMatchObject({
      code: 'SNAPSHOT_INVALID',
      input: 'snapshot',
      location: '$.cpuid',
    });
    expect(refusal(() => read([null]))).toMatchObject({ code: 'SNAPSHOT_INVALID', location: '$.cpuid[0]' });
    const entry = { leaf: '0x0', subleaf: '0x0', ...REGS };
    expect(refusal(() => read([entry, { ...entry, rax: '0x0' }]))).toMatchObject({
      code: 'SNAPSHOT_INVALID',
      location: '$.cpuid[1].rax',
      fix: 'use only leaf, subleaf, eax, ebx, ecx, edx',
    });
    const { edx: _, ...noEdx } = entry;
    expect(refusal(() => read([noEdx]))).toMatchObject({
      code: 'SNAPSHOT_INVALID',
      location: '$.cpuid[0].edx',
    });
    expect(refusal(() => read([{ ...entry, ecx: 'zz' }]))).toMatchObject({
      code: 'SNAPSHOT_INVALID',
      input: 'snapshot',
      location: '$.cpuid[0].ecx',
    });
  });

  it('keys a leaf and its subleaf in lower-case hex', () => {
    const got = read([{ leaf: '0x8000001F', subleaf: '0x10', ...REGS }]) as [string, unknown][];
    expect(got.map(([key]) => key)).toEqual(['0x8000001f/0x10']);
  });
});

describe('format 1 MSRs (the msr object)', () => {
  const read = (json: JsonValue) => readAll((j) => MSR_FACT.legacy?.read(j) ?? [], json);

  it('names the object, the index and the value that is wrong', () => {
    expect(refusal(() => read([]))).toMatchObject({
      code: 'SNAPSHOT_INVALID',
      input: 'snapshot',
      location: '$.msr',
    });
    expect(refusal(() => read(null))).toMatchObject({ location: '$.msr' });
    expect(refusal(() => read('0x1'))).toMatchObject({ code: 'SNAPSHOT_INVALID', location: '$.msr' });
    expect(refusal(() => read({ zz: '0x1' }))).toMatchObject({
      code: 'SNAPSHOT_INVALID',
      input: 'snapshot',
      location: '$.msr["zz"] (the MSR index)',
    });
    expect(refusal(() => read({ '0xc0010131': 'zz' }))).toMatchObject({
      code: 'SNAPSHOT_INVALID',
      input: 'snapshot',
      location: '$.msr["0xc0010131"]',
    });
  });
});

describe('format 2 facts (decode)', () => {
  it('refuses a CPUID key that is more or less than 0xLEAF/0xSUBLEAF', () => {
    for (const key of ['x0x1/0x0', '0x1/0x0/', '0x1/0x0 ', '0x123456789/0x0'])
      expect(refusal(() => CPUID_FACT.decode(REGS, key)).message, key).toMatch(/is not 0xLEAF\/0xSUBLEAF/);
    expect(CPUID_FACT.decode(REGS, '0x8000001f/0x10')).toEqual({ eax: 1, ebx: 2, ecx: 3, edx: 4 });
  });

  it('refuses an MSR key that is more or less than 0xINDEX', () => {
    for (const key of ['x0xc0010131', '0xc0010131 ', '0xc00101310'])
      expect(refusal(() => MSR_FACT.decode('0x1', key)).message, key).toMatch(/is not an MSR index/);
    expect(MSR_FACT.decode('0x1', '0xc0010131')).toBe(1n);
  });

  it('names the kind and the register of a value that is not 32 or 64 bits of hex', () => {
    expect(refusal(() => CPUID_FACT.decode({ ...REGS, ebx: 'zz' }, '0x1/0x0'))).toMatchObject({
      code: 'EVIDENCE_INVALID',
      input: 'x86.cpuid',
      location: 'ebx',
    });
    expect(refusal(() => MSR_FACT.decode('zz', '0xc0010131'))).toMatchObject({
      code: 'EVIDENCE_INVALID',
      input: 'x86.msr',
      location: '0xc0010131',
    });
  });

  it("names what it reads, and reads format 1's cpuid array and msr object", () => {
    expect(CPUID_FACT.title).toBe('CPUID leaves');
    expect(MSR_FACT.title).toBe('model-specific registers');
    // schemas/coco-snapshot-1.schema.json: the top-level "cpuid" array and "msr" object.
    const evidence = parseSnapshot(
      {
        format: 'coco-snapshot/1',
        cpuid: [{ leaf: '0x8000001f', subleaf: '0x0', ...REGS }],
        msr: { '0xc0010131': '0x7' },
      },
      { factKinds: [CPUID_FACT, MSR_FACT] },
    );
    expect(evidence.fact(CPUID_FACT, '0x8000001f/0x0')?.value).toEqual({ eax: 1, ebx: 2, ecx: 3, edx: 4 });
    expect(evidence.fact(MSR_FACT, '0xc0010131')?.value).toBe(7n);
  });
});

describe('the builder refuses values out of range, naming them and the range', () => {
  const b = () => new X86EvidenceBuilder();
  it.each([
    ['CPUID leaf -1 is out of range', () => b().addCpuid(-1, 0, { eax: 0, ebx: 0, ecx: 0, edx: 0 }, 't')],
    [
      'CPUID leaf 4294967296 is out of range',
      () => b().addCpuid(2 ** 32, 0, { eax: 0, ebx: 0, ecx: 0, edx: 0 }, 't'),
    ],
    [
      'CPUID subleaf 1.5 is out of range',
      () => b().addCpuid(0, 1.5, { eax: 0, ebx: 0, ecx: 0, edx: 0 }, 't'),
    ],
    ['MSR index -1 is out of range', () => b().addMsr(-1, 0n, 't')],
    ['MSR 0xc0010131 value -0x1 is out of range', () => b().addMsr(0xc0010131, -1n, 't')],
    ['MSR 0xc0010131 value 1 is out of range', () => b().addMsr(0xc0010131, 1 as unknown as bigint, 't')],
  ])('%s', (message, call) => {
    const error = refusal(call);
    expect(error.message).toContain(message);
    expect(error).toMatchObject({ code: 'VALUE_OUT_OF_RANGE', input: 't' });
    expect(error.fix).toMatch(/^use a value from 0 to 0xf{8}(?:f{8})?$/);
  });

  it('takes the largest values', () => {
    const evidence = b()
      .addCpuid(0xffff_ffff, 0xffff_ffff, { eax: 0xffff_ffff, ebx: 0, ecx: 0, edx: 0 }, 't')
      .addMsr(0xffff_ffff, 2n ** 64n - 1n, 't')
      .build();
    expect(evidence.fact(MSR_FACT, '0xffffffff')?.value).toBe(2n ** 64n - 1n);
  });
});
