// Tests written from Stryker's mutants (docs/mutation.md): typed backend parameters (interface 2:
// `params: ParamSchema`, checkParams, parseParam, describeParam, the schema check) and the hex
// readers plugins use for their facts, each refusal word for word.
import {
  checkParamSchema,
  checkParams,
  describeParam,
  type ParamSchema,
  parseHex,
  parseHex32,
  parseParam,
} from '@coco/core';
import { describe, expect, it } from 'vitest';
import { refusal } from './fixtures.js';

const SCHEMA = {
  maskBit: { type: 'integer', min: 0, max: 63, description: 'the bit' },
  gpaw: { type: 'integer', min: 0, max: 64, values: [48, 52], description: 'the width' },
  vtom: { type: 'bigint', min: 0x1000n, max: 0xffff_ffffn, description: 'the top' },
  mask: { type: 'bigint', description: 'any 64 bits' },
  variant: { type: 'enum', values: ['sev', 'sev-es'], description: 'the variant' },
  paravisor: { type: 'boolean', description: 'behind a paravisor' },
  note: { type: 'string', description: 'a note' },
} as const satisfies ParamSchema;
const REQUIRED = {
  level: { type: 'integer', min: 1, max: 3, required: true, description: 'the level' },
} as const;

describe('checkParams', () => {
  it('takes each type inside its range, and returns a frozen copy without a prototype', () => {
    const given = {
      maskBit: 63,
      gpaw: 52,
      vtom: 0x1000n,
      mask: (1n << 64n) - 1n,
      variant: 'sev-es',
      paravisor: false,
      note: 'n'.repeat(200),
    };
    const out = checkParams(SCHEMA, given, 'p');
    expect({ ...out }).toEqual(given);
    expect(out).not.toBe(given);
    expect(Object.isFrozen(out)).toBe(true);
    expect(Object.getPrototypeOf(out)).toBe(null);
    expect({
      ...checkParams(SCHEMA, { maskBit: 0, vtom: 0xffff_ffffn, mask: 0n, paravisor: true }, 'p'),
    }).toEqual({
      maskBit: 0,
      vtom: 0xffff_ffffn,
      mask: 0n,
      paravisor: true,
    });
    // No parameters at all, undefined values skipped, null for "not known" on an optional one.
    expect({ ...checkParams(SCHEMA, undefined, 'p') }).toEqual({});
    expect({ ...checkParams(SCHEMA, null, 'p') }).toEqual({});
    expect({ ...checkParams(SCHEMA, { maskBit: undefined, gpaw: null }, 'p') }).toEqual({ gpaw: null });
  });

  it('refuses each type outside its range, saying what it accepts', () => {
    const bad = (name: string, value: unknown) =>
      refusal(() => checkParams(SCHEMA, { [name]: value }, 'toy'));
    expect(bad('maskBit', 64)).toEqual({
      code: 'PARAMETER_INVALID',
      input: 'toy.maskBit',
      location: undefined,
      problem: 'maskBit 64 is not valid',
      fix: 'give an integer from 0 to 63 (the bit)',
    });
    for (const v of [-1, 1.5, '5', 5n])
      expect(bad('maskBit', v).problem).toMatch(/^maskBit .* is not valid$/);
    expect(bad('gpaw', 50).fix).toBe('give one of 48, 52 (the width)');
    expect(bad('vtom', 0xfffn).fix).toBe('give a bigint from 0x1000 to 0xffffffff (the top)');
    expect(bad('vtom', 0x1_0000_0000n).problem).toBe('vtom 0x100000000 is not valid');
    expect(bad('vtom', 0x2000).problem).toBe('vtom 8192 is not valid');
    expect(bad('mask', 1n << 64n).fix).toBe('give a bigint from 0x0 to 0xffffffffffffffff (any 64 bits)');
    expect(bad('mask', -1n).input).toBe('toy.mask');
    expect(bad('variant', 'snp')).toMatchObject({
      problem: 'variant "snp" is not valid',
      fix: 'give one of sev, sev-es (the variant)',
    });
    expect(bad('variant', 5).problem).toBe('variant 5 is not valid');
    expect(bad('paravisor', 'true')).toMatchObject({
      problem: 'paravisor "true" is not valid',
      fix: 'give true or false (behind a paravisor)',
    });
    expect(bad('note', 'n'.repeat(201))).toMatchObject({
      input: 'toy.note',
      fix: 'give a text of at most 200 characters (a note)',
    });
    expect(bad('note', 5).problem).toBe('note 5 is not valid');
    // A spec of a type no schema check would let through is never valid.
    expect(
      refusal(() => checkParams({ x: { type: 'date', description: 'd' } } as never, { x: 'today' }, 'p'))
        .problem,
    ).toBe('x "today" is not valid');
  });

  it('refuses an unknown name, a value that is no object, a throwing getter, a missing required one', () => {
    expect(refusal(() => checkParams(SCHEMA, { bit: 5 }, 'toy'))).toEqual({
      code: 'PARAMETER_INVALID',
      input: 'toy',
      location: undefined,
      problem: 'unknown parameter "bit"',
      fix: 'use only maskBit, gpaw, vtom, mask, variant, paravisor, note',
    });
    expect(refusal(() => checkParams({}, { bit: 5 }, 'toy')).fix).toBe('this type takes no parameters');
    // Own fields only: a name polluted onto the prototype is neither read nor known.
    expect(
      refusal(() => checkParams(Object.create({ bit: SCHEMA.maskBit }), { bit: 5 }, 'toy')).problem,
    ).toBe('unknown parameter "bit"');
    expect({ ...checkParams(SCHEMA, Object.create({ maskBit: 99 }), 'p') }).toEqual({});
    for (const [params, shown] of [
      [5, '5'],
      ['maskBit=5', '"maskBit=5"'],
      [[51], 'an array'],
    ] as const) {
      expect(refusal(() => checkParams(SCHEMA, params, 'toy'))).toEqual({
        code: 'PARAMETER_INVALID',
        input: 'toy',
        location: undefined,
        problem: `${shown} is not a parameter object`,
        fix: 'pass an object with maskBit, gpaw, vtom, mask, variant, paravisor, note',
      });
    }
    expect(refusal(() => checkParams({}, 5, 'toy')).fix).toBe('pass an object with no fields');
    const unreadable = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no');
        },
      },
    );
    expect(refusal(() => checkParams(SCHEMA, unreadable, 'toy'))).toEqual({
      code: 'PARAMETER_INVALID',
      input: 'toy',
      location: undefined,
      problem: 'the parameters could not be read',
      fix: 'pass a plain object',
    });
    const getter = {
      get maskBit() {
        throw new Error('no');
      },
    };
    expect(refusal(() => checkParams(SCHEMA, getter, 'toy'))).toMatchObject({
      input: 'toy.maskBit',
      problem: 'maskBit "a throwing getter" is not valid',
    });
    expect(refusal(() => checkParams(REQUIRED, {}, 'toy'))).toEqual({
      code: 'PARAMETER_INVALID',
      input: 'toy.level',
      location: undefined,
      problem: 'level is missing',
      fix: 'give an integer from 1 to 3 (the level)',
    });
    expect(refusal(() => checkParams(REQUIRED, { level: null }, 'toy')).problem).toBe(
      'level null is not valid',
    );
    expect({ ...checkParams(REQUIRED, { level: 2 }, 'toy') }).toEqual({ level: 2 });
  });
});

describe('parseParam', () => {
  it('reads each type from command-line text', () => {
    expect(parseParam(SCHEMA, 'maskBit', '51')).toBe(51);
    expect(parseParam(SCHEMA, 'maskBit', '0')).toBe(0);
    expect(parseParam(SCHEMA, 'maskBit', '0x33')).toBe(51);
    expect(parseParam(SCHEMA, 'mask', '0x8000000000000000')).toBe(1n << 63n);
    expect(parseParam(SCHEMA, 'mask', '18446744073709551615')).toBe((1n << 64n) - 1n);
    expect(parseParam(SCHEMA, 'mask', '0')).toBe(0n);
    expect(parseParam(SCHEMA, 'paravisor', 'true')).toBe(true);
    expect(parseParam(SCHEMA, 'paravisor', 'false')).toBe(false);
    expect(parseParam(SCHEMA, 'variant', 'sev')).toBe('sev');
    expect(parseParam(SCHEMA, 'note', 'any text')).toBe('any text');
  });

  it('refuses text that is not of the type, naming the text as given', () => {
    expect(refusal(() => parseParam(SCHEMA, 'maskBit', '051'))).toEqual({
      code: 'PARAMETER_INVALID',
      input: '--param maskBit',
      location: undefined,
      problem: 'maskBit "051" is not valid',
      fix: 'give an integer from 0 to 63 (the bit)',
    });
    for (const text of ['-1', '1.5', '64', '0x', 'fifty', ' 5']) {
      expect(refusal(() => parseParam(SCHEMA, 'maskBit', text, 'pte')).input, text).toBe('pte');
    }
    for (const text of ['-1', '0x10000000000000000', '1e3', 'TRUE']) {
      expect(refusal(() => parseParam(SCHEMA, 'mask', text)).problem, text).toBe(
        `mask ${JSON.stringify(text)} is not valid`,
      );
    }
    for (const text of ['TRUE', '1', 'yes', '']) {
      expect(refusal(() => parseParam(SCHEMA, 'paravisor', text)).problem, text).toBe(
        `paravisor ${JSON.stringify(text)} is not valid`,
      );
    }
    expect(refusal(() => parseParam(SCHEMA, 'variant', 'snp')).fix).toBe(
      'give one of sev, sev-es (the variant)',
    );
    expect(refusal(() => parseParam(SCHEMA, 'bit', '5'))).toEqual({
      code: 'PARAMETER_INVALID',
      input: '--param bit',
      location: undefined,
      problem: 'unknown parameter "bit"',
      fix: 'use only maskBit, gpaw, vtom, mask, variant, paravisor, note',
    });
    expect(refusal(() => parseParam({}, 'bit', '5')).fix).toBe('this type takes no parameters');
  });
});

describe('describeParam', () => {
  it('says what each type accepts', () => {
    expect(describeParam(SCHEMA.maskBit)).toBe('an integer from 0 to 63');
    expect(describeParam(SCHEMA.gpaw)).toBe('one of 48, 52');
    expect(describeParam(SCHEMA.vtom)).toBe('a bigint from 0x1000 to 0xffffffff');
    expect(describeParam(SCHEMA.mask)).toBe('a bigint from 0x0 to 0xffffffffffffffff');
    expect(describeParam(SCHEMA.variant)).toBe('one of sev, sev-es');
    expect(describeParam(SCHEMA.paravisor)).toBe('true or false');
    expect(describeParam(SCHEMA.note)).toBe('a text of at most 200 characters');
  });
});

describe('checkParamSchema', () => {
  it('takes every type, and returns the schema itself', () => {
    expect(checkParamSchema(SCHEMA, 'plugin "toy"')).toBe(SCHEMA);
    expect(checkParamSchema({}, 'plugin "toy"')).toEqual({});
  });

  it('refuses what is not a schema, and each malformed parameter by name', () => {
    for (const schema of [null, 5, 'x', []]) {
      expect(refusal(() => checkParamSchema(schema, 'plugin "toy"'))).toEqual({
        code: 'PLUGIN_INVALID',
        input: 'plugin "toy"',
        location: undefined,
        problem: 'params is not a parameter schema',
        fix: 'declare params: { name: { type, description, ... } }',
      });
    }
    const fix =
      'give each parameter a camelCase name, a type (integer, bigint, enum, boolean, string) and a description';
    for (const [name, spec] of [
      ['MaskBit', SCHEMA.maskBit],
      ['mask-bit', SCHEMA.maskBit],
      [`m${'a'.repeat(41)}`, SCHEMA.maskBit],
      ['bit', null],
      ['bit', 5],
      ['bit', { type: 'date', description: 'd' }],
      ['bit', { type: 'boolean' }],
      ['bit', { type: 'integer', min: 0, description: 'd' }],
      ['bit', { type: 'integer', min: 0.5, max: 3, description: 'd' }],
      ['variant', { type: 'enum', description: 'd' }],
      ['variant', { type: 'enum', values: ['a', 5], description: 'd' }],
    ] as const) {
      expect(
        refusal(() => checkParamSchema({ [name]: spec }, 'plugin "toy"')),
        name,
      ).toEqual({
        code: 'PLUGIN_INVALID',
        input: 'plugin "toy"',
        location: undefined,
        problem: `parameter ${JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name)} is not a valid spec`,
        fix,
      });
    }
    // The longest name, 41 characters, and an enum of words only.
    expect(() => checkParamSchema({ [`m${'a'.repeat(40)}`]: SCHEMA.maskBit }, 'p')).not.toThrow();
    expect(() => checkParamSchema({ v: { type: 'enum', values: [], description: 'd' } }, 'p')).not.toThrow();
  });
});

describe('hex readers', () => {
  const where = { input: 'snapshot', location: '$.x', code: 'SNAPSHOT_INVALID' } as const;

  it('read 0x-prefixed hex of at most 32 or 64 bits, leading zeros allowed', () => {
    expect(parseHex('0x1f', 64, where)).toBe(0x1fn);
    expect(parseHex('0X1F', 64, where)).toBe(0x1fn);
    expect(parseHex(`0x${'0'.repeat(48)}ffffffffffffffff`, 64, where)).toBe((1n << 64n) - 1n);
    expect(parseHex('0xffffffff', 32, where)).toBe(0xffff_ffffn);
    expect(parseHex32('0xffffffff', where)).toBe(0xffff_ffff);
    expect(parseHex32('0x0', where)).toBe(0);
  });

  it('refuse what is not hex, or wider than its register, naming the input and location', () => {
    for (const [text, shown] of [
      ['1f', '"1f"'],
      ['0x', '"0x"'],
      ['0x1g', '"0x1g"'],
      [' 0x1', '" 0x1"'],
      [31, '31'],
      [null, 'null'],
      [`0x${'1'.repeat(65)}`, `"0x${'1'.repeat(38)}…"`],
    ] as const) {
      expect(refusal(() => parseHex(text, 32, where))).toEqual({
        code: 'SNAPSHOT_INVALID',
        input: 'snapshot',
        location: '$.x',
        problem: `${shown} is not a 0x-prefixed hex number`,
        fix: 'write a hex string such as "0x1f" (at most 32 bits)',
      });
    }
    expect(refusal(() => parseHex('zz', 64, where)).fix).toBe(
      'write a hex string such as "0x1f" (at most 64 bits)',
    );
    expect(refusal(() => parseHex32('0x100000000', where))).toEqual({
      code: 'VALUE_OUT_OF_RANGE',
      input: 'snapshot',
      location: '$.x',
      problem: '0x100000000 is wider than 32 bits',
      fix: 'use a value from 0x0 to 0xffffffff',
    });
    expect(refusal(() => parseHex('0x10000000000000000', 64, where))).toEqual({
      code: 'VALUE_OUT_OF_RANGE',
      input: 'snapshot',
      location: '$.x',
      problem: '0x10000000000000000 is wider than 64 bits',
      fix: 'use a value from 0x0 to 0xffffffffffffffff',
    });
  });
});
