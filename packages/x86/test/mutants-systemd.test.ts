// Tests written from Stryker's surviving mutants (docs/mutation.md): the steps of systemd's
// `--cvm` procedure word for word on every path, when it starts at all, and what it lets through.
import { type Evidence, EvidenceBuilder } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { systemdCvmX86 } from '../src/index.js';

const AMD = { ebx: 0x68747541, edx: 0x69746e65, ecx: 0x444d4163 };
const INTEL = { ebx: 0x756e6547, edx: 0x49656e69, ecx: 0x6c65746e };
const HYGON = { ebx: 0x6f677948, edx: 0x6e65476e, ecx: 0x656e6975 };
const HV = { ebx: 0x7263694d, ecx: 0x666f736f, edx: 0x76482074 };
const TDX_SIG = { ebx: 0x65746e49, edx: 0x5844546c, ecx: 0x20202020 };
const ISOLATED = 1 << 22;

type Regs = { eax?: number; ebx?: number; ecx?: number; edx?: number };

function build(records: [number, Regs][], msr?: bigint | 'unreadable'): Evidence {
  const b = new EvidenceBuilder();
  for (const [leaf, regs] of records) b.addCpuid(leaf, 0, { eax: 0, ebx: 0, ecx: 0, edx: 0, ...regs }, 'c');
  if (msr === 'unreadable') {
    b.addUnavailable({
      source: '/dev/cpu/0/msr',
      kind: 'msr',
      reason: 'no such device',
      fix: 'modprobe msr',
    });
  } else if (msr !== undefined) b.addMsr(0xc001_0131, msr, 'msr');
  return b.build();
}

const guest: [number, Regs] = [1, { ecx: 0x8000_0000 }];
const amd = (ext: number, leaf1f: number, more: [number, Regs][] = [], msr?: bigint | 'unreadable') =>
  build(
    [guest, [0, { eax: 0x10, ...AMD }], [0x8000_0000, { eax: ext }], [0x8000_001f, { eax: leaf1f }], ...more],
    msr,
  );
const intel = (max: number, more: [number, Regs][] = []) =>
  build([guest, [0, { eax: max, ...INTEL }], ...more]);
const hyperv = (high: number, type: number, max = 0x4000_000c): [number, Regs][] => [
  [0x4000_0000, { eax: max, ...HV }],
  [0x4000_0003, { ebx: high }],
  [0x4000_000c, { eax: 1, ebx: type }],
];

describe("systemd's --cvm steps, word for word", () => {
  it('bare metal', () => {
    expect(systemdCvmX86(build([[1, { ecx: 0 }]]))).toEqual({
      label: 'none',
      steps: ['CPUID 1 ECX bit 31 clear: bare metal'],
    });
  });

  it('AMD below leaf 0x8000001F, and exactly at it', () => {
    expect(systemdCvmX86(amd(0x8000_001e, 2, [], 0x7n))).toEqual({
      label: 'none',
      steps: ['AuthenticAMD, maximum extended leaf 0x8000001e below 0x8000001f'],
    });
    expect(systemdCvmX86(amd(0x8000_001f, 2, [], 0x7n))?.label).toBe('sev-snp');
  });

  it('AMD with the SEV status MSR, printing its low 32 bits', () => {
    expect(systemdCvmX86(amd(0x8000_0021, 2, [], 0x103dfn))).toEqual({
      label: 'sev-snp',
      steps: ['AuthenticAMD with SEV in CPUID, SEV status MSR 0x103df'],
    });
    expect(systemdCvmX86(amd(0x8000_0021, 2, [], (1n << 40n) | 0x3n))).toEqual({
      label: 'sev-es',
      steps: ['AuthenticAMD with SEV in CPUID, SEV status MSR 0x3'],
    });
  });

  it('AMD with an unreadable MSR', () => {
    expect(systemdCvmX86(amd(0x8000_0021, 2, [], 'unreadable'))).toEqual({
      label: 'sev',
      steps: ['AuthenticAMD with SEV in CPUID, SEV status MSR unreadable: a SEV guest of unknown kind'],
    });
  });

  it("AMD without SEV in CPUID: each outcome of Hyper-V's fallback", () => {
    const clear = 'AuthenticAMD, CPUID 0x8000001f EAX bit 1 (SEV) clear';
    expect(systemdCvmX86(amd(0x8000_0021, 0, hyperv(ISOLATED, 2)))).toEqual({
      label: 'sev-snp',
      steps: [clear, 'Hyper-V fallback: isolation type 2 (SNP)'],
    });
    expect(systemdCvmX86(amd(0x8000_0021, 0, hyperv(ISOLATED, 3)))).toEqual({
      label: 'none',
      steps: [clear, 'Hyper-V fallback: isolation type 3, not 2 (SNP)'],
    });
    expect(systemdCvmX86(amd(0x8000_0021, 0, hyperv(ISOLATED | 0x1000, 2)))).toEqual({
      label: 'none',
      steps: [clear, 'Hyper-V fallback: CPUID 0x40000003 EBX 0x401000 is not an isolated guest'],
    });
    expect(systemdCvmX86(amd(0x8000_0021, 0, hyperv(ISOLATED, 2, 0x4000_0004)))).toEqual({
      label: 'none',
      steps: [
        clear,
        'Hyper-V fallback: CPUID 0x40000000 is not Hyper-V ("Microsoft Hv", max 0x40000005..0x4000ffff)',
      ],
    });
  });

  it('Intel: below leaf 0x21, the TDX signature, and the Hyper-V fallback', () => {
    expect(systemdCvmX86(intel(0x20))).toEqual({
      label: 'none',
      steps: ['GenuineIntel, maximum basic leaf 0x20 below 0x21'],
    });
    expect(systemdCvmX86(intel(0x21, [[0x21, TDX_SIG]]))).toEqual({
      label: 'tdx',
      steps: ['GenuineIntel, CPUID 0x21 "IntelTDX    "'],
    });
    expect(systemdCvmX86(intel(0x21, [[0x21, {}], ...hyperv(ISOLATED, 3)]))).toEqual({
      label: 'tdx',
      steps: ['GenuineIntel, no TDX signature in CPUID 0x21', 'Hyper-V fallback: isolation type 3 (TDX)'],
    });
    expect(systemdCvmX86(intel(0x21, [[0x21, {}], ...hyperv(ISOLATED, 2)]))).toEqual({
      label: 'none',
      steps: [
        'GenuineIntel, no TDX signature in CPUID 0x21',
        'Hyper-V fallback: isolation type 2, not 3 (TDX)',
      ],
    });
  });

  it('another vendor, with its name', () => {
    expect(systemdCvmX86(build([guest, [0, { eax: 0x21, ...HYGON }], [0x21, TDX_SIG]]))).toEqual({
      label: 'none',
      steps: ['vendor "HygonGenuine" is neither AuthenticAMD nor GenuineIntel'],
    });
  });
});

describe("when systemd's procedure runs", () => {
  it('does not run on evidence with no CPUID, no MSR and no note that CPUID was unreadable', () => {
    expect(systemdCvmX86(new EvidenceBuilder().build())).toBeNull();
  });

  it('runs on an MSR alone, or on a note that CPUID could not be read, naming the missing leaf', () => {
    expect(systemdCvmX86(build([], 0x7n))).toEqual({
      label: null,
      steps: [],
      missing: 'CPUID 0x1 is not in the evidence',
    });
    const noted = new EvidenceBuilder()
      .addUnavailable({
        source: '/dev/cpu/0/cpuid',
        kind: 'cpuid',
        reason: 'no such device',
        fix: 'modprobe cpuid',
      })
      .build();
    expect(systemdCvmX86(noted)).toMatchObject({ label: null, missing: 'CPUID 0x1 is not in the evidence' });
    expect(systemdCvmX86(build([guest, [0, { eax: 0x10, ...AMD }]]))).toMatchObject({
      missing: 'CPUID 0x80000000 is not in the evidence',
    });
  });

  it('lets an error that is not a missing input through', () => {
    const evidence = build([guest]);
    const hostile = new Proxy(evidence, {
      get(target, key, receiver) {
        if (key === 'cpuid') {
          return () => {
            throw new TypeError('hostile evidence');
          };
        }
        return Reflect.get(target, key, receiver);
      },
    });
    expect(() => systemdCvmX86(hostile)).toThrow('hostile evidence');
  });
});
