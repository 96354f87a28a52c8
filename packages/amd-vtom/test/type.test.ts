import { ATTRIBUTES, deriveType, isCocoError } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { AMD_VTOM_QUIRKS, amdVtomBackend, createAmdVtomType } from '../src/index.js';

function errorOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('createAmdVtomType', () => {
  it('gives exactly mem-encrypt and guest-mem-encrypt for the Azure status 0x103df', () => {
    // 0x103df = bits 0-4, 6-9 and 16; the C-bit rules would add guest-state-encrypt and guest-sev-snp,
    // but the kernel checks vTOM (bit 3) first (facts §2).
    const type = createAmdVtomType({ sevStatus: 0x103dfn });
    expect([...type.attributes]).toEqual(['guest-mem-encrypt', 'mem-encrypt']);
    const others = ATTRIBUTES.map((a) => a.id).filter(
      (id) => id !== 'mem-encrypt' && id !== 'guest-mem-encrypt',
    );
    expect(others).toHaveLength(7);
    for (const id of others) expect(type.attributes.has(id)).toBe(false);
  });

  it('keeps the same attributes whatever other status bits are set', () => {
    // SecureTSC (bit 11) and SecureAVIC (bit 18) give attributes only to C-bit guests.
    const type = createAmdVtomType({ sevStatus: 0x4080fn });
    expect(type.attributes.ids).toEqual(['guest-mem-encrypt', 'mem-encrypt']);
  });

  it('shows the status, its vTOM bit and the boundary', () => {
    const type = createAmdVtomType({ sevStatus: 0x103dfn, boundary: 0x400000000000n });
    expect(type.details).toEqual([
      { name: 'SEV status', value: '0x103df, vTOM (bit 3) set' },
      { name: 'vTOM boundary', value: '0x400000000000 (bit 46)' },
    ]);
  });

  it('describes itself in one line', () => {
    expect(createAmdVtomType({ maskBit: 46 }).describe()).toBe(
      'AMD SEV-SNP with vTOM, vTOM bit 46, encrypted when clear',
    );
    expect(createAmdVtomType().describe()).toContain('vTOM bit unknown');
  });

  it('has an unknown mask with the Hyper-V hint when no boundary is given', () => {
    const type = createAmdVtomType({});
    expect(type.marking).toBeNull();
    expect(type.encryptedWhen).toBe('clear');
    expect(type.maskUnknownReason).toContain('0x4000000C');
    expect(type.maskUnknownReason).toContain('@coco/hyperv');
  });

  it('takes a composing hypervisor reason for the unknown mask', () => {
    const type = createAmdVtomType({ maskUnknownReason: 'boundary not active' });
    expect(type.maskUnknownReason).toBe('boundary not active');
    expect(type.details.at(-1)?.value).toBe('unknown: boundary not active');
  });

  it('marks the page-table entry 0x8000000123456063 under bit 46 and bit 47', () => {
    const b46 = createAmdVtomType({ boundary: 0x400000000000n }).marking!;
    expect(b46.mask).toBe(0x400000000000n);
    expect(b46.decrypt(0x8000000123456063n)).toBe(0x8000400123456063n);
    expect(b46.encrypt(0x8000400123456063n)).toBe(0x8000000123456063n);
    expect(b46.isEncrypted(0x8000000123456063n)).toBe(true);
    const b47 = createAmdVtomType({ maskBit: 47 }).marking!;
    expect(b47.decrypt(0x8000000123456063n)).toBe(0x8000800123456063n);
    expect(b47.isEncrypted(0x8000800123456063n)).toBe(false);
  });

  it('derives cvm as systemd-detect-virt --cvm reads the status MSR', () => {
    expect(createAmdVtomType().cvm).toBe('sev-snp');
    expect(createAmdVtomType({ sevStatus: 0x103dfn }).cvm).toBe('sev-snp');
    expect(createAmdVtomType({ sevStatus: 0xbn }).cvm).toBe('sev-es'); // bits 0, 1, 3
    expect(createAmdVtomType({ sevStatus: 0x9n }).cvm).toBe('sev'); // bits 0, 3
    // The kernel's own view on Hyper-V (exactly bit 3) is never what systemd reads.
    expect(createAmdVtomType({ sevStatus: 0x8n }).cvm).toBe('sev-snp');
  });

  it('has the quirks of vTOM itself', () => {
    const q = createAmdVtomType({ maskBit: 46 }).quirks;
    expect(q).toEqual(AMD_VTOM_QUIRKS);
    expect(q.privateMmio).toEqual([]);
    expect(q.conversion).toBeNull();
    expect(q.unrollStringIo).toBe(false);
    expect(q.flush.toShared).toEqual({ cache: false, tlb: true });
    expect(q.flush.toPrivate).toEqual({ cache: false, tlb: true });
    expect(q.notes.some((n) => n.includes('the hypervisor supplies it'))).toBe(true);
    expect(Object.isFrozen(q.flush.toShared)).toBe(true);
  });

  it('lets a hypervisor derive it with its boundary, keeping the attributes', () => {
    const derived = deriveType(createAmdVtomType(), { maskBit: 46 });
    expect(derived.marking?.maskBit).toBe(46);
    expect(derived.attributes.ids).toEqual(['guest-mem-encrypt', 'mem-encrypt']);
  });

  it('accepts undefined and null as "not given"', () => {
    expect(createAmdVtomType({ maskBit: undefined, boundary: undefined }).marking).toBeNull();
    expect(
      amdVtomBackend.createType({ maskBit: null, boundary: 0x800000000000n } as never).marking?.maskBit,
    ).toBe(47);
  });
});

describe('createAmdVtomType errors', () => {
  it('names the parameter, the value and the allowed values', () => {
    const error = errorOf(() => createAmdVtomType({ boundary: 0x3000n }));
    expect(isCocoError(error)).toBe(true);
    expect(error).toBeInstanceOf(RangeError);
    expect(error).toMatchObject({ code: 'MASK_INVALID', input: 'amd-vtom params.boundary' });
    const e = error as Error & { fix: string };
    expect(e.message).toContain('0x3000');
    expect(e.fix).toContain('0x1000n (bit 12) to 0x8000000000000n (bit 51)');
  });

  it('refuses a maskBit outside 12..51 with the range', () => {
    for (const maskBit of [11, 52, -1, 64]) {
      const error = errorOf(() => createAmdVtomType({ maskBit }));
      expect(error).toMatchObject({
        code: 'MASK_INVALID',
        input: 'amd-vtom params.maskBit',
        fix: 'use an integer from 12 to 51',
      });
    }
  });

  it('refuses values of the wrong kind with PARAMETER_INVALID', () => {
    // A number is not a one-bit bigint mask: core's mask check refuses it.
    expect(errorOf(() => amdVtomBackend.createType({ boundary: 0x400000000000 } as never))).toMatchObject({
      code: 'MASK_INVALID',
      input: 'amd-vtom params.boundary',
    });
    expect(errorOf(() => amdVtomBackend.createType({ sevStatus: '0x103df' } as never))).toMatchObject({
      code: 'PARAMETER_INVALID',
      input: 'amd-vtom params.sevStatus',
    });
    expect(errorOf(() => amdVtomBackend.createType({ maskUnknownReason: ' ' }))).toMatchObject({
      code: 'PARAMETER_INVALID',
    });
    expect(errorOf(() => amdVtomBackend.createType([] as never))).toMatchObject({
      code: 'PARAMETER_INVALID',
    });
    expect(errorOf(() => amdVtomBackend.createType(42 as never))).toMatchObject({
      code: 'PARAMETER_INVALID',
    });
  });

  it('refuses a sevStatus without bit 3, or wider than 64 bits', () => {
    const error = errorOf(() => createAmdVtomType({ sevStatus: 0x7n })) as Error;
    expect(error).toMatchObject({ code: 'PARAMETER_INVALID', input: 'amd-vtom params.sevStatus' });
    expect(error.message).toContain('bit 3 (vTOM) clear');
    expect((error as Error & { fix: string }).fix).toContain('amd-cbit');
    expect(errorOf(() => createAmdVtomType({ sevStatus: 1n << 64n }))).toMatchObject({
      code: 'VALUE_OUT_OF_RANGE',
    });
    expect(errorOf(() => createAmdVtomType({ sevStatus: -8n }))).toBeInstanceOf(RangeError);
  });

  it('refuses a reason next to a known boundary', () => {
    expect(errorOf(() => createAmdVtomType({ maskBit: 46, maskUnknownReason: 'why' }))).toMatchObject({
      code: 'PARAMETER_INVALID',
      input: 'amd-vtom params.maskUnknownReason',
    });
  });

  it('turns a throwing getter into a typed error', () => {
    const hostile = Object.defineProperty({}, 'maskBit', {
      enumerable: true,
      get() {
        throw new TypeError('boom');
      },
    });
    expect(errorOf(() => createAmdVtomType(hostile))).toMatchObject({
      code: 'PARAMETER_INVALID',
      input: 'amd-vtom params',
    });
  });

  it('refuses unknown keys, including __proto__, naming the allowed ones', () => {
    const error = errorOf(() => amdVtomBackend.createType(JSON.parse('{"__proto__": {"maskBit": 46}}')));
    expect(error).toMatchObject({ code: 'PARAMETER_INVALID' });
    expect((error as Error).message).toContain('"__proto__"');
    expect((error as { fix: string }).fix).toBe(
      'use an object with only maskBit, boundary, sevStatus, maskUnknownReason',
    );
  });
});
