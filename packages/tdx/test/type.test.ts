import {
  CocoError,
  CocoRangeError,
  createRegistry,
  deriveType,
  isCocoError,
  PLUGIN_INTERFACE_VERSION,
} from '@coco/core';
import { describe, expect, it } from 'vitest';
import { createTdxType, type TdxParams, tdxBackend } from '../src/index.js';

function thrown(params: unknown): CocoError | CocoRangeError {
  try {
    createTdxType(params as TdxParams);
  } catch (error) {
    if (isCocoError(error)) return error;
    throw error;
  }
  throw new Error('did not throw');
}

describe('createTdxType', () => {
  it('describes itself as the facts sheet words it', () => {
    expect(createTdxType({ gpaw: 52 }).describe()).toBe('Intel TDX, shared bit 51, encrypted when clear');
    expect(createTdxType({ gpaw: 48 }).describe()).toBe('Intel TDX, shared bit 47, encrypted when clear');
    expect(createTdxType({ maskBit: 47 }).describe()).toBe('Intel TDX, shared bit 47, encrypted when clear');
  });

  it('has the TDX attributes and nothing else', () => {
    const t = createTdxType({ gpaw: 52 });
    for (const a of ['mem-encrypt', 'guest-mem-encrypt', 'guest-unroll-string-io'])
      expect(t.attributes.has(a)).toBe(true);
    for (const a of [
      'host-mem-encrypt',
      'guest-state-encrypt',
      'guest-sev-snp',
      'guest-snp-secure-tsc',
      'host-sev-snp',
      'snp-secure-avic',
    ]) {
      expect(t.attributes.has(a), a).toBe(false);
    }
    expect(t).toMatchObject({
      id: 'tdx',
      variant: null,
      title: 'Intel TDX',
      maskName: 'shared bit',
      cvm: 'tdx',
      guest: true,
    });
  });

  it('marks the mask 1 << (gpaw - 1)', () => {
    expect(createTdxType({ gpaw: 52 }).marking?.mask).toBe(0x8000000000000n);
    expect(createTdxType({ gpaw: 48 }).marking?.mask).toBe(0x800000000000n);
  });

  it('records where the bit came from', () => {
    expect(createTdxType({ gpaw: 48 }).details).toEqual([{ name: 'GPAW', value: '48' }]);
    expect(createTdxType({ maskBit: 47 }).details).toEqual([]);
    expect(createTdxType().details).toEqual([]);
  });

  it('without a GPAW says how to supply one, or uses the reason given', () => {
    const unknown = createTdxType();
    expect(unknown.marking).toBeNull();
    expect(unknown.maskUnknownReason).toMatch(/GPAW.*tdx\.gpaw.*--tdx-gpaw/);
    expect(unknown.describe()).toMatch(/^Intel TDX, shared bit unknown \(.*\), encrypted when clear$/);
    expect(createTdxType({ maskUnknownReason: 'the paravisor hides it' }).maskUnknownReason).toBe(
      'the paravisor hides it',
    );
    expect(createTdxType({ gpaw: undefined }).marking).toBeNull();
  });

  it('names the parameter, the allowed values and the fix in each error', () => {
    const gpaw = thrown({ gpaw: 64 });
    expect(gpaw).toBeInstanceOf(CocoError);
    expect(gpaw).toMatchObject({ code: 'PARAMETER_INVALID', input: 'tdx params.gpaw' });
    expect(gpaw.message).toMatch(/gpaw 64 is not 48 or 52/);

    const bit = thrown({ maskBit: 63 });
    expect(bit).toBeInstanceOf(CocoRangeError);
    expect(bit).toMatchObject({ code: 'MASK_INVALID', input: 'type.maskBit' });
    expect(bit.fix).toMatch(/12 to 51/);

    const both = thrown({ gpaw: 48, maskBit: 51 });
    expect(both).toMatchObject({ code: 'PARAMETER_INVALID', input: 'tdx params.maskBit' });
    expect(both.message).toMatch(/maskBit 51 disagrees with gpaw 48 \(bit 47\)/);

    const key = thrown({ gpaw: 52, cbit: 51 });
    expect(key).toMatchObject({ code: 'PARAMETER_INVALID', input: 'tdx params.cbit' });
    expect(key.fix).toBe('use only gpaw, maskBit, maskUnknownReason');

    expect(thrown(JSON.parse('{"__proto__": {"gpaw": 52}}'))).toMatchObject({
      input: 'tdx params.__proto__',
    });
    for (const bad of [null, 52, 'gpaw=52', [], new Map(), new Date()]) {
      expect(thrown(bad), String(bad)).toMatchObject({ code: 'PARAMETER_INVALID', input: 'tdx params' });
    }
    const hostile = Object.defineProperty({}, 'gpaw', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expect(thrown(hostile)).toMatchObject({ code: 'PARAMETER_INVALID', input: 'tdx params' });
    expect(thrown({ gpaw: 52n })).toMatchObject({ code: 'PARAMETER_INVALID' });
    expect(thrown({ maskBit: '47' })).toMatchObject({ code: 'MASK_INVALID' });
  });

  it('can be derived by a composing hypervisor, keeping its attributes', () => {
    const composed = deriveType(createTdxType(), { maskBit: 47 });
    expect(composed.describe()).toBe('Intel TDX, shared bit 47, encrypted when clear');
    expect(composed.attributes.ids).toEqual(['guest-mem-encrypt', 'guest-unroll-string-io', 'mem-encrypt']);
  });
});

describe('tdxBackend', () => {
  it('is a version-1 backend plugin for @coco/tdx with one variant', () => {
    expect(tdxBackend).toMatchObject({
      kind: 'backend',
      id: 'tdx',
      packageName: '@coco/tdx',
      interfaceVersion: PLUGIN_INTERFACE_VERSION,
      variants: [
        {
          variant: null,
          title: 'Intel TDX',
          attributes: ['mem-encrypt', 'guest-mem-encrypt', 'guest-unroll-string-io'],
          cvm: 'tdx',
        },
      ],
    });
    expect(createRegistry().use(tdxBackend).use(tdxBackend).backends).toEqual([tdxBackend]);
  });

  it('builds types through createType with the same validation', () => {
    expect(tdxBackend.createType({ gpaw: 48 }).marking?.maskBit).toBe(47);
    expect(() => tdxBackend.createType({ gpaw: 47 } as never)).toThrow(/gpaw 47/);
  });
});
