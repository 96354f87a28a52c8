// Tests written from Stryker's surviving mutants (docs/mutation.md): the TDX type's parameter
// errors name the parameter and say how to fix it.
import { isCocoError } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { createTdxType, tdxBackend } from '../src/index.js';

type Coded = Error & { code: string; input: string; fix: string };
function errorOf(run: () => unknown): Coded {
  try {
    run();
  } catch (error) {
    if (!isCocoError(error)) throw error;
    return error as unknown as Coded;
  }
  throw new Error('expected a throw');
}

describe('createTdxType parameter errors', () => {
  it('names an unknown key, cut to 40 characters, and the keys it takes', () => {
    const key = `k${'x'.repeat(59)}`;
    const e = errorOf(() => tdxBackend.createType({ [key]: 1 }));
    expect(e.input).toBe(`tdx params.${key.slice(0, 40)}`);
    expect(e.message).toContain('unknown parameter');
    expect(e.fix).toBe('use only gpaw, maskBit, maskUnknownReason');
  });

  it('accepts no argument and an empty object alike', () => {
    expect(createTdxType().describe()).toBe(createTdxType({}).describe());
    expect(createTdxType().marking).toBeNull();
  });

  it('says what a gpaw must be', () => {
    const e = errorOf(() => tdxBackend.createType({ gpaw: 50 }));
    expect(e.input).toBe('tdx params.gpaw');
    expect(e.message).toContain('gpaw 50 is not 48 or 52');
    expect(e.fix).toBe('give the GPAW that TDG.VP.INFO reports');
  });

  it('says maskBit and gpaw disagree', () => {
    const e = errorOf(() => createTdxType({ gpaw: 52, maskBit: 47 }));
    expect(e.input).toBe('tdx params.maskBit');
    expect(e.message).toContain('maskBit 47 disagrees with gpaw 52 (bit 51)');
    expect(e.fix).toBe('give one of them');
  });

  it('refuses a reason next to a bit, or an empty one, saying why', () => {
    for (const params of [
      { maskBit: 47, maskUnknownReason: 'why' },
      { maskUnknownReason: ' ' },
      { maskUnknownReason: 3 },
    ]) {
      const e = errorOf(() => tdxBackend.createType(params));
      expect(e.input).toBe('tdx params.maskUnknownReason');
      expect(e.message).toContain('maskUnknownReason needs a text, and no gpaw or maskBit');
      expect(e.fix).toBe('give it only without both');
    }
  });

  it('keeps a known shared bit without an unknown-mask reason', () => {
    const type = createTdxType({ gpaw: 48 });
    expect(type.marking?.maskBit).toBe(47);
    expect(type.maskUnknownReason ?? null).toBeNull();
    expect(createTdxType({ maskUnknownReason: 'Hyper-V gives it' }).maskUnknownReason).toBe(
      'Hyper-V gives it',
    );
  });
});
