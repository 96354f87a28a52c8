// Tests written from Stryker's mutants (docs/mutation.md): the typed errors of the parsers and of
// EvidenceBuilder for input that is not what they read, the order of CPUID records, the read-only
// views, the cut notes people paste into tickets,
// and a snapshot's checks and its private form (only the lines plugins read, gaps marked).
import {
  EvidenceBuilder,
  mergeEvidence,
  normaliseKernelLog,
  normaliseKernelLogLine,
  parseCpuinfo,
  parseKernelLog,
  parseKernelLogEvidence,
  parseSnapshot,
  toSnapshot,
} from '@coco/core';
import { describe, expect, it } from 'vitest';
import { refusal, TOY_LEAF, TOY_REG, ToyEvidenceBuilder } from './fixtures.js';

describe('parsers refuse what is not text', () => {
  // (The cpuid dump is @coco/x86's parser under interface 2, tested there.)
  it('cpuinfo and a kernel log', () => {
    expect(refusal(() => parseCpuinfo(5 as never))).toEqual({
      code: 'CPUINFO_INVALID',
      problem: 'cpuinfo is not text',
      input: 'cpuinfo',
      location: undefined,
      fix: 'pass the contents of /proc/cpuinfo',
    });
    expect(refusal(() => parseKernelLog({} as never, { source: 'dmesg.txt' }))).toEqual({
      code: 'KERNEL_LOG_INVALID',
      problem: 'the kernel log is not text',
      input: 'dmesg.txt',
      location: undefined,
      fix: 'pass the output of dmesg or journalctl -k as a string',
    });
  });
});

describe('EvidenceBuilder', () => {
  it('refuses a file entry that is not an absolute path with true or false', () => {
    for (const [path, exists] of [
      ['dev/sev-guest', true],
      ['/dev/sev-guest', 'yes'],
    ] as const) {
      expect(refusal(() => new EvidenceBuilder().setFile(path, exists as never, 'probe'))).toEqual({
        code: 'EVIDENCE_INVALID',
        problem: `file entry ${JSON.stringify(path)} = ${typeof exists === 'string' ? JSON.stringify(exists) : exists} is not valid`,
        input: 'probe',
        location: undefined,
        fix: 'give an absolute path and true or false',
      });
    }
  });

  it('takes a file path only as a string starting with a slash', () => {
    expect(refusal(() => new EvidenceBuilder().setFile({ 0: '/' } as never, true, 'probe')).code).toBe(
      'EVIDENCE_INVALID',
    );
  });

  it('keeps only the identity fields that are strings, and a note without a kind has no kind key', () => {
    const e = new EvidenceBuilder()
      .setMachine({ hostname: 5, capturedAt: null, cocoVersion: {} } as never)
      .addUnavailable({ source: '/dev/cpu/0/msr', reason: 'r', fix: 'f' })
      .build();
    expect(Object.keys(e.machine ?? { none: 1 })).toEqual([]);
    expect(Object.keys(e.unavailable[0] ?? {})).toEqual(['source', 'reason', 'fix']);
  });

  it('refuses a note of a kind of evidence that does not exist', () => {
    expect(
      refusal(() =>
        new EvidenceBuilder().addUnavailable({
          source: '/dev/cpu/0/msr',
          kind: 'Acme Config' as never,
          reason: 'r',
          fix: 'f',
        }),
      ),
    ).toEqual({
      code: 'EVIDENCE_INVALID',
      problem: 'kind "Acme Config" is not a kind of evidence',
      input: '/dev/cpu/0/msr',
      location: undefined,
      fix: 'use kernel-log, cpuinfo, files or a fact kind id such as "acme.config"',
    });
    // A core kind, a fact kind id and a format-1 kind name (one word) are kinds of evidence.
    for (const kind of ['files', 'acme.config', 'msr']) {
      const note = { source: 's', kind, reason: 'r', fix: 'f' };
      expect(new EvidenceBuilder().addUnavailable(note).build().unavailable).toEqual([note]);
    }
    expect(refusal(() => new EvidenceBuilder().saw('acme.' as never))).toMatchObject({
      code: 'EVIDENCE_INVALID',
      problem: '"acme." is not a kind of evidence',
      input: 'evidence',
      fix: 'use kernel-log, cpuinfo, files or a fact kind id',
    });
  });

  it('merges the log, the kinds and the identity of each part', () => {
    const msrOnly = new ToyEvidenceBuilder().addReg(0x131, 0x7n, 'm').build();
    const log = parseKernelLogEvidence('SEV: Status: SEV', { source: 'dmesg' });
    const named = new EvidenceBuilder().setMachine({ hostname: 'node-17' }).build();
    expect(mergeEvidence(msrOnly).kinds.has('kernel-log')).toBe(false);
    const all = mergeEvidence(msrOnly, log, named);
    expect([all.kernelLog.length, all.kinds.has('kernel-log'), all.machine?.hostname]).toEqual([
      1,
      true,
      'node-17',
    ]);
  });

  it('lists facts in the order they were added, and decodes them with their kind', () => {
    // (The order of CPUID records by leaf and subleaf is @coco/x86's cpuidRecordsOf under interface 2.)
    const e = new ToyEvidenceBuilder()
      .addLeaf(7, 1, 2, 't')
      .addLeaf(0x8000_001f, 3, 4, 't')
      .addLeaf(1, 5, 6, 'u')
      .build();
    expect([...e.facts(TOY_LEAF)].map(([key, v]) => [key, v.value, v.source])).toEqual([
      ['0x7', { a: 1, b: 2 }, 't'],
      ['0x8000001f', { a: 3, b: 4 }, 't'],
      ['0x1', { a: 5, b: 6 }, 'u'],
    ]);
    expect(e.fact(TOY_LEAF, '0x1')).toEqual({ value: { a: 5, b: 6 }, source: 'u' });
    expect(e.fact(TOY_LEAF, '0x2')).toBeUndefined();
    // Decoded once: the same map each time it is asked for.
    expect(e.facts(TOY_LEAF)).toBe(e.facts(TOY_LEAF));
    expect([...e.storedFacts.keys()]).toEqual(['toy.leaf']);
    expect(e.storedFacts.get('toy.leaf')?.get('0x7')).toEqual({ value: { a: 1, b: 2 }, source: 't' });
  });

  it('hands out maps that can be read and not changed', () => {
    const e = new ToyEvidenceBuilder().addReg(0x131, 0x7n, 'a').addReg(0x10, 0x80_0000n, 'b').build();
    const regs = e.facts(TOY_REG);
    expect(regs.size).toBe(2);
    const seen: unknown[] = [];
    const self = {};
    regs.forEach(function (this: unknown, value, key, map) {
      seen.push([key, value.value, map === regs, this === self]);
    }, self);
    expect(seen).toEqual([
      ['0x131', 0x7n, true, true],
      ['0x10', 0x80_0000n, true, true],
    ]);
    expect([...regs.entries()].map(([k, v]) => [k, v.value])).toEqual([
      ['0x131', 0x7n],
      ['0x10', 0x80_0000n],
    ]);
    expect([...regs.keys()]).toEqual(['0x131', '0x10']);
    expect([...regs.values()].map((v) => v.source)).toEqual(['a', 'b']);
    expect([...regs].map(([k]) => k)).toEqual(['0x131', '0x10']);
    expect([regs.has('0x131'), regs.has('0x1'), regs.get('0x10')?.source]).toEqual([true, false, 'b']);
    // The kinds are a read-only set view.
    const kinds: unknown[] = [];
    e.kinds.forEach(function (this: unknown, value, again, set) {
      kinds.push([value, again, set === e.kinds, this === self]);
    }, self);
    expect(kinds).toEqual([['toy.reg', 'toy.reg', true, true]]);
    expect([e.kinds.size, e.kinds.has('toy.reg'), e.kinds.has('toy.leaf')]).toEqual([1, true, false]);
    expect([[...e.kinds.entries()], [...e.kinds.keys()], [...e.kinds.values()], [...e.kinds]]).toEqual([
      [['toy.reg', 'toy.reg']],
      ['toy.reg'],
      ['toy.reg'],
      ['toy.reg'],
    ]);
    expect(Object.isFrozen(e.kinds)).toBe(true);
    // Immutable in fact (issue 11): no mutator on the views, and the objects are frozen.
    for (const view of [regs, e.storedFacts, e.cpuinfo, e.files, e.legacy] as object[]) {
      expect(['set', 'delete', 'clear'].some((m) => m in view)).toBe(false);
      expect(Object.isFrozen(view)).toBe(true);
    }
    expect(['add', 'delete', 'clear'].some((m) => m in e.kinds)).toBe(false);
  });
});

// (The TDX GPAW, 48 or 52, is @coco/tdx's gpawEvidence under interface 2, tested there.)

describe('cut notes in a pasted log', () => {
  it('become an elision, whether bracketed or not, in any case', () => {
    for (const note of [
      '[ 40 lines omitted ]',
      '... (truncated)',
      '<truncated>',
      '(output truncated)',
      '... 300 more lines ...',
      '[skipped 300 lines]',
      '[...snip...]',
      'Output Truncated',
    ]) {
      expect(
        parseKernelLog(note).map((l) => l.text),
        note,
      ).toEqual(['...']);
    }
  });

  it('are at most 80 characters long', () => {
    const note = (tail: string) => `truncated ${'123456789012 '.repeat(5)}${tail}`;
    expect(note('12345')).toHaveLength(80);
    expect(parseKernelLog(note('12345')).map((l) => l.text)).toEqual(['...']);
    expect(parseKernelLog(note('123456')).map((l) => l.text)).toEqual([note('123456')]);
  });

  it('stay text when a word is not a word of a cut, or the note is long', () => {
    for (const line of [
      'cut the power',
      'snip: 40 lines ago',
      'truncated 12a lines',
      `omitted ${'1 '.repeat(40)}lines`,
      '[ 40 ]',
    ]) {
      expect(
        parseKernelLog(line).map((l) => l.text),
        line,
      ).toEqual([line]);
    }
  });
});

describe('normalising lines', () => {
  it('drops a line that is only a timestamp or blank', () => {
    expect(parseKernelLog('[    1.000000]\n   \n[    1.000001] SEV: Status: SEV')).toHaveLength(1);
  });

  it('removes bold markers nested inside bold, in as many passes as it takes', () => {
    expect(parseKernelLog('**SEV: **Status:** SEV**').map((l) => l.text)).toEqual(['SEV: Status: SEV']);
  });
});

describe('journal records', () => {
  const json = (record: Record<string, unknown>) => JSON.stringify(record);

  it('take bytes 0 to 255 as the MESSAGE, and drop a record with any other number', () => {
    expect(normaliseKernelLogLine(json({ MESSAGE: [0x53, 0x00, 0x21] }))).toBe('S\u0000!');
    for (const bad of [
      [0x53, 1.5],
      [0x53, -1],
      [0x53, 256],
    ]) {
      expect(normaliseKernelLogLine(json({ MESSAGE: bad })), String(bad)).toBe('');
    }
  });

  it('are read up to 65536 characters, even indented, and cut as text beyond', () => {
    const record = (length: number) => {
      const base = json({ _TRANSPORT: 'kernel', MESSAGE: 'tdx: Guest detected', PADDING: '' });
      return json({
        _TRANSPORT: 'kernel',
        MESSAGE: 'tdx: Guest detected',
        PADDING: 'x'.repeat(length - base.length),
      });
    };
    expect(record(65_536)).toHaveLength(65_536);
    expect(normaliseKernelLogLine(record(65_536))).toBe('tdx: Guest detected');
    expect(normaliseKernelLogLine(record(65_537))).toBe(record(65_537).slice(0, 4096));
    expect(normaliseKernelLogLine(`  ${record(10_000)}`)).toBe('tdx: Guest detected');
  });

  it('are expanded 8 records deep, no deeper', () => {
    let nested = 'SEV: Status: SEV';
    const depths: string[] = [];
    for (let k = 1; k <= 9; k++) {
      nested = json({ MESSAGE: nested });
      depths.push(normaliseKernelLogLine(nested));
    }
    expect(depths.slice(0, 8).every((d) => d === 'SEV: Status: SEV')).toBe(true);
    expect(depths[8]).toBe('');
  });

  it('are read after another message on the same line', () => {
    const line = `[    0.100000] a: one[    0.100001] ${json({ MESSAGE: 'SEV: Status: SEV' })}`;
    expect(normaliseKernelLogLine(line)).toBe('a: one\nSEV: Status: SEV');
    expect(normaliseKernelLog([line])[1]).toEqual({
      text: 'SEV: Status: SEV',
      raw: line,
      line: 1,
      source: 'kernel log',
    });
  });

  it('never lose markup across their fields: only the MESSAGE is read', () => {
    const line = json({ _TRANSPORT: 'kernel', MESSAGE: 'SEV: `x', _HOSTNAME: 'h`' });
    expect(normaliseKernelLogLine(line)).toBe('SEV: `x');
  });
});

describe('parseSnapshot checks', () => {
  const fmt = { format: 'coco-snapshot/1' };

  it('refuses a $schema that is not a URL string', () => {
    for (const schema of [5, 'x'.repeat(2049)]) {
      const r = refusal(() => parseSnapshot({ ...fmt, $schema: schema }, { source: 's.json' }));
      expect(r.location).toBe('$.$schema');
      expect(r.problem).toMatch(/ is not a URL$/);
      expect(r.fix).toBe('give the schema URL as a string, or leave it out');
    }
    expect(parseSnapshot({ ...fmt, $schema: 'x'.repeat(2048) }).kinds.size).toBe(0);
  });

  it('refuses an unknown key in an unavailable note, and notes that are not short texts', () => {
    const note = { source: '/dev/cpu/0/msr', kind: 'msr', reason: 'permission denied', fix: 'run as root' };
    expect(refusal(() => parseSnapshot({ ...fmt, unavailable: [{ ...note, why: 'x' }] }))).toEqual({
      code: 'SNAPSHOT_INVALID',
      problem: 'unknown key "why"',
      input: 'snapshot',
      location: '$.unavailable[0].why',
      fix: 'use only source, kind, reason, fix',
    });
    for (const reason of ['', 'r'.repeat(1025), 5]) {
      const r = refusal(() => parseSnapshot({ ...fmt, unavailable: [{ ...note, reason }] }));
      expect(r.location).toBe('$.unavailable[0].reason');
      expect(r.problem).toMatch(/ is not a short text$/);
      expect(r.fix).toBe('give reason as a string');
    }
    expect(
      parseSnapshot({ ...fmt, unavailable: [{ ...note, reason: 'r'.repeat(1024) }] }).unavailable,
    ).toHaveLength(1);
  });

  it('turns a value that throws while read into a typed error', () => {
    const hostile = {
      ...fmt,
      get msr() {
        throw new Error('boom');
      },
    };
    // An own getter: `Object.keys` sees the key, reading it throws.
    expect(refusal(() => parseSnapshot(hostile))).toEqual({
      code: 'SNAPSHOT_INVALID',
      problem: 'could not be read (boom)',
      input: 'snapshot',
      location: '$',
      fix: 'pass a coco-snapshot/2 JSON file',
    });
  });
});

describe('a private snapshot keeps the lines plugins read, and marks what it left out', () => {
  const log = (text: string) => parseKernelLogEvidence(text, { source: 'dmesg' });
  const keep = [/^SEV:/, /^Memory Encryption/];

  it('marks each run of lines left out between two kept ones, and drops runs at either end', () => {
    const e = log(
      [
        'Command line: ro quiet',
        'Memory Encryption Features active: AMD SEV',
        'x86/cpu: one',
        'x86/cpu: two',
        'SEV: Status: SEV',
        'random: three',
        'SEV: Status: SEV SEV-ES',
        'eth0: link up',
      ].join('\n'),
    );
    expect(toSnapshot(e, { logPatterns: keep }).kernelLog).toEqual([
      'Memory Encryption Features active: AMD SEV',
      'coco snapshot: 2 lines left out',
      'SEV: Status: SEV',
      'coco snapshot: 1 line left out',
      'SEV: Status: SEV SEV-ES',
    ]);
  });

  it('keeps a raw line once when two messages on it are kept, and counts a raw line left out once', () => {
    const e = log(
      [
        '[    0.100000] SEV: Status: SEV[    0.100001] SEV: Status: SEV SEV-ES',
        '[    0.200000] a: one[    0.200001] b: two',
        '[    0.300000] Memory Encryption Features active: AMD SEV',
      ].join('\n'),
    );
    expect(e.kernelLog).toHaveLength(5);
    expect(toSnapshot(e, { logPatterns: keep }).kernelLog).toEqual([
      '[    0.100000] SEV: Status: SEV[    0.100001] SEV: Status: SEV SEV-ES',
      'coco snapshot: 1 line left out',
      '[    0.300000] Memory Encryption Features active: AMD SEV',
    ]);
  });

  it('keeps a raw line whose second message alone is read', () => {
    const e = log(
      '[    0.100000] a: one[    0.100001] SEV: Status: SEV\n[    0.2] b: two\n[    0.3] SEV: Status: SEV',
    );
    expect(toSnapshot(e, { logPatterns: keep }).kernelLog).toEqual([
      '[    0.100000] a: one[    0.100001] SEV: Status: SEV',
      'coco snapshot: 1 line left out',
      '[    0.3] SEV: Status: SEV',
    ]);
  });

  it('keeps nothing when no pattern matches, and every line without patterns', () => {
    const e = log('a: one\nb: two');
    expect(toSnapshot(e, { logPatterns: keep }).kernelLog).toEqual([]);
    expect(toSnapshot(e, { logPatterns: [/^a:/, /^b:/] }).kernelLog).toEqual(['a: one', 'b: two']);
    expect(toSnapshot(e).kernelLog).toEqual(['a: one', 'b: two']);
  });

  it('tells lines of two sources apart', () => {
    const b = new EvidenceBuilder()
      .addLogLines(parseKernelLog('SEV: Status: SEV\nx: 1', { source: 'one' }))
      .addLogLines(parseKernelLog('y: 2\nSEV: Status: SEV', { source: 'two' }));
    expect(toSnapshot(b.build(), { logPatterns: keep }).kernelLog).toEqual([
      'SEV: Status: SEV',
      'coco snapshot: 2 lines left out',
      'SEV: Status: SEV',
    ]);
  });
});
