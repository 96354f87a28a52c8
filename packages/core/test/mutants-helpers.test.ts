// Tests written from Stryker's mutants (docs/mutation.md): kernel version comparisons and the shape
// of a boot log (init/main.c prints the banner first; kernel_init prints "Run ... as init process"
// last), coco errors and their one-line messages, conflicts as text, and quirks: flush rules by
// direction, private MMIO ranges by address, patches over a backend's quirks.
import {
  applyQuirks,
  CocoError,
  CocoRangeError,
  createRegistry,
  createType,
  describeConflict,
  describeValue,
  EvidenceBuilder,
  flushRule,
  isCocoError,
  kernelAtLeast,
  NO_QUIRKS,
  parseKernelLog,
  privateMmioAt,
  readBootLog,
} from '@coco/core';
import { describe, expect, it } from 'vitest';
import { toyBackend } from './fixtures.js';

describe('kernel versions', () => {
  it('compare major first, then minor', () => {
    const v = { major: 6, minor: 8 };
    expect(kernelAtLeast(v, 6, 8)).toBe(true);
    expect(kernelAtLeast(v, 6, 7)).toBe(true);
    expect(kernelAtLeast(v, 6, 9)).toBe(false);
    expect(kernelAtLeast(v, 5, 19)).toBe(true);
    expect(kernelAtLeast(v, 7, 0)).toBe(false);
    expect(kernelAtLeast(null, 4, 14)).toBe(false);
  });
});

describe('the shape of a boot log', () => {
  const banner = '[    0.000000] Linux version 6.8.0-45-generic (buildd@lcy02) (gcc 13.2.0) #45-Ubuntu SMP';
  const end = '[    2.000000] Run /sbin/init as init process';

  it('a whole boot: banner, version, end', () => {
    const lines = parseKernelLog(`${banner}\n[    0.1] Command line: ro\n${end}`);
    const shape = readBootLog(lines);
    expect(shape.banner?.line).toBe(1);
    expect(shape.kernelVersion).toEqual({ major: 6, minor: 8 });
    expect(shape.end?.line).toBe(3);
    expect([shape.elided, shape.complete]).toEqual([false, true]);
    expect(readBootLog(lines)).toBe(shape);
  });

  it('the older last line, a second banner and a second end line', () => {
    const old = readBootLog(
      parseKernelLog(
        `${banner}\n[ 1.9] Freeing unused kernel memory: 2048K\n[ 1.95] Linux version 5.4.0 (x)\n[ 2.0] Run /init as init process`,
      ),
    );
    expect([old.end?.line, old.kernelVersion?.minor, old.complete]).toEqual([2, 8, true]);
  });

  it('is not whole without its banner, without its end, or with a cut, and never ends before its banner', () => {
    expect(readBootLog(parseKernelLog(`[ 0.1] Command line: ro\n${end}`)).complete).toBe(false);
    expect(readBootLog(parseKernelLog(`${banner}\n[ 0.1] Command line: ro`)).complete).toBe(false);
    const cut = readBootLog(parseKernelLog(`${banner}\n...\n${end}`));
    expect([cut.elided, cut.complete]).toEqual([true, false]);
    const before = readBootLog(parseKernelLog(`${end}\n${banner}`));
    expect([before.end, before.complete]).toEqual([null, false]);
    expect(readBootLog(parseKernelLog('[ 0.0] Linux version 6.x (y)')).banner).toBeNull();
    expect(readBootLog(parseKernelLog('[ 0.0] Linux version 10.1-rc2 (y)')).kernelVersion).toEqual({
      major: 10,
      minor: 1,
    });
    expect(readBootLog(parseKernelLog(`${banner}\n[ 2.0] Run /sbin/init as init`)).end).toBeNull();
  });
});

describe('coco errors', () => {
  it('compose one line: input, location, problem and fix', () => {
    const e = new CocoError('SNAPSHOT_INVALID', 'unknown key "x"', {
      input: 's.json',
      location: '$.x',
      fix: 'remove it',
    });
    expect(e.message).toBe('s.json ($.x): unknown key "x". Fix: remove it');
    expect([e.name, e.code, e.problem, e.input, e.location, e.fix]).toEqual([
      'CocoError',
      'SNAPSHOT_INVALID',
      'unknown key "x"',
      's.json',
      '$.x',
      'remove it',
    ]);
    const r = new CocoRangeError('7 is too wide', { input: 'v', fix: 'narrow it' });
    expect(r.message).toBe('v: 7 is too wide. Fix: narrow it');
    expect([r.name, r.code, r.location]).toEqual(['CocoRangeError', 'VALUE_OUT_OF_RANGE', undefined]);
    expect(new CocoRangeError('p', { input: 'v', fix: 'f' }, 'MASK_INVALID').code).toBe('MASK_INVALID');
    expect(r).toBeInstanceOf(RangeError);
  });

  it('are recognised by their mark only', () => {
    expect(isCocoError(new CocoError('MSR_INVALID', 'p', { input: 'i', fix: 'f' }))).toBe(true);
    expect(isCocoError(new Error('x'))).toBe(false);
    expect(isCocoError(null)).toBe(false);
    expect(isCocoError('CocoError')).toBe(false);
    expect(isCocoError({ [Symbol.for('@coco/core/error')]: 'yes' })).toBe(false);
    expect(isCocoError({ [Symbol.for('@coco/core/error')]: true })).toBe(true);
  });
});

describe('values in messages', () => {
  it('quote strings, cut after 40 characters', () => {
    expect(describeValue('sev')).toBe('"sev"');
    expect(describeValue('a'.repeat(40))).toBe(`"${'a'.repeat(40)}"`);
    expect(describeValue('a'.repeat(41))).toBe(`"${'a'.repeat(40)}…"`);
    expect([describeValue(7n), describeValue(null), describeValue([1]), describeValue({})]).toEqual([
      '0x7',
      'null',
      'an array',
      'an object',
    ]);
  });
});

describe('the detection document', () => {
  const snp = createType({
    id: 'toy',
    variant: 'v1',
    title: 'Toy',
    attributes: ['mem-encrypt'],
    encryptedWhen: 'set',
    maskBit: 51,
    maskName: 'toy bit',
    cvm: 'toy',
    tee: 'snp',
  });
  const plugin = {
    ...toyBackend,
    variants: [{ variant: 'v1', title: 'Toy', attributes: ['mem-encrypt'], cvm: 'toy' }],
    detect: (_e: unknown, c: { step(s: string, says: string, fact?: string): void }) => {
      c.step('msr', 'without a fact');
      c.step('msr', 'with a fact', 'msr 0x1234');
      return { type: snp };
    },
  };

  it('carries the variant and the TEE, and a fact only on the steps that name one', () => {
    const d = createRegistry()
      .use(plugin as never)
      .detect(new EvidenceBuilder().build());
    expect([d.tee, d.toJSON().tee, d.toJSON().variant]).toEqual(['snp', 'snp', 'v1']);
    const [without, withFact] = d.toJSON().evidence;
    expect(Object.keys(without ?? {})).toEqual(['source', 'says', 'by']);
    expect(withFact).toEqual({ source: 'msr', says: 'with a fact', by: 'toy', fact: 'msr 0x1234' });
  });
});

describe('conflicts as text', () => {
  it('name every side with its source', () => {
    expect(
      describeConflict({
        what: 'msr 0xc0010131',
        sides: [
          { says: '0x7', source: 'a' },
          { says: '0x3', source: 'b' },
          { says: '0x1', source: 'c' },
        ],
      }),
    ).toBe('conflict over msr 0xc0010131: 0x7 (a) vs 0x3 (b) vs 0x1 (c)');
  });
});

describe('quirks', () => {
  const q = applyQuirks(NO_QUIRKS, {
    flush: { toShared: { cache: true, tlb: false }, toPrivate: { cache: false, tlb: true } },
    privateMmio: [{ name: 'IO-APIC', start: 0xfec00000n, size: 0x1000n, reason: 'r' }],
  });

  it('give the flush rule of each direction', () => {
    expect(flushRule(q, 'to-shared')).toEqual({ cache: true, tlb: false });
    expect(flushRule(q, 'to-private')).toEqual({ cache: false, tlb: true });
  });

  it('find a private MMIO range by address, start included, end excluded', () => {
    expect(privateMmioAt(q, 0xfec00000n)?.name).toBe('IO-APIC');
    expect(privateMmioAt(q, 0xfebfffffn)).toBeUndefined();
    expect(privateMmioAt(q, 0xfec01000n)).toBeUndefined();
  });

  it('a patch replaces what it names, keeps the rest, reads only booleans that are true', () => {
    const p = applyQuirks(q, {
      flush: { toShared: { cache: 1 as never, tlb: 'yes' as never } },
      unrollStringIo: 1 as never,
    });
    expect(p.flush).toEqual({
      toShared: { cache: false, tlb: false },
      toPrivate: { cache: false, tlb: true },
    });
    expect(p.unrollStringIo).toBe(false);
    expect(p.privateMmio).toEqual(q.privateMmio);
    expect(applyQuirks(q, { privateMmio: [] }).privateMmio).toEqual([]);
    expect(applyQuirks(q, { unrollStringIo: true }).unrollStringIo).toBe(true);
    expect(applyQuirks(q, { conversion: null }).conversion).toBeNull();
    const base = applyQuirks(NO_QUIRKS, { notes: ['a'] });
    expect(applyQuirks(base, { notes: ['b'] }).notes).toEqual(['a', 'b']);
    expect(Object.isFrozen(applyQuirks(base, {}).flush.toShared)).toBe(true);
    // Fields of the base that are missing fall back to no quirks.
    expect(applyQuirks({} as never, {})).toEqual(NO_QUIRKS);
  });
});
