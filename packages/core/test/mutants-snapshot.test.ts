// Tests written from Stryker's surviving mutants (docs/mutation.md): the whole coco-snapshot/2
// document toSnapshot writes, field by field (and the coco-snapshot/1 one on request); raw log
// lines kept once per source line; the JSON path of each field that has the wrong type; the size
// limit.
import { EvidenceBuilder, parseKernelLog, parseSnapshot, SNAPSHOT_MAX_BYTES, toSnapshot } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { refusal, TOY_FACTS, TOY_REG, ToyEvidenceBuilder } from './fixtures.js';

describe('toSnapshot', () => {
  it('writes every kind of evidence, facts as their kinds encode them', () => {
    const e = new ToyEvidenceBuilder()
      .addLeaf(0x77, 0x1b, 0x4173, 's')
      .addReg(0x1234, 0x7n, 's')
      .addLogLines(parseKernelLog('SEV: Status: SEV'))
      .addCpuinfo([['flags', 'fpu sev']], 's')
      .setFile('/dev/sev-guest', true, 's')
      .setFile('/sys/acme/guest', true, 's', '1\n')
      .setMachine({ hostname: 'node-17' })
      .addUnavailable({ source: 'x', kind: 'toy.reg', reason: 'r', fix: 'f' })
      .build();
    const doc = toSnapshot(e);
    expect(doc).toStrictEqual({
      $schema: 'https://raw.githubusercontent.com/coco-project/coco/main/schemas/coco-snapshot-2.schema.json',
      format: 'coco-snapshot/2',
      machine: { hostname: 'node-17' },
      // Kinds sorted by id, keys in the order they were added.
      facts: { 'toy.leaf': { '0x77': { a: 0x1b, b: 0x4173 } }, 'toy.reg': { '0x1234': '0x7' } },
      kernelLog: ['SEV: Status: SEV'],
      cpuinfo: { flags: 'fpu sev' },
      files: { '/dev/sev-guest': true, '/sys/acme/guest': { exists: true, content: '1\n' } },
      unavailable: [{ source: 'x', kind: 'toy.reg', reason: 'r', fix: 'f' }],
    });
    expect(Object.keys(doc)).toEqual([
      '$schema',
      'format',
      'machine',
      'facts',
      'kernelLog',
      'cpuinfo',
      'files',
      'unavailable',
    ]);
    expect(toSnapshot(parseSnapshot(doc, { factKinds: TOY_FACTS }))).toStrictEqual(doc);
    // Only the cpuinfo fields asked for.
    const fields = new EvidenceBuilder()
      .addCpuinfo(
        [
          ['flags', 'sev'],
          ['model name', 'secret'],
        ],
        's',
      )
      .build();
    expect(toSnapshot(fields, { cpuinfoFields: ['flags'] }).cpuinfo).toStrictEqual({ flags: 'sev' });
    expect(toSnapshot(fields).cpuinfo).toStrictEqual({ flags: 'sev', 'model name': 'secret' });
  });

  it("writes coco-snapshot/1 on request, through the kinds' legacy keys", () => {
    const e = new ToyEvidenceBuilder()
      .addReg(0x1234, 0x7n, 's')
      .addLeaf(0x77, 1, 2, 's')
      .addCpuinfo([['flags', 'fpu sev']], 's')
      .setFile('/sys/acme/guest', true, 's', '1\n')
      .setMachine({ hostname: 'node-17' })
      .addUnavailable({ source: 'x', kind: 'toy.reg', reason: 'r', fix: 'f' })
      .build();
    const doc = toSnapshot(e, { version: 1, factKinds: TOY_FACTS });
    // The leaf kind has no legacy key, and format 1 holds no file contents: both are left out.
    expect(doc).toStrictEqual({
      $schema: 'https://raw.githubusercontent.com/coco-project/coco/main/schemas/coco-snapshot-1.schema.json',
      format: 'coco-snapshot/1',
      reg: { '0x1234': '0x7' },
      cpuinfoFlags: ['fpu', 'sev'],
      files: { '/sys/acme/guest': true },
      unavailable: [{ source: 'x', kind: 'reg', reason: 'r', fix: 'f' }],
      machine: { hostname: 'node-17' },
    });
    const back = parseSnapshot(doc, { factKinds: TOY_FACTS });
    expect(back.fact(TOY_REG, '0x1234')?.value).toBe(0x7n);
    expect(back.unavailable[0]?.kind).toBe('toy.reg');
    expect(back.hasFlag('sev')).toBe(true);
  });

  it('keeps each raw line once, even when it held two messages, and equal lines apart', () => {
    const joined = '[    0.100000] a: one[    0.100001] b: two';
    expect(toSnapshot(new EvidenceBuilder().addLogLines(parseKernelLog(joined)).build()).kernelLog).toEqual([
      joined,
    ]);
    expect(
      toSnapshot(new EvidenceBuilder().addLogLines(parseKernelLog('a: x\na: x')).build()).kernelLog,
    ).toEqual(['a: x', 'a: x']);
    const two = new EvidenceBuilder()
      .addLogLines(parseKernelLog('a: x', { source: 'one' }))
      .addLogLines(parseKernelLog('a: x', { source: 'two' }))
      .build();
    expect(toSnapshot(two).kernelLog).toEqual(['a: x', 'a: x']);
  });
});

describe('parseSnapshot', () => {
  const fmt = '"format":"coco-snapshot/1"';
  const fmt2 = '"format":"coco-snapshot/2"';

  it('names the JSON path of each field of the wrong type', () => {
    for (const [field, value] of [
      ['kernelLog', '"x"'],
      ['cpuinfoFlags', '{}'],
      ['files', '[]'],
      ['unavailable', '{}'],
      ['machine', '"node"'],
    ]) {
      const r = refusal(() => parseSnapshot(`{${fmt},"${field}":${value}}`));
      expect([r.code, r.location], field).toEqual(['SNAPSHOT_INVALID', `$.${field}`]);
      expect(r.problem).toMatch(/^expected an (object|array), found /);
    }
    for (const [field, value] of [
      ['facts', '[]'],
      ['cpuinfo', '"flags"'],
      ['files', '5'],
    ]) {
      const r = refusal(() => parseSnapshot(`{${fmt2},"${field}":${value}}`));
      expect([r.code, r.location], field).toEqual(['SNAPSHOT_INVALID', `$.${field}`]);
      expect(r.problem).toMatch(/^expected an (object|array), found /);
    }
    expect(refusal(() => parseSnapshot(`{${fmt2},"facts":{"toy.reg":5}}`))).toMatchObject({
      location: '$.facts["toy.reg"]',
      problem: 'expected an object, found 5',
    });
    expect(refusal(() => parseSnapshot(`{${fmt2},"cpuinfo":{"model name":5}}`))).toMatchObject({
      location: '$.cpuinfo["model name"]',
      problem: 'expected a string, found 5',
    });
  });

  it('takes the source name only when it is a string', () => {
    expect(refusal(() => parseSnapshot('[]', { source: 5 as never })).input).toBe('snapshot');
  });

  it('reads a document of exactly the size limit, and refuses one character more', () => {
    const head = `{${fmt},"kernelLog":["`;
    const tail = '"]}';
    const exact = `${head}${'x'.repeat(SNAPSHOT_MAX_BYTES - head.length - tail.length)}${tail}`;
    expect(exact).toHaveLength(SNAPSHOT_MAX_BYTES);
    expect(parseSnapshot(exact).kernelLog).toHaveLength(1);
    const over = refusal(() => parseSnapshot(`${exact} `));
    expect([over.location, over.problem]).toEqual([
      '$',
      `the snapshot is ${SNAPSHOT_MAX_BYTES + 1} bytes, more than ${SNAPSHOT_MAX_BYTES}`,
    ]);
  });
});
