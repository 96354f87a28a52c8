import { isCocoError } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { amdCbitBackend, createAmdCbitType } from '../src/index.js';

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('createAmdCbitType', () => {
  it('describes itself as the issue says', () => {
    expect(createAmdCbitType({ variant: 'sev-snp', maskBit: 51 }).describe()).toBe(
      'AMD SEV-SNP, C-bit 51, encrypted when set',
    );
    expect(createAmdCbitType({ variant: 'sme', maskBit: 47 }).describe()).toBe(
      'AMD SME, C-bit 47, encrypted when set',
    );
  });

  it('has the titles, cvm labels and guest flags of facts §2 and §8', () => {
    const rows = (['sme', 'sev', 'sev-es', 'sev-snp'] as const).map((variant) => {
      const t = createAmdCbitType({ variant, maskBit: 51 });
      return [t.title, t.cvm, t.guest, t.maskName, t.encryptedWhen];
    });
    expect(rows).toEqual([
      ['AMD SME', 'none', false, 'C-bit', 'set'],
      ['AMD SEV', 'sev', true, 'C-bit', 'set'],
      ['AMD SEV-ES', 'sev-es', true, 'C-bit', 'set'],
      ['AMD SEV-SNP', 'sev-snp', true, 'C-bit', 'set'],
    ]);
  });

  it('never answers host-sev-snp for a guest', () => {
    const t = createAmdCbitType({ sevStatus: 0xffff7n & ~0x8n, maskBit: 51 });
    expect(t.attributes.has('host-sev-snp')).toBe(false);
  });

  it('gives a default reason when the C-bit is unknown', () => {
    const t = createAmdCbitType({ variant: 'sev' });
    expect(t.marking).toBeNull();
    expect(t.maskUnknownReason).toContain('0x8000001F');
    expect(t.describe()).toContain('C-bit unknown');
  });

  it('names the parameter and the allowed values in errors', () => {
    const bit = thrown(() => createAmdCbitType({ variant: 'sev', maskBit: 63 }));
    expect(bit).toBeInstanceOf(RangeError);
    expect(isCocoError(bit) && bit.code).toBe('MASK_INVALID');
    expect(isCocoError(bit) && bit.input).toBe('amd-cbit parameter maskBit');
    const vtom = thrown(() => createAmdCbitType({ sevStatus: 0x103dfn }));
    expect(isCocoError(vtom) && vtom.code).toBe('PARAMETER_INVALID');
    expect(isCocoError(vtom) && vtom.fix).toContain('@coco/amd-vtom');
    const parsed = thrown(() => createAmdCbitType(JSON.parse('{"variant":"sev","__proto__":{"x":1}}')));
    expect(isCocoError(parsed) && parsed.message).toContain('"__proto__"');
  });

  it('turns a throwing getter or a non-object into a typed error', () => {
    const hostile = Object.defineProperty({}, 'variant', {
      enumerable: true,
      get() {
        throw new TypeError('boom');
      },
    });
    const e = thrown(() => createAmdCbitType(hostile as never));
    expect(isCocoError(e) && e.code).toBe('PARAMETER_INVALID');
    for (const bad of [null, 7, 'sev', []]) {
      const f = thrown(() => amdCbitBackend.createType(bad as never));
      expect(isCocoError(f) && f.code).toBe('PARAMETER_INVALID');
    }
  });
});

describe('amdCbitBackend', () => {
  it('declares the variants with their attributes, conditions and cvm labels', () => {
    expect(amdCbitBackend.packageName).toBe('@coco/amd-cbit');
    const snp = amdCbitBackend.variants.find((v) => v.variant === 'sev-snp');
    expect(snp?.attributes).toEqual([
      'mem-encrypt',
      'guest-mem-encrypt',
      'guest-state-encrypt',
      'guest-sev-snp',
    ]);
    expect(snp?.conditional?.map((c) => c.attribute)).toEqual(['guest-snp-secure-tsc', 'snp-secure-avic']);
    expect(snp?.conditional?.map((c) => c.when).join(' ')).toMatch(/bit 11.*bit 18/);
    expect(amdCbitBackend.variants.map((v) => [v.variant, v.cvm])).toEqual([
      ['sme', 'none'],
      ['sev', 'sev'],
      ['sev-es', 'sev-es'],
      ['sev-snp', 'sev-snp'],
    ]);
  });
});
