// Tests written from Stryker's surviving mutants (docs/mutation.md): each parameter error of
// createAmdCbitType names its parameter, the problem and the allowed values (register widths from
// the AMD APM: SEV status is a 64-bit MSR, CPUID 0x8000001F EBX[11:6] and [15:12] are 6 and 4 bits),
// the details a type lists, and the Confidential Containers TEE name.
import { isCocoError } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { type AmdCbitParams, createAmdCbitType } from '../src/index.js';

const KEYS = 'variant, sevStatus, maskBit, maskUnknownReason, smeCoherent, physicalAddressReduction, vmpls';

function refusal(params: unknown) {
  try {
    createAmdCbitType(params as AmdCbitParams);
  } catch (error) {
    if (!isCocoError(error)) throw error;
    return { code: error.code, problem: error.problem, input: error.input, fix: error.fix };
  }
  throw new Error('accepted');
}

describe('createAmdCbitType: parameter errors', () => {
  it('refuses what is not a plain object, saying which parameters exist', () => {
    for (const [bad, shown] of [
      [null, 'null'],
      [7, '7'],
      ['sev', '"sev"'],
      [[], 'an array'],
    ] as const) {
      expect(refusal(bad)).toEqual({
        code: 'PARAMETER_INVALID',
        problem: `params ${shown} is not an object`,
        input: 'amd-cbit parameter params',
        fix: `pass an object with ${KEYS}`,
      });
    }
  });

  it('refuses an unknown key, quoting at most 40 characters of it', () => {
    expect(refusal({ variant: 'sev', colour: 1 })).toEqual({
      code: 'PARAMETER_INVALID',
      problem: '"colour" is not a parameter',
      input: 'amd-cbit parameters',
      fix: `use ${KEYS}`,
    });
    const long = 'k'.repeat(100);
    expect(refusal({ variant: 'sev', [long]: 1 }).problem).toBe(`"${'k'.repeat(40)}" is not a parameter`);
  });

  it('reads own fields only: a variant inherited from a prototype is missing', () => {
    expect(refusal(Object.create({ variant: 'sev' }))).toEqual({
      code: 'PARAMETER_INVALID',
      problem: 'variant undefined is missing',
      input: 'amd-cbit parameter variant',
      fix: 'give variant or sevStatus',
    });
  });

  it('refuses a variant that is not one of the four, even one that prints as one', () => {
    for (const [bad, shown] of [
      ['tdx', '"tdx"'],
      [['sev'], 'an array'],
    ] as const) {
      expect(refusal({ variant: bad })).toEqual({
        code: 'PARAMETER_INVALID',
        problem: `variant ${shown} is not a variant`,
        input: 'amd-cbit parameter variant',
        fix: 'use sme, sev, sev-es, sev-snp',
      });
    }
  });

  it('refuses a variant the status contradicts: 0x7 (bits 0-2) is SEV-SNP', () => {
    expect(refusal({ variant: 'sev', sevStatus: 0x7n })).toEqual({
      code: 'PARAMETER_INVALID',
      problem: 'variant "sev" contradicts sevStatus 0x7 (sev-snp)',
      input: 'amd-cbit parameter variant',
      fix: 'omit variant',
    });
  });

  it('refuses a status that does not fit the 64-bit MSR', () => {
    // Bit 64 with bit 0: not a vTOM status and not inconsistent, only too wide.
    for (const bad of [(1n << 64n) | 1n, -1n, 1]) {
      const r = refusal({ sevStatus: bad });
      expect(r.problem).toMatch(/^sevStatus .* is not a 64-bit MSR value$/);
      expect(r.input).toBe('amd-cbit parameter sevStatus');
      expect(r.fix).toBe('pass MSR 0xc0010131 as a bigint');
    }
  });

  it("refuses a vTOM status (bit 3) as amd-vtom's and an impossible one as impossible", () => {
    const vtom = refusal({ sevStatus: 0xfn });
    expect(vtom.problem).toBe("sevStatus 0xf has bit 3 (vTOM) set: that guest is amd-vtom's");
    expect(vtom.input).toBe('amd-cbit parameter sevStatus');
    // Every other bit needs bit 0 (SEV); SEV-SNP (bit 2) needs SEV-ES (bit 1).
    for (const [bad, why] of [
      [0x4n, 'bits are set but bit 0 (SEV) is clear'],
      [0x5n, 'bit 2 (SEV-SNP) is set but bit 1 (SEV-ES) is clear'],
    ] as const) {
      expect(refusal({ sevStatus: bad })).toEqual({
        code: 'PARAMETER_INVALID',
        problem: `sevStatus 0x${bad.toString(16)} is impossible: ${why}`,
        input: 'amd-cbit parameter sevStatus',
        fix: 'pass the value read from MSR 0xc0010131',
      });
    }
  });

  it('takes a C-bit from 12 to 51 only, as an integer', () => {
    expect(createAmdCbitType({ variant: 'sev', maskBit: 12 }).marking?.maskBit).toBe(12);
    expect(createAmdCbitType({ variant: 'sev', maskBit: 51 }).marking?.maskBit).toBe(51);
    for (const [bad, shown] of [
      [11, '11'],
      [52, '52'],
      [47.5, '47.5'],
      ['47', '"47"'],
    ] as const) {
      expect(refusal({ variant: 'sev', maskBit: bad })).toEqual({
        code: 'MASK_INVALID',
        problem: `maskBit ${shown} is outside the physical-address field`,
        input: 'amd-cbit parameter maskBit',
        fix: 'use CPUID 0x8000001F EBX[5:0], 12 to 51, or null when unknown',
      });
    }
  });

  it('takes a reason for an unknown C-bit only as words, and only when the C-bit is unknown', () => {
    for (const params of [
      { variant: 'sev', maskUnknownReason: '' },
      { variant: 'sev', maskUnknownReason: '   ' },
      { variant: 'sev', maskUnknownReason: 5 },
      { variant: 'sev', maskBit: 51, maskUnknownReason: 'hidden' },
    ]) {
      const r = refusal(params);
      expect(r.problem).toMatch(/^maskUnknownReason .* is not valid$/);
      expect(r.input).toBe('amd-cbit parameter maskUnknownReason');
      expect(r.fix).toBe('give a reason only when maskBit is null');
    }
    expect(createAmdCbitType({ variant: 'sev', maskUnknownReason: 'hidden' }).maskUnknownReason).toBe(
      'hidden',
    );
  });

  it('takes SME_COHERENT (CPUID 0x8000001F EAX bit 10) as a boolean only', () => {
    expect(refusal({ variant: 'sev', smeCoherent: 'yes' })).toEqual({
      code: 'PARAMETER_INVALID',
      problem: 'smeCoherent "yes" is not a boolean',
      input: 'amd-cbit parameter smeCoherent',
      fix: 'use true or false (CPUID 0x8000001F EAX bit 10)',
    });
  });

  it('takes VMPLs (EBX[15:12], 4 bits) from 0 to 15 and the address reduction (EBX[11:6], 6 bits) from 0 to 63', () => {
    for (const bad of [16, -1, 1.5, '4']) {
      const r = refusal({ variant: 'sev-snp', vmpls: bad });
      expect(r.problem).toMatch(/^vmpls .* is out of range$/);
      expect(r.input).toBe('amd-cbit parameter vmpls');
      expect(r.fix).toBe('use an integer from 0 to 15');
    }
    expect(refusal({ variant: 'sev-snp', physicalAddressReduction: 64 })).toEqual({
      code: 'PARAMETER_INVALID',
      problem: 'physicalAddressReduction 64 is out of range',
      input: 'amd-cbit parameter physicalAddressReduction',
      fix: 'use an integer from 0 to 63',
    });
    const edges = createAmdCbitType({ variant: 'sev-snp', vmpls: 15, physicalAddressReduction: 63 });
    expect(edges.details.map((d) => d.value)).toEqual(['unknown', '63 bits', '15']);
  });

  it('turns a throwing getter into an error about the parameters as a whole', () => {
    const hostile = Object.defineProperty({}, 'vmpls', {
      enumerable: true,
      get() {
        throw new TypeError('boom');
      },
    });
    expect(refusal(hostile)).toEqual({
      code: 'PARAMETER_INVALID',
      problem: 'params an object could not be read',
      input: 'amd-cbit parameter params',
      fix: 'pass a plain object without throwing getters',
    });
  });
});

describe('createAmdCbitType: details and TEE', () => {
  it('lists only the C-bit when nothing else is given, as unknown without a mask bit', () => {
    expect(createAmdCbitType({ variant: 'sev' }).details).toEqual([{ name: 'C-bit', value: 'unknown' }]);
  });

  it('lists zero values and a false SME_COHERENT too', () => {
    const t = createAmdCbitType({
      variant: 'sev',
      maskBit: 47,
      physicalAddressReduction: 0,
      vmpls: 0,
      smeCoherent: false,
    });
    expect(t.details).toEqual([
      { name: 'C-bit', value: '47' },
      { name: 'Physical address reduction', value: '0 bits' },
      { name: 'VMPLs', value: '0' },
      { name: 'SME coherent', value: 'no' },
    ]);
  });

  it('names the Confidential Containers TEE "snp" for SEV-SNP only (CoCo has no SEV or SEV-ES attester)', () => {
    expect(
      (['sme', 'sev', 'sev-es', 'sev-snp'] as const).map((variant) => createAmdCbitType({ variant }).tee),
    ).toEqual([null, null, null, 'snp']);
  });
});
