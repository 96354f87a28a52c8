import {
  createRegistry,
  defineBackend,
  isCocoError,
  PLUGIN_INTERFACE_VERSION,
  parseSnapshot,
} from '@coco/core';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { parseCpuidDump, parseMsrAssignment, X86_FACTS } from '../src/index.js';

// x86's parsers and fact codecs, on any input, either succeed or throw a coco error: never a
// TypeError, a hang or a stack overflow.
function succeedsOrTypedError(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch (error) {
    if (isCocoError(error)) return true;
    throw error;
  }
}

const VALID_DUMP = `CPU 0:
   0x00000000 0x00: eax=0x00000010 ebx=0x68747541 ecx=0x444d4163 edx=0x69746e65
   0x8000001f 0x00: eax=0x0101fd3f ebx=0x00004173 ecx=0x000001fd edx=0x00000080
`;
const VALID_V1 = JSON.stringify({
  format: 'coco-snapshot/1',
  cpuid: [{ leaf: '0x4000000c', subleaf: '0x0', eax: '0x1', ebx: '0xba2', ecx: '0x0', edx: '0x0' }],
  msr: { '0xc0010131': '0x103df' },
});
const VALID_V2 = JSON.stringify({
  format: 'coco-snapshot/2',
  facts: {
    'x86.cpuid': { '0x4000000c/0x0': { eax: '0x1', ebx: '0xba2', ecx: '0x0', edx: '0x0' } },
    'x86.msr': { '0xc0010131': '0x103df' },
  },
});

const mutated = (valid: string) =>
  fc.oneof(
    fc.nat(valid.length).map((n) => valid.slice(0, n)),
    fc.tuple(fc.nat(valid.length), fc.nat(20)).map(([at, n]) => valid.slice(0, at) + valid.slice(at + n)),
    fc
      .tuple(
        fc.nat(valid.length),
        fc.oneof(fc.string(), fc.constantFrom('0x', 'ffffffffffffffffff', '{', '"', '\0')),
      )
      .map(([at, s]) => valid.slice(0, at) + s + valid.slice(at)),
  );

// A plugin declaring x86's facts, so detection decodes them (and converts format 1's keys).
const reader = defineBackend({
  kind: 'backend',
  id: 'x86-reader',
  packageName: 'test',
  interfaceVersion: PLUGIN_INTERFACE_VERSION,
  variants: [],
  params: {},
  facts: X86_FACTS,
  createType: () => {
    throw new Error('not used');
  },
  detect: () => null,
});

describe('x86 parser robustness', () => {
  it('cpuid dump: random and mutated dumps succeed or throw the typed error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 2000 }), mutated(VALID_DUMP)), (text) =>
        succeedsOrTypedError(() => parseCpuidDump(text)),
      ),
      { numRuns: 600 },
    );
  });

  it('MSR assignments: random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) =>
        succeedsOrTypedError(() => parseMsrAssignment(text)),
      ),
      { numRuns: 400 },
    );
  });

  it('snapshots of both formats with x86 facts, parsed and detected', () => {
    const registry = createRegistry().use(reader);
    fc.assert(
      fc.property(fc.oneof(mutated(VALID_V1), mutated(VALID_V2)), (text) =>
        succeedsOrTypedError(() => registry.detect(parseSnapshot(text))),
      ),
      { numRuns: 600 },
    );
  });
});
