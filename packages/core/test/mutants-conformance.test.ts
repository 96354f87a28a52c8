// Tests written from Stryker's mutants (docs/mutation.md): core's own tests never ran the backend
// conformance suite (@coco/core/testing), which the backends run. Here it runs on the toy backend,
// whose marking follows the facts (C-bit style: encrypted = v | mask, decrypted = v & ~mask), and on
// broken copies of it: each check must fail, with its message, when its law is broken.
import {
  type BackendPlugin,
  CocoError,
  type CocoType,
  checkParams,
  createMarking,
  type Evidence,
  EvidenceBuilder,
  emptyEvidence,
  type Marking,
  type TypeParams,
} from '@coco/core';
import { type BackendConformanceSpec, backendConformance } from '@coco/core/testing';
import { describe, expect, it } from 'vitest';
import { toyBackend, toyRegEvidence, toyType } from './fixtures.js';

const U64 = (1n << 64n) - 1n;
const BIT51 = 1n << 51n;
/** MSR 0x1234 holds the toy bit: 0x33 is bit 51. */
const toyEvidence = toyRegEvidence('0x1234=0x33', 'test msr');

/** The toy backend, checking its parameters against its schema as a real backend does. */
const checkedToy: BackendPlugin = {
  ...toyBackend,
  createType: (params) => toyType(checkParams(toyBackend.params, params, 'toy params')),
};

const SPEC: BackendConformanceSpec = {
  plugin: checkedToy,
  types: [
    {
      name: 'bit 51',
      params: { maskBit: 51 },
      variant: null,
      maskBit: 51,
      encryptedWhen: 'set',
      attributes: ['mem-encrypt', 'guest-mem-encrypt'],
      cvm: 'toy',
      // A PTE with address 0x12345000 and flags 0x063: the C-bit style sets bit 51 to encrypt.
      vectors: [{ input: 0x12345063n, encrypted: 0x12345063n | BIT51, decrypted: 0x12345063n }],
    },
    {
      name: 'bit unknown',
      params: {},
      variant: null,
      maskBit: null,
      encryptedWhen: 'set',
      attributes: ['guest-mem-encrypt', 'mem-encrypt'],
    },
  ],
  // Bits 0..63 are the toy schema's range: 64 is refused (core's own range, no x86 12..51 here).
  invalidParams: [{ name: 'bit 64', params: { maskBit: 64 }, mentions: 'maskBit 64' }],
  positive: [{ name: 'the toy register', evidence: toyEvidence, variant: null, maskBit: 51 }],
  negative: [{ name: 'other MSRs', evidence: toyRegEvidence('0x10=0x1', 'test msr') }],
  samples: 20,
};

/** The message of the first failing case whose name ends with `name`, or `passed`. */
function failure(spec: BackendConformanceSpec, name: string): string {
  const found = backendConformance(spec).filter((c) => c.name.endsWith(name));
  expect(found).toHaveLength(1);
  try {
    found[0]?.run();
  } catch (error) {
    return (error as Error).message;
  }
  return 'passed';
}

/** The toy backend with some fields replaced. */
const toy = (fields: Partial<Record<keyof BackendPlugin, unknown>>): BackendPlugin =>
  ({ ...toyBackend, ...fields }) as BackendPlugin;
/** A type like the toy type of bit 51 with some fields replaced (the suite only reads fields). */
const fakeType = (fields: Record<string, unknown>): CocoType =>
  ({ ...toyType({ maskBit: 51 }), ...fields }) as unknown as CocoType;
/** A spec whose bit-51 type comes from `createType`. */
const withType = (createType: (params: TypeParams) => CocoType): BackendConformanceSpec => ({
  ...SPEC,
  plugin: toy({ createType }),
  types: [SPEC.types[0] as BackendConformanceSpec['types'][number]],
});
/** The bit-51 marking with some methods replaced. */
const fakeMarking = (fields: Partial<Record<keyof Marking, unknown>>): Marking =>
  ({ ...createMarking({ maskBit: 51, encryptedWhen: 'set' }), ...fields }) as Marking;
/** The spec without `samples`, for the default. */
const withoutSamples = ({ samples: _, ...rest }: BackendConformanceSpec): BackendConformanceSpec => rest;
const withMarking = (fields: Partial<Record<keyof Marking, unknown>>) =>
  withType(() => fakeType({ marking: fakeMarking(fields) }));

describe('backendConformance on a correct backend', () => {
  it('names every case and passes them all', () => {
    const cases = backendConformance(SPEC);
    expect(cases.map((c) => c.name)).toEqual([
      'toy: declares a supported interface version and registers',
      'toy: refuses a parameter its schema does not name',
      'toy: detects nothing in empty evidence',
      'toy: bit 51: attributes, mask and polarity as the facts say',
      'toy: bit 51: marking laws and vectors',
      'toy: bit unknown: attributes, mask and polarity as the facts say',
      'toy: bit unknown: marking laws and vectors',
      'toy: refuses bit 64',
      'toy: detects the toy register',
      'toy: does not claim other MSRs',
    ]);
    for (const c of cases) c.run();
  });

  it('draws 6 edge values and `samples` more (200 by default), and marks them all in one table', () => {
    const real = createMarking({ maskBit: 51, encryptedWhen: 'set' });
    const seen = new Set<bigint>();
    const lengths: number[] = [];
    const spec = withMarking({
      encrypt: (v: bigint) => {
        seen.add(v);
        return real.encrypt(v);
      },
      count: (e: BigUint64Array) => {
        lengths.push(e.length);
        return real.count(e);
      },
    });
    expect(failure(spec, 'marking laws and vectors')).toBe('passed');
    expect(failure(withoutSamples(spec), 'marking laws and vectors')).toBe('passed');
    expect(lengths).toEqual([6 + 20, 6 + 200]);
    for (const v of [0n, U64, BIT51, U64 ^ BIT51, 0x8000000123456063n, 1n << 63n])
      expect(seen.has(v)).toBe(true);
  });
});

describe('backendConformance: each check fails when its law is broken', () => {
  it('the plugin declaration', () => {
    expect(failure({ ...SPEC, plugin: toy({ interfaceVersion: 99 }) }, 'and registers')).toBe(
      'interfaceVersion 99 is not one this core supports (2; current 2)',
    );
    // Interface 1 loads only through an adapter: a backend that declares it fails too.
    expect(failure({ ...SPEC, plugin: toy({ interfaceVersion: 1 }) }, 'and registers')).toBe(
      'interfaceVersion 1 is not one this core supports (2; current 2)',
    );
    // A backend without a parameter schema is refused by the registry before the suite's own check.
    expect(failure({ ...SPEC, plugin: toy({ params: null }) }, 'and registers')).toBe(
      'plugin "toy": params is not a parameter schema. Fix: declare params: { name: { type, description, ... } } (an empty object when the type takes none)',
    );
    expect(
      failure({ ...SPEC, plugin: toy({ createType: () => toyType({ maskBit: 51 }) }) }, 'does not name'),
    ).toBe('an unknown parameter was accepted');
    expect(
      failure(
        {
          ...SPEC,
          plugin: toy({
            createType: () => {
              throw new Error('no');
            },
          }),
        },
        'does not name',
      ),
    ).toBe('an unknown parameter was accepted');
    expect(failure({ ...SPEC, plugin: toy({ kind: 'hypervisor' }) }, 'and registers')).toBe(
      'kind is not "backend"',
    );
    expect(failure({ ...SPEC, plugin: toy({ variants: [] }) }, 'and registers')).toBe('no variants listed');
  });

  it('empty evidence gives no type and no warning', () => {
    const claims = toy({ detect: () => ({ type: toyType({ maskBit: 51 }) }) });
    expect(failure({ ...SPEC, plugin: claims }, 'detects nothing in empty evidence')).toBe(
      'empty evidence gave a type or a warning',
    );
    const warns = toy({
      detect: (_e: Evidence, context: { warn(m: string): void }) => {
        context.warn('hm');
        return null;
      },
    });
    expect(failure({ ...SPEC, plugin: warns }, 'detects nothing in empty evidence')).toBe(
      'empty evidence gave a type or a warning',
    );
  });

  it('the type: id, variant, polarity, bit, attributes, cvm and description', () => {
    const attrs = 'attributes, mask and polarity as the facts say';
    expect(
      failure(
        withType(() => fakeType({ id: 'other' })),
        attrs,
      ),
    ).toBe('type id other != toy');
    expect(
      failure(
        withType(() => fakeType({ variant: 'v' })),
        attrs,
      ),
    ).toBe('variant v != null');
    expect(
      failure(
        withType(() => fakeType({ encryptedWhen: 'clear' })),
        attrs,
      ),
    ).toBe('encryptedWhen clear != set');
    expect(
      failure(
        withType(() => toyType({ maskBit: 47 })),
        attrs,
      ),
    ).toBe('mask bit 47 != 51');
    const noReason = { ...SPEC, types: [{ ...SPEC.types[1], name: 'x' }] } as BackendConformanceSpec;
    expect(
      failure(
        {
          ...noReason,
          plugin: toy({
            createType: () => fakeType({ marking: null, maskState: 'unknown', maskUnknownReason: '' }),
          }),
        },
        'x: attributes, mask and polarity as the facts say',
      ),
    ).toBe('unknown mask without a reason');
    expect(
      failure(
        {
          ...noReason,
          plugin: toy({
            createType: () => fakeType({ marking: null, maskState: 'unknown', maskUnknownReason: null }),
          }),
        },
        'x: attributes, mask and polarity as the facts say',
      ),
    ).toBe('unknown mask without a reason');
    // The mask's state is checked before the bit, and a known mask has no reason for being unknown.
    expect(
      failure(
        { ...noReason, plugin: toy({ createType: () => fakeType({ marking: null }) }) },
        'x: attributes, mask and polarity as the facts say',
      ),
    ).toBe('maskState known != unknown');
    expect(
      failure(
        withType(() => fakeType({ maskUnknownReason: 'why' })),
        attrs,
      ),
    ).toBe('a reason for a mask that is not unknown');
    const one = { ids: ['mem-encrypt'], has: () => true, size: 1 };
    expect(
      failure(
        withType(() => fakeType({ attributes: one })),
        attrs,
      ),
    ).toBe('attributes [mem-encrypt] != [mem-encrypt,guest-mem-encrypt]');
    const three = { ids: ['mem-encrypt', 'guest-mem-encrypt', 'host-mem-encrypt'], has: () => true, size: 3 };
    expect(
      failure(
        withType(() => fakeType({ attributes: three })),
        attrs,
      ),
    ).toContain('attributes [');
    const deaf = { ids: ['guest-mem-encrypt', 'mem-encrypt'], has: () => false, size: 2 };
    expect(
      failure(
        withType(() => fakeType({ attributes: deaf })),
        attrs,
      ),
    ).toBe('has(mem-encrypt) is false');
    expect(
      failure(
        withType(() => fakeType({ cvm: 'none' })),
        attrs,
      ),
    ).toBe('cvm none != toy');
    expect(
      failure(
        withType(() => fakeType({ describe: () => 'Toy CVM' })),
        attrs,
      ),
    ).toBe('describe() does not name the bit');
  });

  it('the quirks: flush rules as booleans, one page-table change per direction, aligned private MMIO', () => {
    const attrs = 'attributes, mask and polarity as the facts say';
    const base = toyType({ maskBit: 51 }).quirks;
    const quirks = (q: Record<string, unknown>) => withType(() => fakeType({ quirks: { ...base, ...q } }));
    expect(
      failure(
        quirks({ flush: { toShared: { cache: 1, tlb: true }, toPrivate: base.flush.toPrivate } }),
        attrs,
      ),
    ).toBe('flush.toShared is not two booleans');
    expect(
      failure(
        quirks({ flush: { toShared: base.flush.toShared, toPrivate: { cache: true, tlb: 'yes' } } }),
        attrs,
      ),
    ).toBe('flush.toPrivate is not two booleans');
    const step = (kind: string) => ({ kind, detail: kind });
    const protocol = (toShared: unknown[], toPrivate: unknown[]) => ({
      name: 'p',
      mechanism: 'm',
      batchLimit: null,
      batchUnit: 'pages',
      pageSizes: [4096],
      retry: null,
      toShared,
      toPrivate,
    });
    const one = [step('page-table-change'), step('flush-tlb')];
    expect(failure(quirks({ conversion: protocol(one, one) }), attrs)).toBe('passed');
    expect(failure(quirks({ conversion: protocol([step('flush-tlb')], one) }), attrs)).toBe(
      'conversion.toShared has 0 page-table-change steps, not 1',
    );
    expect(failure(quirks({ conversion: protocol(one, [...one, step('page-table-change')]) }), attrs)).toBe(
      'conversion.toPrivate has 2 page-table-change steps, not 1',
    );
    const mmio = (start: bigint, size: bigint) => [{ name: 'apic', start, size, reason: 'r' }];
    expect(failure(quirks({ privateMmio: mmio(0xfee00000n, 4096n) }), attrs)).toBe('passed');
    expect(failure(quirks({ privateMmio: mmio(0xfee00010n, 4096n) }), attrs)).toBe(
      'private MMIO apic is not page aligned',
    );
    expect(failure(quirks({ privateMmio: mmio(0xfee00000n, 0n) }), attrs)).toBe(
      'private MMIO apic is not page aligned',
    );
  });

  it('the marking laws', () => {
    const laws = 'bit 51: marking laws and vectors';
    const m = createMarking({ maskBit: 51, encryptedWhen: 'set' });
    // Toggling the bit to decrypt: decrypt(encrypt(0)) is 0, decrypt(0) is the mask.
    expect(failure(withMarking({ decrypt: (v: bigint) => v ^ BIT51 }), laws)).toBe(
      'decrypt(encrypt(0x0)) != decrypt(v)',
    );
    // Toggling to encrypt: encrypt(decrypt(all ones)) is all ones, encrypt(all ones) is not.
    expect(failure(withMarking({ encrypt: (v: bigint) => v ^ BIT51 }), laws)).toBe(
      'encrypt(decrypt(0xffffffffffffffff)) != encrypt(v)',
    );
    expect(failure(withMarking({ isEncrypted: () => false }), laws)).toBe('isEncrypted is wrong for 0x0');
    expect(failure(withMarking({ isEncrypted: () => true }), laws)).toBe('isEncrypted is wrong for 0x0');
    expect(
      failure(
        withMarking({ encrypt: (v: bigint) => (v | BIT51) & ~1n, decrypt: (v: bigint) => v & ~BIT51 & ~1n }),
        laws,
      ),
    ).toBe('marking 0xffffffffffffffff changed another bit');
    expect(
      failure(
        withMarking({ encrypt: (v: bigint) => v | BIT51 | 2n, decrypt: (v: bigint) => (v & ~BIT51) | 2n }),
        laws,
      ),
    ).toBe('marking 0x0 changed another bit');
    // The TDX style (clear to encrypt) under a type that says `set`.
    const clear = createMarking({ maskBit: 51, encryptedWhen: 'clear' });
    expect(
      failure(
        withMarking({ encrypt: clear.encrypt, decrypt: clear.decrypt, isEncrypted: clear.isEncrypted }),
        laws,
      ),
    ).toBe('encrypt(0x0) has the wrong polarity');
    expect(failure(withMarking({ encryptAll: (e: BigUint64Array) => e }), laws)).toBe(
      'encryptAll differs from encrypt at 0',
    );
    expect(failure(withMarking({ count: () => ({ encrypted: 0, decrypted: 26 }) }), laws)).toBe(
      'count after encryptAll is wrong',
    );
    expect(
      failure(withMarking({ count: (e: BigUint64Array) => ({ encrypted: e.length, decrypted: 1 }) }), laws),
    ).toBe('count after encryptAll is wrong');
    expect(
      failure(
        withMarking({ count: (e: BigUint64Array) => ({ encrypted: e.length - 1, decrypted: 0 }) }),
        laws,
      ),
    ).toBe('count after encryptAll is wrong');
    expect(failure(withMarking({ decryptAll: (e: BigUint64Array) => m.decryptAll(e) }), laws)).toBe(
      'decryptAll over a range differs from decrypt at 0',
    );
    expect(
      failure(withMarking({ decryptAll: (e: BigUint64Array, s: number) => m.decryptAll(e, s) }), laws),
    ).toBe(`decryptAll over a range differs from decrypt at ${6 + 20 - 1}`);
    expect(failure(withMarking({ decryptAll: (e: BigUint64Array) => e }), laws)).toBe(
      'decryptAll over a range differs from decrypt at 1',
    );
    const lenient = (v: bigint) => (v < 0n ? v : v | BIT51);
    expect(failure(withMarking({ encrypt: (v: bigint) => (v < 0n ? v : m.encrypt(v)) }), laws)).toBe(
      'encrypt(-1) did not throw a coco RangeError',
    );
    expect(failure(withMarking({ encrypt: (v: bigint) => (v > U64 ? v : m.encrypt(v)) }), laws)).toBe(
      `encrypt(${1n << 64n}) did not throw a coco RangeError`,
    );
    const plainRange = (v: bigint) => {
      if (v < 0n || v > U64) throw new RangeError('out of range');
      return lenient(v);
    };
    expect(failure(withMarking({ encrypt: plainRange }), laws)).toBe(
      'encrypt(-1) did not throw a coco RangeError',
    );
    const cocoNotRange = (v: bigint) => {
      if (v < 0n || v > U64) throw new CocoError('PARAMETER_INVALID', 'no', { input: 'v', fix: 'f' });
      return lenient(v);
    };
    expect(failure(withMarking({ encrypt: cocoNotRange }), laws)).toBe(
      'encrypt(-1) did not throw a coco RangeError',
    );
  });

  it('the vectors', () => {
    const laws = 'bit 51: marking laws and vectors';
    const spec = (vector: { input: bigint; encrypted: bigint; decrypted: bigint }) => ({
      ...SPEC,
      types: [{ ...(SPEC.types[0] as BackendConformanceSpec['types'][number]), vectors: [vector] }],
    });
    expect(failure(spec({ input: 0x1000n, encrypted: 0x1000n, decrypted: 0x1000n }), laws)).toBe(
      'encrypt(0x1000) = 0x8000000001000, want 0x1000',
    );
    expect(
      failure(spec({ input: 0x1000n | BIT51, encrypted: 0x1000n | BIT51, decrypted: 0x1000n | BIT51 }), laws),
    ).toBe('decrypt(0x8000000001000) = 0x1000, want 0x8000000001000');
    const unknown = {
      ...SPEC,
      types: [
        {
          ...(SPEC.types[1] as BackendConformanceSpec['types'][number]),
          vectors: [{ input: 0n, encrypted: 0n, decrypted: 0n }],
        },
      ],
    };
    expect(failure(unknown, 'bit unknown: marking laws and vectors')).toBe(
      'vectors given for a type without a marking',
    );
  });

  it('refused parameters: a coco error of a parameter code, naming what it must', () => {
    const refuses = (createType: (params: TypeParams) => CocoType) =>
      failure({ ...SPEC, plugin: toy({ createType }) }, 'refuses bit 64');
    expect(refuses(() => toyType({ maskBit: 51 }))).toBe('createType(bit 64) did not throw a coco error');
    expect(
      refuses(() => {
        throw new RangeError('maskBit 64');
      }),
    ).toBe('createType(bit 64) did not throw a coco error');
    expect(
      refuses(() => {
        throw new CocoError('SNAPSHOT_INVALID', 'maskBit 64', { input: 'p', fix: 'f' });
      }),
    ).toBe('code SNAPSHOT_INVALID');
    expect(
      refuses(() => {
        throw new CocoError('PARAMETER_INVALID', 'maskBit 64', { input: 'p', fix: 'f' });
      }),
    ).toBe('passed');
    expect(
      refuses(() => {
        throw new CocoError('PARAMETER_INVALID', 'bad', { input: 'p', fix: 'f' });
      }),
    ).toBe('message "p: bad. Fix: f" does not mention maskBit 64');
  });

  it('detection of positive and negative evidence', () => {
    const positive = 'detects the toy register';
    expect(failure({ ...SPEC, plugin: toy({ detect: () => null }) }, positive)).toBe(
      'detected nothing; warnings: ',
    );
    const throws = toy({
      detect: () => {
        throw new Error('boom');
      },
    });
    expect(failure({ ...SPEC, plugin: throws }, positive)).toBe(
      'detected nothing; warnings: plugin toy (toy-backend) failed during detection and was skipped: boom',
    );
    const wrongVariant = {
      ...SPEC,
      positive: [{ ...SPEC.positive[0], variant: 'v' }],
    } as BackendConformanceSpec;
    expect(failure(wrongVariant, positive)).toBe('variant null != v');
    const wrongBit = { ...SPEC, positive: [{ ...SPEC.positive[0], maskBit: 47 }] } as BackendConformanceSpec;
    expect(failure(wrongBit, positive)).toBe('mask bit 51 != 47');
    const silent = toy({ detect: () => ({ type: toyType({ maskBit: 51 }) }) });
    expect(failure({ ...SPEC, plugin: silent }, positive)).toBe('no reasoning step from the plugin');
    const negative = { ...SPEC, negative: [{ name: 'the toy register', evidence: toyEvidence }] };
    expect(failure(negative, 'does not claim the toy register')).toBe('claimed the toy register');
    expect(
      failure(
        { ...SPEC, negative: [{ name: 'nothing', evidence: emptyEvidence() }] },
        'does not claim nothing',
      ),
    ).toBe('passed');
    expect(new EvidenceBuilder().build().kinds.size).toBe(0);
  });
});
