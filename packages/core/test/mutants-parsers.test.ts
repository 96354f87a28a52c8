// Tests written from Stryker's mutants (docs/mutation.md): every parser error word for word (code,
// input, location, problem, fix) for snapshots (format 2, and format 1 read through the fact
// kinds' legacy keys), cpuinfo and kernel logs; where facts come from, and how conflicting values
// are shown. (Under interface 2 the cpuid dump, MSR assignments and the CPUID and MSR ranges are
// @coco/x86's, tested there.)
import { EvidenceBuilder, parseCpuinfo, parseKernelLog, parseSnapshot, toSnapshot } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { refusal, TOY_FACTS, TOY_LEAF, TOY_REG, ToyEvidenceBuilder } from './fixtures.js';

const FMT = '"format":"coco-snapshot/1"';
const FMT2 = '"format":"coco-snapshot/2"';
const snap = (body: string, source?: string) =>
  refusal(() => parseSnapshot(`{${FMT}${body}}`, source === undefined ? {} : { source }));
const snap2 = (body: string, factKinds = TOY_FACTS) =>
  refusal(() => parseSnapshot(`{${FMT2}${body}}`, { factKinds }));
const SEE = 'see the coco-snapshot/2 format';

describe('parseSnapshot errors', () => {
  it('JSON that does not parse, or holds a key twice (anywhere, named by its path)', () => {
    const bad = refusal(() => parseSnapshot('{"format":', { source: 's.json' }));
    expect(bad.input).toBe('s.json');
    expect(bad.location).toBe('$');
    expect(bad.problem).toMatch(/^not valid JSON \(.+\)$/);
    expect(bad.fix).toBe('pass a coco-snapshot/2 (or /1) JSON file');
    const fix = 'keep one entry per key: JSON readers disagree about which of two duplicates counts';
    expect(snap(',"reg":{},"reg":{}')).toEqual({
      code: 'SNAPSHOT_INVALID',
      input: 'snapshot',
      location: '$',
      problem: 'key "reg" appears twice',
      fix,
    });
    expect(snap(',"reg":{"0x1":"0x1","0x1":"0x2"}').location).toBe('$.reg');
    expect(snap2(',"facts":{"toy.leaf":{"0x1":{"a":1,"b":2,"a":3}}}').location).toBe(
      '$.facts["toy.leaf"]["0x1"]',
    );
    expect(snap(',"files":{"/a,{b}\\"c":true,"/a,{b}\\"c":false}').problem).toBe(
      'key "/a,{b}\\"c" appears twice',
    );
    expect(snap(',"machine":{"host-name":{"a":[1,{"b":2}],"a":3}}').location).toBe('$.machine["host-name"]');
  });

  it('a document that is not an object, an unknown key, another format', () => {
    expect(refusal(() => parseSnapshot('[]'))).toEqual({
      code: 'SNAPSHOT_INVALID',
      input: 'snapshot',
      location: '$',
      problem: 'expected an object, found an array',
      fix: SEE,
    });
    // Format 1: with plugins known, a key none of them declares is named with what may be used.
    expect(refusal(() => parseSnapshot(`{${FMT},"cpu":[]}`, { factKinds: TOY_FACTS }))).toEqual({
      code: 'SNAPSHOT_INVALID',
      input: 'snapshot',
      location: '$.cpu',
      problem: 'unknown key "cpu"',
      fix: 'use only $schema, format, kernelLog, cpuinfoFlags, files, unavailable, machine, reg, or register the plugin that reads it',
    });
    // With none known, it waits for the registry that detects.
    const waiting = parseSnapshot(`{${FMT},"cpu":[1]}`, { factKinds: [] });
    expect(waiting.legacy.get('cpu')).toEqual({ value: [1], source: 'snapshot' });
    // Format 2: an unknown key is a warning (a newer coco may have written it).
    expect(parseSnapshot(`{${FMT2},"cpu":[]}`, { source: 's.json' }).warnings).toEqual([
      's.json: unknown key "cpu" (a newer coco may have written it): not read',
    ]);
    expect(refusal(() => parseSnapshot('{"format":"coco-snapshot/3"}'))).toEqual({
      code: 'SNAPSHOT_INVALID',
      input: 'snapshot',
      location: '$.format',
      problem: 'format is "coco-snapshot/3"',
      fix: 'set "format": "coco-snapshot/2"',
    });
    expect(refusal(() => parseSnapshot('{}')).problem).toBe('format is undefined');
    expect(refusal(() => parseSnapshot(`{${FMT2},"$schema":5}`))).toEqual({
      code: 'SNAPSHOT_INVALID',
      input: 'snapshot',
      location: '$.$schema',
      problem: '5 is not a URL',
      fix: 'give the schema URL as a string, or leave it out',
    });
    expect(refusal(() => parseSnapshot(`{${FMT2},"$schema":"${'u'.repeat(2049)}"}`)).location).toBe(
      '$.$schema',
    );
    expect(parseSnapshot(`{${FMT2},"$schema":"${'u'.repeat(2048)}"}`).kinds.size).toBe(0);
    // A byte-order mark before the document is skipped.
    expect(parseSnapshot(`\ufeff{${FMT}}`).kinds.size).toBe(0);
  });

  it('facts: kinds, keys and values, checked by the kind that declares them', () => {
    expect(snap2(',"facts":{"toy":{}}')).toEqual({
      code: 'SNAPSHOT_INVALID',
      input: 'snapshot',
      location: '$.facts.toy',
      problem: '"toy" is not a fact kind',
      fix: 'name fact kinds "<namespace>.<name>"',
    });
    expect(snap2(',"facts":{"toy.reg":{"1":"0x1"}}')).toEqual({
      code: 'SNAPSHOT_INVALID',
      input: 'snapshot',
      location: '$.facts["toy.reg"]["1"]',
      problem: 'reg 1 is not valid (key 1 is not 0xINDEX)',
      fix: 'give a value toy registers can hold',
    });
    expect(snap2(',"facts":{"toy.reg":{"0x1":7}}').problem).toBe(
      'reg 0x1 is not valid (not a 64-bit hex string)',
    );
    // A kind no plugin declares is kept, and its key is still checked.
    const kept = parseSnapshot(`{${FMT2},"facts":{"acme.x":{"k":1}}}`, { factKinds: [] });
    expect(kept.storedFacts.get('acme.x')?.get('k')).toEqual({ value: 1, source: 'snapshot' });
    expect(snap2(`,"facts":{"acme.x":{"${'k'.repeat(65)}":1}}`, [])).toMatchObject({
      location: `$.facts["acme.x"].${'k'.repeat(65)}`,
      // describeValue shows at most 40 characters of a text.
      problem: `fact key "${'k'.repeat(40)}…" of acme.x is not valid`,
      fix: SEE,
    });
    const e = parseSnapshot(`{${FMT2},"facts":{"toy.reg":{"0x1":"0x7"}}}`, {
      source: 's.json',
      factKinds: TOY_FACTS,
    });
    expect(e.fact(TOY_REG, '0x1')).toEqual({ value: 7n, source: 'snapshot s.json' });
    expect(
      parseSnapshot(`{${FMT2},"facts":{"toy.reg":{"0x1":"0x7"}}}`).storedFacts.get('toy.reg')?.get('0x1')
        ?.source,
    ).toBe('snapshot');
  });

  it("format 1 keys read by a kind's legacy reader", () => {
    expect(refusal(() => parseSnapshot(`{${FMT},"reg":[]}`, { factKinds: TOY_FACTS }))).toEqual({
      code: 'SNAPSHOT_INVALID',
      input: 'snapshot',
      location: '$.reg',
      problem: 'expected an object',
      fix: 'see the coco-snapshot/1 format',
    });
    const e = parseSnapshot(`{${FMT},"reg":{}}`, { factKinds: TOY_FACTS });
    expect([e.kinds.has('toy.reg'), e.facts(TOY_REG).size]).toEqual([true, 0]);
    const read = parseSnapshot(`{${FMT},"reg":{"0x1234":"0x33"}}`, { source: 's', factKinds: TOY_FACTS });
    expect(read.fact(TOY_REG, '0x1234')).toEqual({ value: 0x33n, source: 'snapshot s' });
  });

  it('log lines, cpuinfo, flags and files', () => {
    expect(snap(',"kernelLog":["ok",7]')).toEqual({
      code: 'SNAPSHOT_INVALID',
      input: 'snapshot',
      location: '$.kernelLog[1]',
      problem: 'expected a string, found 7',
      fix: 'give each log line as a string',
    });
    expect(
      parseSnapshot(`{${FMT},"kernelLog":["SEV: Status: SEV"]}`, { source: 's.json' }).kernelLog[0]?.source,
    ).toBe('s.json');
    for (const [flag, shown] of [
      ['Not A Flag', '"Not A Flag"'],
      [5, '5'],
    ] as const) {
      expect(snap(`,"cpuinfoFlags":[${JSON.stringify(flag)}]`)).toEqual({
        code: 'SNAPSHOT_INVALID',
        input: 'snapshot',
        location: '$.cpuinfoFlags[0]',
        problem: `${shown} is not a cpuinfo flag`,
        fix: 'give flags as /proc/cpuinfo prints them',
      });
    }
    // Format 1's flags list becomes the x86 `flags` field.
    const flags = parseSnapshot(`{${FMT},"cpuinfoFlags":["fpu","sev"]}`);
    expect([flags.cpuinfo.get('flags')?.value, flags.hasFlag('sev')]).toEqual(['fpu sev', true]);
    expect(snap2(',"cpuinfo":{"flags":"fpu Not!"}')).toEqual({
      code: 'SNAPSHOT_INVALID',
      input: 'snapshot',
      location: '$.cpuinfo',
      problem: '"Not!" is not a cpuinfo feature word',
      fix: 'give /proc/cpuinfo fields as the kernel writes them',
    });
    expect(snap2(',"cpuinfo":{"bad:name":"1"}').problem).toBe('cpuinfo field "bad:name" is not valid');
    expect(snap(',"files":{"dev/x":true}')).toEqual({
      code: 'SNAPSHOT_INVALID',
      input: 'snapshot',
      location: '$.files["dev/x"]',
      problem: '"dev/x" is not an absolute path',
      fix: 'write "/dev/acme-guest": true',
    });
    expect(snap(',"files":{"/dev/x":"yes"}')).toEqual({
      code: 'SNAPSHOT_INVALID',
      input: 'snapshot',
      location: '$.files["/dev/x"]',
      problem: '"yes" is not true or false',
      fix: 'write "/dev/acme-guest": true',
    });
    // Format 1 holds no file contents.
    expect(snap(',"files":{"/x":{"exists":true,"content":"1"}}').problem).toBe(
      'an object is not true or false',
    );
    expect(snap2(',"files":{"/x":"yes"}')).toEqual({
      code: 'SNAPSHOT_INVALID',
      input: 'snapshot',
      location: '$.files["/x"]',
      problem: '"yes" is not true or false or {"exists": true, "content": "..."}',
      fix: 'write "/dev/acme-guest": true, or "/sys/acme/guest": {"exists": true, "content": "1\\n"}',
    });
    expect(snap2(',"files":{"/x":{"exists":true,"content":"1","mode":1}}')).toMatchObject({
      location: '$.files["/x"].mode',
      problem: 'unknown key "mode"',
      fix: 'use only exists and content',
    });
    for (const entry of [
      '{"exists":false,"content":"1"}',
      '{"exists":true}',
      '{"exists":true,"content":5}',
    ]) {
      expect(snap2(`,"files":{"/x":${entry}}`), entry).toMatchObject({
        location: '$.files["/x"]',
        problem: 'a file with contents needs "exists": true and "content" as text',
        fix: 'give the text it held, at most 4096 characters',
      });
    }
    expect(snap2(`,"files":{"/x":{"exists":true,"content":"${'c'.repeat(4097)}"}}`).location).toBe(
      '$.files["/x"]',
    );
    expect(
      parseSnapshot(`{${FMT2},"files":{"/x":{"exists":true,"content":"${'c'.repeat(4096)}"}}}`).file('/x')
        ?.content,
    ).toHaveLength(4096);
    expect(snap(`,"files":{"/${'p'.repeat(4096)}":true}`).problem).toMatch(/is not an absolute path$/);
    expect(parseSnapshot(`{${FMT},"files":{}}`).kinds.has('files')).toBe(true);
  });

  it('unavailable notes and the machine', () => {
    expect(snap2(',"unavailable":[{"source":"s","kind":"msr","reason":"r","fix":"f"}]')).toEqual({
      code: 'SNAPSHOT_INVALID',
      input: 'snapshot',
      location: '$.unavailable[0].kind',
      problem: '"msr" is not a kind of evidence',
      fix: 'use kernel-log, cpuinfo, files or a fact kind id such as "acme.config"',
    });
    // Format 1's kind names become the fact kinds that declare them as their legacy key.
    const v1 = parseSnapshot(`{${FMT},"unavailable":[{"source":"s","kind":"reg","reason":"r","fix":"f"}]}`, {
      factKinds: TOY_FACTS,
    });
    expect(v1.unavailable).toEqual([{ source: 's', kind: 'toy.reg', reason: 'r', fix: 'f' }]);
    const noted = parseSnapshot(`{${FMT},"unavailable":[{"source":"s","reason":"r","fix":"f"}]}`);
    expect(noted.unavailable).toEqual([{ source: 's', reason: 'r', fix: 'f' }]);
    expect(snap(',"unavailable":[{"source":"s","reason":"r","fix":"f","why":"w"}]')).toEqual({
      code: 'SNAPSHOT_INVALID',
      input: 'snapshot',
      location: '$.unavailable[0].why',
      problem: 'unknown key "why"',
      fix: 'use only source, kind, reason, fix',
    });
    expect(snap(',"unavailable":[{"source":"","reason":"r","fix":"f"}]')).toEqual({
      code: 'SNAPSHOT_INVALID',
      input: 'snapshot',
      location: '$.unavailable[0].source',
      problem: '"" is not a short text',
      fix: 'give source as a string',
    });
    expect(snap(`,"unavailable":[{"source":"s","reason":"${'r'.repeat(1025)}","fix":"f"}]`).location).toBe(
      '$.unavailable[0].reason',
    );
    expect(snap(',"machine":{"host":"a"}')).toEqual({
      code: 'SNAPSHOT_INVALID',
      input: 'snapshot',
      location: '$.machine.host',
      problem: 'unknown key "host"',
      fix: 'use only hostname, capturedAt, cocoVersion',
    });
    expect(snap(',"machine":{"constructor":"a"}').problem).toBe('unknown key "constructor"');
    for (const [key, value, fix] of [
      ['hostname', '-node', 'give a host name such as "node-17"'],
      ['hostname', 5, 'give a host name such as "node-17"'],
      ['capturedAt', '2026-11-30', 'give an ISO 8601 date-time such as "2026-11-30T06:20:00Z"'],
      ['cocoVersion', '1.2', 'give a version such as "1.2.0"'],
    ] as const) {
      expect(snap(`,"machine":{"${key}":${JSON.stringify(value)}}`)).toEqual({
        code: 'SNAPSHOT_INVALID',
        input: 'snapshot',
        location: `$.machine.${key}`,
        problem: `${JSON.stringify(value)} is not valid`,
        fix,
      });
    }
    const machine = {
      hostname: 'node-17',
      capturedAt: '2026-11-30T06:20:00.5+01:00',
      cocoVersion: '1.2.0-rc.1',
    };
    expect(parseSnapshot({ format: 'coco-snapshot/1', machine }).machine).toEqual(machine);
    expect(parseSnapshot({ format: 'coco-snapshot/2', machine }).machine).toEqual(machine);
  });
});

describe('toSnapshot', () => {
  it('leaves out an empty machine, and the kind of a note that has none', () => {
    const e = new EvidenceBuilder()
      .setMachine({})
      .addUnavailable({ source: '/dev/cpu/0/msr', reason: 'r', fix: 'f' })
      .build();
    const doc = toSnapshot(e);
    expect('machine' in doc).toBe(false);
    expect(doc.unavailable).toEqual([{ source: '/dev/cpu/0/msr', reason: 'r', fix: 'f' }]);
    const named = new EvidenceBuilder()
      .setMachine({ hostname: 'node-17' })
      .setMachine({ hostname: 'x' })
      .build();
    expect(toSnapshot(named).machine).toEqual({ hostname: 'node-17' });
    expect(toSnapshot(new EvidenceBuilder().build())).toEqual({
      $schema: 'https://raw.githubusercontent.com/coco-project/coco/main/schemas/coco-snapshot-2.schema.json',
      format: 'coco-snapshot/2',
    });
  });
});

describe('other parsers', () => {
  it('cpuinfo: fields of any architecture, or no field at all', () => {
    expect(refusal(() => parseCpuinfo('not a field\n', { source: 'ci' }))).toEqual({
      code: 'CPUINFO_INVALID',
      input: 'ci',
      location: undefined,
      problem: 'no "name : value" field found',
      fix: 'pass /proc/cpuinfo as the kernel writes it',
    });
    expect(refusal(() => parseCpuinfo('flags : fpu Not!', { source: 'ci' }))).toEqual({
      code: 'CPUINFO_INVALID',
      input: 'ci',
      location: undefined,
      problem: '"Not!" is not a cpuinfo feature word',
      fix: 'pass /proc/cpuinfo as the kernel writes it',
    });
    expect(parseCpuinfo('flags : fpu sev', { source: 'ci' }).cpuinfoFlags.get('sev')).toBe('cpuinfo ci');
    expect(parseCpuinfo('flags : fpu sev').cpuinfoFlags.get('sev')).toBe('cpuinfo');
    // Pasted with indentation, or a processor without flags.
    expect([...parseCpuinfo('  flags\t\t: fpu  sev \r\n').cpuinfoFlags.keys()]).toEqual(['fpu', 'sev']);
    const none = parseCpuinfo('flags\t:');
    expect([none.kinds.has('cpuinfo'), none.cpuinfoFlags.size]).toEqual([true, 0]);
    // The first processor's value of each field; arm64's Features and s390's features are flags too.
    const arm = parseCpuinfo('processor : 0\nFeatures : fp asimd\n\nprocessor : 1\nFeatures : fp\n');
    expect([arm.cpuinfo.get('processor')?.value, arm.hasFlag('asimd')]).toEqual(['0', true]);
    expect(parseCpuinfo('features : esan3 zarch sie').hasFlag('sie')).toBe(true);
  });

  it('kernel logs: a NUL byte, with its line', () => {
    expect(refusal(() => parseKernelLog('a\nb\n\0c', { source: 'dmesg.bin' }))).toEqual({
      code: 'KERNEL_LOG_INVALID',
      input: 'dmesg.bin',
      location: 'line 3',
      problem: 'it contains a NUL byte, so it is not a text log',
      fix: 'pass the text output of dmesg or journalctl -k, not a binary file',
    });
    expect(parseKernelLog('SEV: Status: SEV')[0]?.source).toBe('kernel log');
  });
});

describe('the builder', () => {
  it('checks each fact with its kind, and fact kinds and keys by their patterns', () => {
    expect(refusal(() => new ToyEvidenceBuilder().addReg(0x1, 1n << 64n, 'p'))).toEqual({
      code: 'EVIDENCE_INVALID',
      input: 'p',
      location: undefined,
      problem: 'reg 0x1 = 0x10000000000000000 is not valid (not a 64-bit hex string)',
      fix: 'give a value toy registers can hold',
    });
    expect(refusal(() => new EvidenceBuilder().addStoredFact('toy', 'k', 1, 'p'))).toEqual({
      code: 'EVIDENCE_INVALID',
      input: 'p',
      location: undefined,
      problem: 'fact kind "toy" is not "<namespace>.<name>"',
      fix: 'name facts like "acme.realm-config"',
    });
    expect(refusal(() => new EvidenceBuilder().addStoredFact('toy.x', 'a b', 1, 'p'))).toEqual({
      code: 'EVIDENCE_INVALID',
      input: 'p',
      location: undefined,
      problem: 'fact key "a b" of toy.x is not valid',
      fix: 'use printable ASCII without spaces, at most 64 characters',
    });
    // A stored fact its kind cannot decode is refused when a plugin reads it.
    const e = new EvidenceBuilder().addStoredFact('toy.reg', '0x1', 5, 'snap').build();
    expect(refusal(() => e.fact(TOY_REG, '0x1'))).toEqual({
      code: 'EVIDENCE_INVALID',
      input: 'snap',
      location: undefined,
      problem: 'reg 0x1 is not valid (not a 64-bit hex string)',
      fix: 'give a value toy registers can hold',
    });
  });

  it('keeps the first value of a fact and shows both sides of a conflict in its own notation', () => {
    const e = new ToyEvidenceBuilder()
      .addReg(0x1234, 0x7n, 'a')
      .addReg(0x1234, 0x3n, 'b')
      .addReg(0x1234, 0x7n, 'c')
      .addLeaf(0x77, 1, 2, 'a')
      .addLeaf(0x77, 1, 3, 'b')
      .setFile('/dev/sev-guest', true, 'a')
      .setFile('/dev/sev-guest', false, 'b')
      .setFile('/sys/x', true, 'a', '1')
      .setFile('/sys/x', true, 'b', '2')
      .addStoredFact('acme.x', '', { v: 1 }, 'a')
      .addStoredFact('acme.x', '', { v: 2 }, 'b')
      .build();
    expect(e.fact(TOY_REG, '0x1234')).toEqual({ value: 0x7n, source: 'a' });
    expect(e.fact(TOY_LEAF, '0x77')?.value).toEqual({ a: 1, b: 2 });
    expect(e.conflicts).toEqual([
      {
        fact: 'reg 0x1234',
        values: [
          { value: '0x7', source: 'a' },
          { value: '0x3', source: 'b' },
        ],
      },
      {
        fact: 'toy.leaf 0x77 b',
        values: [
          { value: '0x2', source: 'a' },
          { value: '0x3', source: 'b' },
        ],
      },
      {
        fact: 'file /dev/sev-guest',
        values: [
          { value: 'true', source: 'a' },
          { value: 'false', source: 'b' },
        ],
      },
      {
        fact: 'file /sys/x content',
        values: [
          { value: '"1"', source: 'a' },
          { value: '"2"', source: 'b' },
        ],
      },
      {
        fact: 'acme.x',
        values: [
          { value: '{"v":1}', source: 'a' },
          { value: '{"v":2}', source: 'b' },
        ],
      },
    ]);
  });
});
