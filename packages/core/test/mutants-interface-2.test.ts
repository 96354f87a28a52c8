// Tests written from Stryker's mutants (docs/mutation.md) that no core test covered, all in what
// interface 2 added: format-1 keys converted by the fact kinds' legacy readers (and what happens
// when a reader fails), the flags-only cpuinfo of a snapshot, fact-kind shapes and canonical JSON,
// entry formats, extra quirks, types without a bit, and the conformance suite's newer checks.
import {
  type BackendPlugin,
  CocoError,
  createMarking,
  createRegistry,
  createType,
  deriveType,
  EvidenceBuilder,
  type FactKind,
  parseSnapshot,
  resolveLegacy,
  toSnapshot,
} from '@coco/core';
import { type BackendConformanceSpec, backendConformance } from '@coco/core/testing';
import { describe, expect, it } from 'vitest';
import { refusal, TOY_FACTS, TOY_REG, toyBackend, toyRegEvidence, toyType } from './fixtures.js';

/** A kind whose format-1 reader fails as `fail` says. */
const failing = (fail: () => never): FactKind =>
  ({ ...TOY_REG, legacy: { key: 'reg', read: fail, write: TOY_REG.legacy?.write } }) as FactKind;

describe('format-1 keys', () => {
  it('wait for the kinds that read them, then become their facts; others are left out with a warning', () => {
    const waiting = parseSnapshot(
      '{"format":"coco-snapshot/1","reg":{"0x1234":"0x33"},"zap":1,"unavailable":[{"source":"/dev/toy","kind":"reg","reason":"r","fix":"f"}]}',
      { source: 's.json', factKinds: [] },
    );
    expect(waiting.fact(TOY_REG, '0x1234')).toBeUndefined();
    expect(resolveLegacy(waiting, [])).not.toBe(waiting);
    const e = resolveLegacy(waiting, TOY_FACTS);
    expect(e.fact(TOY_REG, '0x1234')).toEqual({ value: 0x33n, source: 'snapshot s.json' });
    expect(e.kinds.has('toy.reg')).toBe(true);
    expect(e.legacy.size).toBe(0);
    expect(e.unavailable).toEqual([{ source: '/dev/toy', kind: 'toy.reg', reason: 'r', fix: 'f' }]);
    expect(e.warnings).toEqual([
      'snapshot s.json: key "zap" of coco-snapshot/1 is read by no registered plugin: ignored',
    ]);
    // Evidence without format-1 keys comes back as it is.
    const plain = toyRegEvidence('0x1=0x2', 's');
    expect(resolveLegacy(plain, TOY_FACTS)).toBe(plain);
  });

  it('a reader that throws is an error naming the key, the source and the format', () => {
    const waiting = parseSnapshot('{"format":"coco-snapshot/1","reg":5}', {
      source: 's.json',
      factKinds: [],
    });
    expect(
      refusal(() =>
        resolveLegacy(waiting, [
          failing(() => {
            throw new Error('no object');
          }),
        ]),
      ),
    ).toEqual({
      code: 'EVIDENCE_INVALID',
      input: 'snapshot s.json',
      location: undefined,
      problem: 'reg: no object',
      fix: 'see the coco-snapshot/1 format',
    });
    expect(
      refusal(() =>
        resolveLegacy(waiting, [
          failing(() => {
            throw 'text';
          }),
        ]),
      ).problem,
    ).toBe('reg: not valid');
    const coco = new CocoError('SNAPSHOT_INVALID', 'bad reg', { input: 'x', fix: 'f' });
    expect(
      refusal(() =>
        resolveLegacy(waiting, [
          failing(() => {
            throw coco;
          }),
        ]),
      ).problem,
    ).toBe('bad reg');
  });

  it("read while parsing: a reader's error names this file; its location is kept", () => {
    const parse = (kind: FactKind, body = '"reg":{}') =>
      refusal(() =>
        parseSnapshot(`{"format":"coco-snapshot/1",${body}}`, { source: 's.json', factKinds: [kind] }),
      );
    const located = new CocoError('SNAPSHOT_INVALID', 'bad index', {
      input: 'snapshot',
      location: '$.reg["x"]',
      fix: 'f',
    });
    expect(
      parse(
        failing(() => {
          throw located;
        }),
      ),
    ).toEqual({
      code: 'SNAPSHOT_INVALID',
      input: 's.json',
      location: '$.reg["x"]',
      problem: 'bad index',
      fix: 'f',
    });
    const unlocated = new CocoError('SNAPSHOT_INVALID', 'bad', { input: 'snapshot', fix: 'f' });
    expect(
      parse(
        failing(() => {
          throw unlocated;
        }),
      ),
    ).toEqual({
      code: 'SNAPSHOT_INVALID',
      input: 's.json',
      location: undefined,
      problem: 'bad',
      fix: 'f',
    });
    // Another code, or an error already naming this file, passes through as it is.
    const other = new CocoError('VALUE_OUT_OF_RANGE', 'too wide', { input: 'snapshot', fix: 'f' });
    expect(
      parse(
        failing(() => {
          throw other;
        }),
      ),
    ).toMatchObject({ code: 'VALUE_OUT_OF_RANGE', input: 'snapshot' });
    const named = new CocoError('SNAPSHOT_INVALID', 'mine', { input: 's.json', location: '$.reg', fix: 'g' });
    expect(
      parse(
        failing(() => {
          throw named;
        }),
      ),
    ).toMatchObject({ input: 's.json', location: '$.reg', fix: 'g' });
    expect(
      parse(
        failing(() => {
          throw new Error('no object');
        }),
      ),
    ).toEqual({
      code: 'SNAPSHOT_INVALID',
      input: 's.json',
      location: '$.reg',
      problem: 'no object',
      fix: 'see the coco-snapshot/1 format',
    });
    expect(
      parse(
        failing(() => {
          throw 5;
        }),
      ).problem,
    ).toBe('not valid');
    // A pair the kind cannot hold.
    expect(parse(TOY_REG, '"reg":{"0x1":"-1"}')).toMatchObject({
      location: '$.reg',
      problem: 'reg 0x1 = -0x1 is not valid (not a 64-bit hex string)',
      fix: 'see the coco-snapshot/1 format',
    });
  });
});

describe('snapshots of cpuinfo flags alone, and facts of kinds no plugin reads', () => {
  it('writes flags given without their field as the flags field', () => {
    const flagsOnly = new EvidenceBuilder().addFlags(['fpu', 'sev'], 's').build();
    expect(toSnapshot(flagsOnly).cpuinfo).toStrictEqual({ flags: 'fpu sev' });
    expect(toSnapshot(new EvidenceBuilder().saw('cpuinfo').build()).cpuinfo).toStrictEqual({});
    // With fields, they are written as they are.
    const both = new EvidenceBuilder()
      .addCpuinfo([['Features', 'fp']], 's')
      .addFlags(['sev'], 's')
      .build();
    expect(toSnapshot(both).cpuinfo).toStrictEqual({ Features: 'fp' });
  });

  it('a merge keeps the first value of a cpuinfo field, and a file read later gets its content', () => {
    const a = new EvidenceBuilder().addCpuinfo([['vendor_id', 'AuthenticAMD']], 'a').build();
    const b = new EvidenceBuilder().addCpuinfo([['vendor_id', 'GenuineIntel']], 'b').build();
    expect(new EvidenceBuilder().merge(a).merge(b).build().cpuinfo.get('vendor_id')).toEqual({
      value: 'AuthenticAMD',
      source: 'a',
    });
    const f = new EvidenceBuilder().setFile('/sys/x', true, 'a').setFile('/sys/x', true, 'b', '1\n').build();
    expect(f.file('/sys/x')).toEqual({ value: true, source: 'a', content: '1\n' });
    for (const [exists, content] of [
      [false, '1'],
      [true, 5],
      [true, 'c'.repeat(4097)],
    ] as const) {
      expect(refusal(() => new EvidenceBuilder().setFile('/sys/x', exists, 's', content as string))).toEqual({
        code: 'EVIDENCE_INVALID',
        input: 's',
        location: undefined,
        problem: 'the content of /sys/x is not valid',
        fix: 'give the text of an existing file, at most 4096 characters',
      });
    }
  });

  it('names a conflict of a kind no plugin declared by its id and key', () => {
    const e = new EvidenceBuilder()
      .addStoredFact('acme.x', 'k1', 1, 'a')
      .addStoredFact('acme.x', 'k1', 2, 'b')
      .build();
    expect(e.conflicts).toEqual([
      {
        fact: 'acme.x k1',
        values: [
          { value: '1', source: 'a' },
          { value: '2', source: 'b' },
        ],
      },
    ]);
  });

  it('a kind that cannot decode its own value is refused when the fact is added', () => {
    const bad = {
      ...TOY_REG,
      decode: () => {
        throw 'no';
      },
    } as unknown as FactKind;
    expect(refusal(() => new EvidenceBuilder().addFact(bad, '0x1', 1n, 's')).problem).toBe(
      'reg 0x1 = 0x1 is not valid (invalid)',
    );
    const stored = new EvidenceBuilder().addStoredFact('toy.reg', '0x1', '0x1', 's').build();
    expect(refusal(() => stored.fact(bad, '0x1')).problem).toBe('reg 0x1 is not valid (invalid)');
  });

  it('detection names up to 8 unread kinds one by one, and more in one warning', () => {
    const r = createRegistry().use(toyBackend);
    const unread = (kinds: number) => {
      const b = new EvidenceBuilder();
      for (let k = 0; k < kinds; k++) b.addStoredFact(`acme.k${k}`, 'a', k, 's');
      return r.detect(b.build()).warnings.filter((w) => w.includes('read by no registered plugin'));
    };
    expect(unread(8)).toHaveLength(8);
    expect(unread(9)).toEqual([
      '9 facts of 9 kinds ("acme.k0", "acme.k1", "acme.k2" and 6 more) are read by no registered plugin (a newer coco or a plugin not installed wrote them): kept, not used',
    ]);
  });

  it('detection counts the facts no registered plugin reads, in the singular and the plural', () => {
    const one = new EvidenceBuilder().addStoredFact('acme.x', 'a', 1, 's1').build();
    const two = new EvidenceBuilder()
      .addStoredFact('acme.x', 'a', 1, 's1')
      .addStoredFact('acme.x', 'b', 2, 's2')
      .build();
    const r = createRegistry().use(toyBackend);
    expect(r.detect(one).warnings).toContain(
      '1 fact of kind "acme.x" (from s1) is read by no registered plugin (a newer coco or a plugin not installed wrote them): kept, not used',
    );
    expect(r.detect(two).warnings).toContain(
      '2 facts of kind "acme.x" (from s1, s2) are read by no registered plugin (a newer coco or a plugin not installed wrote them): kept, not used',
    );
    const three = new EvidenceBuilder();
    for (const n of [1, 2, 3]) three.addStoredFact('acme.x', `k${n}`, n, `s${n}`);
    expect(r.detect(three.build()).warnings).toContain(
      '3 facts of kind "acme.x" (from s1, s2, s3) are read by no registered plugin (a newer coco or a plugin not installed wrote them): kept, not used',
    );
    const five = new EvidenceBuilder();
    for (const [i, n] of [1, 2, 3, 4, 5, 5].entries()) five.addStoredFact('acme.x', `k${i}`, n, `s${n}`);
    expect(r.detect(five.build()).warnings).toContain(
      '6 facts of kind "acme.x" (from s1, s2, s3 and 2 more) are read by no registered plugin (a newer coco or a plugin not installed wrote them): kept, not used',
    );
  });
});

describe('fact kinds and canonical JSON', () => {
  it('refuses a fact kind without an id, a title, decode or encode', () => {
    const fix = 'give each fact kind an id "<namespace>.<name>", a title, decode and encode';
    for (const [kind, shown] of [
      [5, '5'],
      [null, 'null'],
      [{ ...TOY_REG, id: 'toy' }, '"toy"'],
      [{ ...TOY_REG, title: 5 }, '"toy.reg"'],
      [{ ...TOY_REG, decode: 5 }, '"toy.reg"'],
      [{ ...TOY_REG, encode: undefined }, '"toy.reg"'],
      [{ title: 't' }, 'an object'],
    ] as const) {
      const plugin = { ...toyBackend, facts: [kind] } as BackendPlugin;
      expect(refusal(() => createRegistry().use(plugin))).toEqual({
        code: 'PLUGIN_INVALID',
        input: 'plugin "toy"',
        location: undefined,
        problem: `fact kind ${shown} is not valid`,
        fix,
      });
    }
  });

  it('tells values apart by their canonical JSON: arrays in order, objects by key', () => {
    const e = new EvidenceBuilder()
      .addStoredFact('acme.x', 'a', [1, [2, 3]], 's')
      .addStoredFact('acme.x', 'a', [1, [2, 3]], 't')
      .addStoredFact('acme.x', 'o', { b: 1, a: [null] }, 's')
      .addStoredFact('acme.x', 'o', { a: [null], b: 1 }, 't')
      .addStoredFact('acme.x', 'n', null, 's')
      .addStoredFact('acme.x', 'n', null, 't')
      .build();
    expect(e.conflicts).toEqual([]);
    const c = new EvidenceBuilder()
      .addStoredFact('acme.x', 'a', [1, 2], 's')
      .addStoredFact('acme.x', 'a', [2, 1], 't')
      .build();
    expect(c.conflicts[0]?.values.map((v) => v.value)).toEqual(['[1,2]', '[2,1]']);
  });
});

describe('entry formats, extra quirks and types', () => {
  it('refuses an entry format without a distinct lower-case id and a title', () => {
    const fix = 'give each format a distinct lower-case id such as "acme-4k" and a title';
    for (const [formats, i, shown] of [
      [[{ id: 'Big', title: 't' }], 0, '"Big"'],
      [[{ title: 't' }], 0, 'undefined'],
      [
        [
          { id: 'a', title: 't' },
          { id: 'a', title: 'u' },
        ],
        1,
        '"a"',
      ],
      [[{ id: 'a', title: 't' }, { id: 'b' }], 1, '"b"'],
      [[null], 0, 'undefined'],
    ] as const) {
      expect(
        refusal(() => createMarking({ maskBit: 51, encryptedWhen: 'set', formats: formats as never })),
      ).toEqual({
        code: 'PARAMETER_INVALID',
        input: `marking.formats[${i}]`,
        location: undefined,
        problem: `format ${shown} is not valid`,
        fix,
      });
    }
  });

  it('refuses an extra quirk that is not JSON', () => {
    const type = () =>
      createType({
        id: 'acme',
        title: 'Acme',
        attributes: ['mem-encrypt'],
        encryptedWhen: 'set',
        maskBit: 47,
        maskName: 'bit',
        cvm: 'acme',
        quirks: { extra: { 'acme:big': 1n } } as never,
      });
    expect(refusal(type)).toEqual({
      code: 'PARAMETER_INVALID',
      input: 'quirks.extra',
      location: undefined,
      problem: 'extra quirk acme:big is not a JSON value',
      fix: 'give JSON values (strings, numbers, booleans, arrays, objects)',
    });
  });

  const spec = {
    id: 'acme',
    title: 'Acme',
    attributes: ['mem-encrypt'],
    encryptedWhen: 'set',
    maskBit: 47,
    maskName: 'bit',
    cvm: 'acme',
  } as const;

  it('refuses a polarity other than set or clear, and a note longer than 300 characters', () => {
    expect(
      refusal(() =>
        createType({ ...spec, maskBit: null, maskUnknownReason: 'r', encryptedWhen: 'x' as never }),
      ),
    ).toEqual({
      code: 'PARAMETER_INVALID',
      input: 'type.encryptedWhen',
      location: undefined,
      problem: 'encryptedWhen "x" is not valid',
      fix: 'use "set" or "clear" (a type without a bit gives none)',
    });
    expect(refusal(() => createType({ ...spec, note: 'n'.repeat(301) }))).toMatchObject({
      input: 'type.note',
      fix: 'give one sentence, or leave it out',
    });
    expect(refusal(() => createType({ ...spec, note: 5 as never })).input).toBe('type.note');
    expect(createType({ ...spec, note: 'n'.repeat(300) }).describe()).toBe(
      `Acme, bit 47, encrypted when set; ${'n'.repeat(300)}`,
    );
    // A type without a bit takes no polarity.
    const { encryptedWhen: _polarity, ...withoutPolarity } = spec;
    expect(createType({ ...withoutPolarity, maskBit: 'none' }).encryptedWhen).toBe(null);
  });

  it('keeps entry formats through createType and deriveType', () => {
    const formats = [
      { id: 'entry', title: 'page-table entry' },
      { id: 'acme-4k', title: '4K entry', entryBit: 40 },
    ];
    const t = createType({ ...spec, formats });
    expect(t.marking?.forFormat('acme-4k').entryBit).toBe(40);
    const d = deriveType(t, { maskBit: 45 });
    expect([
      d.marking?.maskBit,
      d.marking?.forFormat('entry').entryBit,
      d.marking?.forFormat('acme-4k').entryBit,
    ]).toEqual([45, 45, 40]);
    // Derived without details: none.
    expect(deriveType(createType(spec), {}).details).toEqual([]);
  });
});

describe("the conformance suite's interface-2 checks", () => {
  const base = {
    plugin: toyBackend,
    invalidParams: [],
    positive: [],
    negative: [],
    samples: 1,
  };
  const run = (spec: BackendConformanceSpec, name: string) => {
    const c = backendConformance(spec).find((x) => x.name.endsWith(name));
    try {
      c?.run();
    } catch (error) {
      return (error as Error).message;
    }
    return c ? 'passed' : 'missing';
  };
  const expected = {
    name: 'x',
    variant: null,
    encryptedWhen: 'set',
    attributes: ['mem-encrypt', 'guest-mem-encrypt'],
    cvm: 'toy',
  } as const;
  const typed = (createType: () => unknown) => ({ ...toyBackend, createType }) as BackendPlugin;
  const formatted = () =>
    createType({
      id: 'toy',
      title: 'Toy CVM',
      attributes: ['mem-encrypt', 'guest-mem-encrypt'],
      encryptedWhen: 'set',
      maskBit: 51,
      maskName: 'toy bit',
      cvm: 'toy',
      formats: [
        { id: 'entry', title: 'entry' },
        { id: 'toy-small', title: 'small', entryBit: 30 },
      ],
    });

  it('checks where each entry format stores the bit', () => {
    const types = [{ ...expected, params: {}, maskBit: 51, entryBits: { entry: 51, 'toy-small': 30 } }];
    expect(
      run({ ...base, plugin: typed(formatted), types }, 'x: attributes, mask and polarity as the facts say'),
    ).toBe('passed');
    expect(
      run(
        {
          ...base,
          plugin: typed(formatted),
          types: [{ ...(types[0] as (typeof types)[number]), entryBits: { 'toy-small': 31 } }],
        },
        'x: attributes, mask and polarity as the facts say',
      ),
    ).toBe('format toy-small stores the bit at 30, not 31');
    const unknown = () => toyType({});
    expect(
      run(
        {
          ...base,
          plugin: typed(unknown),
          types: [{ ...expected, params: {}, maskBit: null, entryBits: { entry: 51 } }],
        },
        'x: attributes, mask and polarity as the facts say',
      ),
    ).toBe('entry bits given for a type without a marking');
  });

  it('a type that converts by call needs a conversion protocol', () => {
    const none = () =>
      createType({
        id: 'toy',
        title: 'Toy CVM',
        attributes: ['mem-encrypt', 'guest-mem-encrypt'],
        maskBit: 'none',
        maskName: 'a toy call',
        cvm: 'toy',
      });
    const types = [
      { ...expected, params: {}, maskBit: null, maskState: 'none', encryptedWhen: null },
    ] as const;
    expect(
      run({ ...base, plugin: typed(none), types }, 'x: attributes, mask and polarity as the facts say'),
    ).toBe('a type that converts by call has no conversion protocol');
  });

  it('checks the mask state detection gives', () => {
    const evidence = toyRegEvidence('0x1234=0x33', 't');
    const spec = (maskState: 'known' | 'unknown') => ({
      ...base,
      types: [],
      positive: [{ name: 'the register', evidence, variant: null, maskBit: 51, maskState }],
    });
    expect(run(spec('known'), 'detects the register')).toBe('passed');
    expect(run(spec('unknown'), 'detects the register')).toBe('maskState known != unknown');
  });
});

describe('detection refuses a claim without a marking whose mask state is not unknown or none', () => {
  it('names the field', () => {
    const forged = Object.freeze({ ...toyType({}), maskState: 'known' });
    const d = createRegistry()
      .use({ ...toyBackend, detect: () => ({ type: forged }) } as BackendPlugin)
      .detect(toyRegEvidence('0x1=0x1', 't'));
    expect(d.warnings).toEqual([
      'plugin toy (toy-backend) failed during detection and was skipped: its claim was refused: type.maskState: not known, unknown or none',
    ]);
  });
});
