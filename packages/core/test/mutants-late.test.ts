// Tests written from the survivors and uncovered mutants of the last core run (docs/mutation.md):
// a claim of a type without a page-table bit, facts keyed '' read without a key, decoders that
// throw what is not an Error, a snapshot member whose getter throws a string, the order of kinds
// in a written snapshot, and canonical JSON of an array holding undefined.
import {
  type BackendPlugin,
  canonicalJson,
  checkParamSchema,
  checkParams,
  createRegistry,
  createType,
  describeValue,
  EvidenceBuilder,
  type FactKind,
  isCocoError,
  isEvidenceKind,
  parseCpuinfo,
  parseHex,
  parseKernelLog,
  parseParam,
  parseSnapshot,
  resolveLegacy,
  toSnapshot,
} from '@coco/core';
import { describe, expect, it } from 'vitest';
import { refusal, TOY_FACTS, ToyEvidenceBuilder, toyBackend, toyRegEvidence } from './fixtures.js';

/** A kind with one value per machine (key ''), like a guest's address width. */
const WIDTH: FactKind<number> = {
  id: 'acme.width',
  title: 'acme width',
  decode(json) {
    if (typeof json !== 'number') throw 'not a number';
    return json;
  },
  encode: (v) => v,
};

describe('a claim of a type without a page-table bit', () => {
  it('counts: its mask state is none', () => {
    const none = createType({
      id: 'toy',
      title: 'Toy CVM',
      attributes: ['mem-encrypt'],
      maskBit: 'none',
      maskName: 'a hypervisor call',
      cvm: 'toy',
    });
    const d = createRegistry()
      .use({ ...toyBackend, detect: () => ({ type: none }) } as BackendPlugin)
      .detect(toyRegEvidence('0x1=0x1', 't'));
    expect([d.type?.id, d.type?.maskState, d.warnings]).toEqual(['toy', 'none', []]);
  });
});

describe("facts keyed ''", () => {
  it('are read without a key', () => {
    const e = new EvidenceBuilder().addFact(WIDTH, '', 52, 'probe').build();
    expect(e.fact(WIDTH)).toEqual({ value: 52, source: 'probe' });
    expect(e.fact(WIDTH, '')).toEqual({ value: 52, source: 'probe' });
  });

  it('a decoder that throws what is not an Error is named "invalid"', () => {
    expect(
      refusal(() =>
        parseSnapshot('{"format":"coco-snapshot/2","facts":{"acme.width":{"":"52"}}}', {
          factKinds: [WIDTH],
        }),
      ),
    ).toMatchObject({
      code: 'SNAPSHOT_INVALID',
      input: 'snapshot',
      location: '$.facts["acme.width"][""]',
      problem: 'acme.width is not valid (invalid)',
    });
  });
});

describe('snapshots', () => {
  it('a member whose getter throws what is not an Error is "unknown error"', () => {
    const hostile = {
      format: 'coco-snapshot/2',
      get kernelLog() {
        throw 'boom';
      },
    };
    expect(refusal(() => parseSnapshot(hostile))).toMatchObject({
      code: 'SNAPSHOT_INVALID',
      input: 'snapshot',
      location: '$',
      problem: 'could not be read (unknown error)',
    });
  });

  it('writes the fact kinds sorted by id, whatever order they came in', () => {
    const e = new ToyEvidenceBuilder()
      .addReg(0x1, 1n, 's')
      .addStoredFact('acme.z', 'k', 1, 's')
      .addLeaf(0x7, 1, 2, 's')
      .addStoredFact('acme.a', 'k', 2, 's')
      .build();
    expect(Object.keys(toSnapshot(e).facts ?? {})).toEqual(['acme.a', 'acme.z', 'toy.leaf', 'toy.reg']);
  });
});

describe('canonical JSON', () => {
  it('writes undefined in an array as null, as JSON.stringify does', () => {
    expect(canonicalJson([undefined, 1])).toBe(JSON.stringify([undefined, 1]));
    expect(canonicalJson([{ b: [undefined], a: null }])).toBe('[{"a":null,"b":[null]}]');
  });
});

describe('values that only look right', () => {
  it('zero is 0x0, not a negative number', () => {
    expect(describeValue(0n)).toBe('0x0');
    expect(describeValue(-1n)).toBe('-0x1');
    expect(describeValue(0x33n)).toBe('0x33');
  });

  it('a fact kind id or a hex value inside an array is refused, though the array prints as one', () => {
    const kind = { ...WIDTH, id: ['acme.width'] } as unknown as FactKind;
    expect(
      refusal(() => createRegistry().use({ ...toyBackend, facts: [kind] } as BackendPlugin)),
    ).toMatchObject({
      code: 'PLUGIN_INVALID',
      problem: 'fact kind an array is not valid',
    });
    const where = { input: 'snapshot', location: '$.x', code: 'SNAPSHOT_INVALID' } as const;
    expect(refusal(() => parseHex(['0x1'], 64, where)).problem).toBe(
      'an array is not a 0x-prefixed hex number',
    );
  });

  it('a carriage return inside a cpuinfo field name makes the line no field', () => {
    const e = parseCpuinfo('odd\rname : 1\nvendor_id : AuthenticAMD\n');
    expect([...e.cpuinfo.keys()]).toEqual(['vendor_id']);
  });
});

describe('cut notes', () => {
  it('brackets and dots part the words of a note, and a word is a number only when it is all digits', () => {
    for (const note of ['[snip](300 lines)', 'snipped...300 lines', '<300 lines>truncated']) {
      expect(
        parseKernelLog(note).map((l) => l.text),
        note,
      ).toEqual(['...']);
    }
    for (const line of ['truncated v300 lines', 'skipped 300 lines of x86']) {
      expect(
        parseKernelLog(line).map((l) => l.text),
        line,
      ).toEqual([line]);
    }
  });
});

describe('inputs that are almost right', () => {
  it('a kernel log names itself "kernel log" by default, and a NUL byte by the line it is on', () => {
    expect(refusal(() => parseKernelLog(5 as never)).input).toBe('kernel log');
    expect(refusal(() => parseKernelLog('a\nb\n\0c\nd\ne')).location).toBe('line 3');
  });

  it('a kind of evidence is a string, not an array that prints as one', () => {
    expect(isEvidenceKind('acme.x')).toBe(true);
    expect(isEvidenceKind(['acme.x'])).toBe(false);
    expect(refusal(() => new EvidenceBuilder().saw(['acme.x'] as never)).problem).toBe(
      'an array is not a kind of evidence',
    );
  });

  it('a string parameter is a string, not an array as short as one', () => {
    const schema = { note: { type: 'string', description: 'a note' } } as const;
    expect(refusal(() => checkParams(schema, { note: ['x'] }, 'p')).problem).toBe(
      'note an array is not valid',
    );
  });
});

describe('the builder checks cpuinfo fields, flags and file paths', () => {
  it('refuses a field name or value that is not text, or a value over 8192 characters', () => {
    const fix = 'pass /proc/cpuinfo as the kernel writes it';
    for (const [name, value, shown] of [
      [5, '1', '5'],
      ['model name', 5, '"model name"'],
      ['model name', 'x'.repeat(8193), '"model name"'],
    ] as const) {
      expect(
        refusal(() => new EvidenceBuilder().addCpuinfo([[name as string, value as string]], 's')),
        String(name),
      ).toMatchObject({
        code: 'EVIDENCE_INVALID',
        input: 's',
        location: undefined,
        problem: `cpuinfo field ${shown} is not valid`,
      });
    }
    expect(
      new EvidenceBuilder()
        .addCpuinfo([['model name', 'x'.repeat(8192)]], 's')
        .build()
        .cpuinfo.get('model name')?.value,
    ).toHaveLength(8192);
    try {
      new EvidenceBuilder().addCpuinfo([[5 as never, '1']], 's');
    } catch (error) {
      expect(isCocoError(error) && error.fix).toBe(fix);
    }
  });

  it('keeps the first value of a field, within one call and across calls', () => {
    const e = new EvidenceBuilder()
      .addCpuinfo(
        [
          ['vendor_id', 'AuthenticAMD'],
          ['vendor_id', 'GenuineIntel'],
        ],
        'a',
      )
      .addCpuinfo([['vendor_id', 'HygonGenuine']], 'b')
      .build();
    expect(e.cpuinfo.get('vendor_id')).toEqual({ value: 'AuthenticAMD', source: 'a' });
  });

  it('refuses a flag that is not text, and a path over 4096 characters', () => {
    let caught: unknown;
    try {
      new EvidenceBuilder().addFlags([5 as never], 's');
    } catch (error) {
      caught = error;
    }
    expect(isCocoError(caught) && [caught.problem, caught.fix]).toEqual([
      '5 is not a cpuinfo feature word',
      'pass the flags as /proc/cpuinfo prints them',
    ]);
    const path = `/${'p'.repeat(4095)}`;
    expect(new EvidenceBuilder().setFile(path, true, 's').build().file(path)?.value).toBe(true);
    expect(refusal(() => new EvidenceBuilder().setFile(`${path}p`, true, 's')).code).toBe('EVIDENCE_INVALID');
  });
});

describe('parameters from text, and schemas', () => {
  const schema = {
    n: { type: 'integer', min: 0, max: 0xffff_ffff, description: 'n' },
    note: { type: 'string', description: 'a note' },
    kind: { type: 'enum', values: ['0', 'true'], description: 'k' },
  } as const;

  it('reads integers of up to 10 digits, and leaves text that only looks like a number or a boolean as text', () => {
    expect(parseParam(schema, 'n', '4294967295')).toBe(0xffff_ffff);
    expect(parseParam(schema, 'n', '100')).toBe(100);
    expect(refusal(() => parseParam(schema, 'n', '12345678901')).problem).toBe(
      'n "12345678901" is not valid',
    );
    expect(parseParam(schema, 'note', '5')).toBe('5');
    expect(parseParam(schema, 'note', 'true')).toBe('true');
    expect(parseParam(schema, 'kind', '0')).toBe('0');
    expect(parseParam(schema, 'kind', 'true')).toBe('true');
  });

  it('refuses a parameter spec that is a function, whatever fields it has', () => {
    const spec = Object.assign(() => 0, { type: 'boolean', description: 'd' });
    expect(refusal(() => checkParamSchema({ flag: spec }, 'p')).problem).toBe(
      'parameter "flag" is not a valid spec',
    );
  });
});

describe('the builder keeps what it was given once', () => {
  it('a file without contents has no content key; the same contents twice, or none the second time, are no conflict', () => {
    const bare = new EvidenceBuilder().setFile('/x', true, 'a').setFile('/x', true, 'b').build();
    expect(Object.keys(bare.file('/x') ?? {})).toEqual(['value', 'source']);
    const same = new EvidenceBuilder()
      .setFile('/x', true, 'a', '1')
      .setFile('/x', true, 'b', '1')
      .setFile('/x', true, 'c')
      .build();
    expect([same.conflicts, same.file('/x')?.content]).toEqual([[], '1']);
  });

  it('the first format-1 key and each warning once', () => {
    const e = new EvidenceBuilder().addLegacy('k', 1, 'a').addLegacy('k', 2, 'b').warn('w').warn('w').build();
    expect([e.legacy.get('k'), e.warnings]).toEqual([{ value: 1, source: 'a' }, ['w']]);
  });

  it('merges evidence from another copy of core, and keeps its own kinds for later conflicts', () => {
    const foreign = Object.fromEntries(
      Object.entries(new EvidenceBuilder().saw('files').build()),
    ) as unknown as ReturnType<EvidenceBuilder['build']>;
    expect(new EvidenceBuilder().merge(foreign).build().kinds.has('files')).toBe(true);
    const first = { ...WIDTH, describeKey: () => 'first width' } as FactKind<number>;
    const second = { ...WIDTH, describeKey: () => 'second width' } as FactKind<number>;
    const merged = new EvidenceBuilder()
      .addFact(first, '', 48, 'a')
      .merge(new EvidenceBuilder().addFact(second, '', 48, 'b').build())
      .addStoredFact('acme.width', '', 52, 'c')
      .build();
    expect(merged.conflicts.map((c) => c.fact)).toEqual(['first width']);
    expect(merged.facts(undefined as never).size).toBe(0);
  });

  it('format-1 conversion renames only the notes of a converted kind', () => {
    const waiting = parseSnapshot(
      '{"format":"coco-snapshot/1","reg":{},"unavailable":[{"source":"a","reason":"r","fix":"f"},{"source":"b","kind":"files","reason":"r","fix":"f"},{"source":"c","kind":"reg","reason":"r","fix":"f"}]}',
      { factKinds: [] },
    );
    const notes = resolveLegacy(waiting, TOY_FACTS).unavailable;
    expect(notes.map((n) => Object.keys(n))).toEqual([
      ['source', 'reason', 'fix'],
      ['source', 'kind', 'reason', 'fix'],
      ['source', 'kind', 'reason', 'fix'],
    ]);
    expect(notes.map((n) => n.kind)).toEqual([undefined, 'files', 'toy.reg']);
  });
});

describe('refusals with every field', () => {
  it('null where an object belongs, and a string where an array belongs', () => {
    expect(refusal(() => parseSnapshot('null'))).toMatchObject({
      location: '$',
      problem: 'expected an object, found null',
    });
    expect(refusal(() => parseSnapshot('{"format":"coco-snapshot/2","facts":null}'))).toMatchObject({
      location: '$.facts',
      problem: 'expected an object, found null',
    });
    let caught: unknown;
    try {
      parseSnapshot('{"format":"coco-snapshot/2","kernelLog":"x"}');
    } catch (error) {
      caught = error;
    }
    expect(isCocoError(caught) && caught.fix).toBe('see the coco-snapshot/2 format');
  });

  it('an extra quirk without a namespace, and a plugin id that is an array', () => {
    let caught: unknown;
    try {
      createType({
        id: 'acme',
        title: 'Acme',
        attributes: ['mem-encrypt'],
        encryptedWhen: 'set',
        maskBit: 47,
        maskName: 'bit',
        cvm: 'acme',
        quirks: { extra: { doorbell: 1 } } as never,
      });
    } catch (error) {
      caught = error;
    }
    expect(isCocoError(caught) && [caught.code, caught.input, caught.problem, caught.fix]).toEqual([
      'PARAMETER_INVALID',
      'quirks.extra',
      'extra quirk "doorbell" is not namespaced',
      'name extra quirks "<namespace>:<name>", such as "acme:doorbell-page"',
    ]);
    expect(refusal(() => createRegistry().use({ ...toyBackend, id: ['toy'] } as never)).problem).toBe(
      'id is not a valid id',
    );
  });
});

describe('more refusals, and what is accepted at the edges', () => {
  const fmt2 = '"format":"coco-snapshot/2"';
  const fix = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      return isCocoError(error) ? error.fix : 'not a coco error';
    }
    return 'accepted';
  };

  it('a snapshot over the size limit says what to pass instead', () => {
    expect(fix(() => parseSnapshot(' '.repeat(16 * 1024 * 1024 + 1)))).toBe(
      'pass a snapshot written by coco snapshot',
    );
  });

  it("notes of format 2 take core's kinds and fact kinds, and refuse a kind that is not text", () => {
    for (const kind of ['kernel-log', 'cpuinfo', 'files', 'acme.x']) {
      const e = parseSnapshot(
        `{${fmt2},"unavailable":[{"source":"s","kind":"${kind}","reason":"r","fix":"f"}]}`,
      );
      expect(e.unavailable[0]?.kind, kind).toBe(kind);
    }
    expect(
      refusal(() =>
        parseSnapshot(`{${fmt2},"unavailable":[{"source":"s","kind":5,"reason":"r","fix":"f"}]}`),
      ),
    ).toMatchObject({ location: '$.unavailable[0].kind', problem: '5 is not a kind of evidence' });
  });

  it('a snapshot file path of 4096 characters is read', () => {
    const path = `/${'p'.repeat(4095)}`;
    expect(parseSnapshot(`{${fmt2},"files":{"${path}":true}}`).file(path)?.value).toBe(true);
  });

  it('a plugin whose facts or adapters are not arrays, or whose params are a function, is refused', () => {
    expect(refusal(() => createRegistry().use({ ...toyBackend, facts: 5 } as never)).problem).toBe(
      'facts is not an array',
    );
    expect(refusal(() => createRegistry().use({ ...toyBackend, adapters: {} } as never)).problem).toBe(
      'adapters is not an array',
    );
    expect(fix(() => createRegistry().use({ ...toyBackend, params: () => ({}) } as never))).toBe(
      'declare params: { name: { type, description, ... } } (an empty object when the type takes none)',
    );
  });
});

describe('the last survivors of run 3 and of the narrower run', () => {
  it('a snapshot: cpuinfo fields as text, fact kinds lists with holes, equal kept lines, an editable document, no empty log key', () => {
    expect(
      (() => {
        try {
          parseSnapshot('{"format":"coco-snapshot/2","cpuinfo":{"flags":5}}');
        } catch (error) {
          return isCocoError(error) && error.fix;
        }
      })(),
    ).toBe('give each field as text');
    const read = parseSnapshot('{"format":"coco-snapshot/2","facts":{"toy.reg":{"0x1":"0x7"}}}', {
      factKinds: [null, 5, TOY_FACTS[0]] as never,
    });
    expect(read.storedFacts.get('toy.reg')?.size).toBe(1);
    const log = parseKernelLog('SEV: Status: SEV\nSEV: Status: SEV\nhostname=secret\nSEV: Status: SEV');
    const kept = toSnapshot(new EvidenceBuilder().addLogLines(log).build(), { logPatterns: [/^SEV:/] });
    expect(kept.kernelLog).toEqual([
      'SEV: Status: SEV',
      'SEV: Status: SEV',
      'coco snapshot: 1 line left out',
      'SEV: Status: SEV',
    ]);
    const doc = toSnapshot(toyRegEvidence('0x1234=0x33', 's')) as unknown as {
      facts: Record<string, Record<string, unknown>>;
    };
    doc.facts['toy.reg'] = { '0x1234': '0x0' };
    delete doc.facts['toy.reg'];
    expect(doc.facts).toEqual({});
    expect(Object.keys(toSnapshot(new EvidenceBuilder().build()))).toEqual(['$schema', 'format']);
  });

  it('a plugin: null, a version that is not a number, a bad parameter spec, the versions an adapter adds', () => {
    expect(refusal(() => createRegistry().use(null as never))).toMatchObject({
      code: 'PLUGIN_INVALID',
      input: 'plugin',
      problem: 'null is not a plugin object',
    });
    expect(
      refusal(() => createRegistry().use({ ...toyBackend, interfaceVersion: '2' } as never)).problem,
    ).toBe('it implements plugin interface version "2", but this @coco/core (major 1) supports version 2');
    expect(
      refusal(() =>
        createRegistry().use({ ...toyBackend, params: { x: { type: 'date', description: 'd' } } } as never),
      ).problem,
    ).toBe('parameter "x" is not a valid spec');
    const adapter = {
      fromVersion: 1,
      adapt: (p: object) => ({ ...(p as BackendPlugin), interfaceVersion: 2 }),
    };
    const r = createRegistry().use({ ...toyBackend, adapters: [adapter] } as BackendPlugin);
    expect(refusal(() => r.use({ ...toyBackend, id: 'old', interfaceVersion: 0 } as never)).problem).toBe(
      'it implements plugin interface version 0, but this @coco/core (major 1) supports version 1, 2',
    );
  });
});
