// The page's pure parts, in Node: the TEE name, the trail's line references, input guessing, the
// page-table helpers, and the detection the page runs against the CLI's library on every example.
import { EXAMPLES } from '@coco/cli/examples';
import { describe, expect, it } from 'vitest';
import { createInspectorRegistry, errorLine, guessKind, inspect } from '../src/engine.js';
import { lineRefs } from '../src/lines.js';
import { bitName, bitRole, flagNames, parseEntry, physicalAddress, toggleBit } from '../src/pte.js';
import { teeName } from '../src/tee.js';

const facts = (
  type: string | null,
  variant: string | null,
  hypervisor: string | null,
  paravisor: boolean | null,
) => ({
  confidential: type !== null,
  type,
  variant,
  hypervisor,
  paravisor,
});

describe('teeName', () => {
  it.each([
    [facts('tdx', null, null, null), 'tdx'],
    [facts('tdx', null, 'hyperv', false), 'tdx'],
    [facts('tdx', null, 'hyperv', true), 'az-tdx-vtpm'],
    [facts('amd-vtom', null, 'hyperv', true), 'az-snp-vtpm'],
    [facts('amd-vtom', null, 'hyperv', false), 'snp'],
    [facts('amd-cbit', 'sev-snp', null, null), 'snp'],
    [facts('amd-cbit', 'sev-snp', 'hyperv', false), 'snp'],
    [facts('amd-cbit', 'sev-es', null, null), null],
    [facts('amd-cbit', 'sev', null, null), null],
    [facts('cca', null, null, null), 'cca'],
    [facts('se', null, null, null), 'se'],
    [facts('toy', null, null, null), null],
    [facts(null, null, null, null), null],
  ] as const)('%o is %s', (input, tee) => {
    expect(teeName(input)).toBe(tee);
  });

  it('an SME host (a type, not confidential) and an undecided guest have none', () => {
    expect(teeName({ ...facts('amd-cbit', 'sme', null, null), confidential: false })).toBeNull();
    expect(teeName({ ...facts('tdx', null, null, null), confidential: null })).toBeNull();
  });
});

describe('lineRefs', () => {
  it('finds "SOURCE line N" and "SOURCE lines N-M" of known sources only', () => {
    expect(
      lineRefs('from msr (snapshot x), kernel log example sev-plain line 2, dmesg.txt lines 3-5', [
        'example sev-plain',
        'dmesg.txt',
      ]),
    ).toEqual([
      { source: 'example sev-plain', from: 2, to: 2 },
      { source: 'dmesg.txt', from: 3, to: 5 },
    ]);
    expect(lineRefs('other.txt line 4', ['dmesg.txt'])).toEqual([]);
    expect(lineRefs('dmesg.txt line 4', [])).toEqual([]);
  });

  it('prefers the longest source name and reads names with regex characters literally', () => {
    expect(lineRefs('a (1).log.old line 7', ['a (1).log', 'a (1).log.old'])).toEqual([
      { source: 'a (1).log.old', from: 7, to: 7 },
    ]);
  });
});

describe('guessKind', () => {
  it('reads what a person would see', () => {
    expect(guessKind('x', '{"format":"coco-snapshot/1"}')).toBe('snapshot');
    expect(guessKind('s.json', 'not json')).toBe('snapshot');
    expect(guessKind('j', '{"MESSAGE":"tdx: Guest detected","_TRANSPORT":"kernel"}\n')).toBe('dmesg');
    expect(guessKind('c', 'CPU 0:\n   0x00000000 0x00: eax=0x00000010 ebx=0 ecx=0 edx=0\n')).toBe('cpuid');
    expect(guessKind('c', '   0x00000000 0x00: eax=0x00000010 ebx=0 ecx=0 edx=0\n')).toBe('cpuid');
    expect(guessKind('c', 'processor\t: 0\nflags\t\t: fpu\n')).toBe('cpuinfo');
    expect(guessKind('m', '0xc0010131=0x7\n')).toBe('msr');
    expect(guessKind('d', '[    0.000000] Linux version 6.8\n')).toBe('dmesg');
  });
});

describe('page-table helpers', () => {
  it('names bits, toggles them and reads the address without the mask bit', () => {
    expect(bitRole(46, 46)).toBe('mask');
    expect(bitRole(63, 46)).toBe('nx');
    expect(bitRole(0, 46)).toBe('flag');
    expect(bitRole(30, 46)).toBe('address');
    expect(bitRole(55, 46)).toBe('ignored');
    expect(bitName(51, 51, 'C-bit')).toBe('C-bit');
    expect(bitName(7, 51, 'C-bit')).toBe('PS/PAT');
    expect(toggleBit(0n, 63)).toBe(1n << 63n);
    expect(physicalAddress(0x8008_0001_2345_6063n, 51)).toBe(0x1_2345_6000n);
    expect(flagNames(0x8000_0000_0000_0063n)).toBe('NX D A RW P');
    expect(flagNames(0n)).toBe('(none)');
    expect(parseEntry('0xFFFFFFFFFFFFFFFF')).toBe(2n ** 64n - 1n);
    expect(parseEntry('18446744073709551616')).toBeNull();
    expect(parseEntry('0x1_0000')).toBe(0x10000n);
    expect(parseEntry('banana')).toBeNull();
  });
});

describe('inspect', () => {
  const registry = createInspectorRegistry();

  it('has nothing to show for empty text boxes', () => {
    expect(inspect(registry, [{ kind: 'dmesg', name: 'a', text: '  \n' }]).kind).toBe('empty');
  });

  it('detects every bundled example', () => {
    for (const example of EXAMPLES) {
      const outcome = inspect(registry, [
        { kind: 'example', name: `example ${example.name}`, text: example.name },
      ]);
      expect(outcome.kind, example.name).toBe('detection');
    }
  });

  it('gives the CLI one-line error', () => {
    const outcome = inspect(registry, [{ kind: 'snapshot', name: 'bad.json', text: '[]' }]);
    expect(outcome.kind).toBe('error');
    expect(outcome.kind === 'error' && outcome.line).toMatch(/^coco: SNAPSHOT_INVALID: bad\.json /);
    expect(errorLine(new Error('boom\nagain'))).toMatch(
      /^coco: INTERNAL: internal error: boom again\. Fix: /,
    );
  });
});
