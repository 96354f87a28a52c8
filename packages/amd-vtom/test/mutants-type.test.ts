// Tests written from Stryker's surviving mutants (docs/mutation.md): each parameter error names its
// input, says what is wrong with the value, and has the right code and class.
import { isCocoError } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { amdVtomBackend, createAmdVtomType } from '../src/index.js';

function errorOf(run: () => unknown): Error & { code: string; input: string; fix: string } {
  try {
    run();
  } catch (error) {
    if (!isCocoError(error)) throw error;
    return error as unknown as Error & { code: string; input: string; fix: string };
  }
  throw new Error('expected a throw');
}

describe('createAmdVtomType parameter errors', () => {
  it('accepts maskBit 12 and 51, the ends of the physical-address field', () => {
    expect(createAmdVtomType({ maskBit: 12 }).marking?.maskBit).toBe(12);
    expect(createAmdVtomType({ maskBit: 51 }).marking?.maskBit).toBe(51);
  });

  it('says the maskBit is outside the field, as a RangeError with MASK_INVALID', () => {
    const e = errorOf(() => createAmdVtomType({ maskBit: 52 }));
    expect(e.message).toContain('maskBit 52 is outside the physical-address field');
    expect(e).toBeInstanceOf(RangeError);
    expect(e.code).toBe('MASK_INVALID');
  });

  it('gives PARAMETER_INVALID, not a range error, for a maskBit that is not a number', () => {
    const e = errorOf(() => amdVtomBackend.createType({ maskBit: '46' }));
    expect(e.code).toBe('PARAMETER_INVALID');
    expect(e).not.toBeInstanceOf(RangeError);
    expect(e.input).toBe('amd-vtom params.maskBit');
    expect(e.message).toContain('maskBit "46" is outside the physical-address field');
  });

  it('refuses a non-object naming the params and the value, with no stray key', () => {
    const e = errorOf(() => amdVtomBackend.createType(42 as never));
    expect(e.input).toBe('amd-vtom params');
    expect(e.message).toContain('amd-vtom params: 42 is not an object. Fix:');
    expect(e.fix).toBe('use an object with only maskBit, boundary, sevStatus, maskUnknownReason');
    expect(e).not.toBeInstanceOf(RangeError);
  });

  it('names an unknown key, cut to 40 characters', () => {
    const key = `k${'x'.repeat(59)}`;
    const e = errorOf(() => amdVtomBackend.createType({ [key]: 1 }));
    expect(e.message).toContain(`"${key.slice(0, 40)}" is not a parameter`);
    expect(e.message).not.toContain(key.slice(0, 41));
  });

  it('says which bits disagree when maskBit and boundary differ', () => {
    const e = errorOf(() => createAmdVtomType({ maskBit: 46, boundary: 0x800000000000n }));
    expect(e.code).toBe('PARAMETER_INVALID');
    expect(e.input).toBe('amd-vtom params.maskBit');
    expect(e.message).toContain('maskBit 46 and boundary 0x800000000000 (bit 47) disagree');
    expect(e.fix).toBe('give one of them, or both for the same bit');
    expect(createAmdVtomType({ maskBit: 47, boundary: 0x800000000000n }).marking?.maskBit).toBe(47);
  });

  it('refuses an empty or misplaced reason, saying how to give one', () => {
    for (const params of [
      { maskUnknownReason: '  ' },
      { maskUnknownReason: 7 },
      { maskBit: 46, maskUnknownReason: 'why' },
    ]) {
      const e = errorOf(() => amdVtomBackend.createType(params));
      expect(e.input).toBe('amd-vtom params.maskUnknownReason');
      expect(e.message).toContain('is not valid here');
      expect(e.fix).toBe('give a non-empty reason, and only without maskBit and boundary');
    }
  });

  it('says a status is not a 64-bit value, and how to give one', () => {
    const e = errorOf(() => createAmdVtomType({ sevStatus: 1n << 64n }));
    expect(e.message).toContain('sevStatus 0x10000000000000000 is not a 64-bit value');
    expect(e.fix).toBe('use the status MSR value, a 64-bit bigint with bit 3 (vTOM) set such as 0x103dfn');
    // 0 is a 64-bit value: what is wrong with it is that bit 3 is clear.
    const zero = errorOf(() => createAmdVtomType({ sevStatus: 0n }));
    expect(zero.code).toBe('PARAMETER_INVALID');
    expect(zero.message).toContain('sevStatus 0x0 has bit 3 (vTOM) clear');
  });

  it('turns a throwing getter into an error that says so and how to fix it', () => {
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('boom');
        },
      },
    );
    const e = errorOf(() => createAmdVtomType(hostile));
    expect(e.message).toContain('reading them threw');
    expect(e.fix).toBe('pass a plain object');
  });

  it('shows only the boundary when no status is given', () => {
    expect(createAmdVtomType({ maskBit: 46 }).details).toEqual([
      { name: 'vTOM boundary', value: '0x400000000000 (bit 46)' },
    ]);
  });
});
