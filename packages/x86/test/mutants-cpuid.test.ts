// Tests written from Stryker's surviving mutants (docs/mutation.md): CPUID readers and the
// validity rule of a leaf (defined only when its range's maximum leaf reaches it), and Hyper-V's
// leaf checks.
import { type Evidence, EvidenceBuilder } from '@coco/core';
import { describe, expect, it } from 'vitest';
import {
  cpuidUnreadable,
  cpuVendor,
  hypervisorPresent,
  hypervisorSignature,
  isHypervLeaf,
  isIsolatedPartition,
  readLeaf,
  registerText,
} from '../src/index.js';

const AMD = { ebx: 0x68747541, edx: 0x69746e65, ecx: 0x444d4163 }; // "Auth" "enti" "cAMD"
const HV = { ebx: 0x7263694d, ecx: 0x666f736f, edx: 0x76482074 }; // "Micr" "osof" "t Hv"

function leaves(...records: [number, number, { eax?: number; ebx?: number; ecx?: number; edx?: number }][]) {
  const b = new EvidenceBuilder();
  for (const [leaf, subleaf, regs] of records) {
    b.addCpuid(leaf, subleaf, { eax: 0, ebx: 0, ecx: 0, edx: 0, ...regs }, 'cpuid.txt');
  }
  return b.build();
}

describe('registers as text', () => {
  it('reads each register little-endian, in the order given', () => {
    expect(registerText(AMD.ebx, AMD.edx, AMD.ecx)).toBe('AuthenticAMD');
    expect(hypervisorSignature(HV)).toBe('Microsoft Hv');
  });

  it('writes a NUL byte as \\0 and keeps the other bytes', () => {
    // KVM: "KVMK" "VMKV" "M\0\0\0".
    expect(registerText(0x4b4d564b, 0x564b4d56, 0x4d)).toBe('KVMKVMKVM\\0\\0\\0');
    expect(registerText(0, 0, 0)).toBe('\\0'.repeat(12));
  });

  it('gives the vendor of CPUID 0 with its source, or undefined without the leaf', () => {
    expect(cpuVendor(leaves([0, 0, { eax: 0x10, ...AMD }]))).toEqual({
      value: 'AuthenticAMD',
      source: 'cpuid.txt',
    });
    expect(cpuVendor(leaves([1, 0, {}]))).toBeUndefined();
  });

  it('reads the hypervisor bit, CPUID 1 ECX bit 31, or undefined without leaf 1', () => {
    expect(hypervisorPresent(leaves([1, 0, { ecx: 0x8000_0000 }]))).toBe(true);
    expect(hypervisorPresent(leaves([1, 0, { ecx: 0x7fff_ffff }]))).toBe(false);
    expect(hypervisorPresent(leaves([0, 0, {}]))).toBeUndefined();
  });

  it('says whether CPUID could not be read at all', () => {
    const note = { source: 'cpuid', kind: 'cpuid' as const, reason: 'no such device', fix: 'modprobe cpuid' };
    expect(cpuidUnreadable(new EvidenceBuilder().addUnavailable(note).build())).toBe(true);
    expect(
      cpuidUnreadable(new EvidenceBuilder().addUnavailable({ ...note, source: 'msr', kind: 'msr' }).build()),
    ).toBe(false);
    expect(cpuidUnreadable(leaves([0, 0, {}]))).toBe(false);
  });
});

describe('readLeaf: a leaf is defined only when its range maximum reaches it', () => {
  it('is missing when the range maximum is not in the evidence, naming that leaf', () => {
    expect(readLeaf(leaves([0x8000_001f, 0, { eax: 2 }]), 0x8000_001f)).toEqual({
      state: 'missing',
      says: 'CPUID 0x80000000 (the maximum leaf) is not in the evidence',
    });
    expect(readLeaf(leaves([0x4000_000c, 0, {}]), 0x4000_000c)).toEqual({
      state: 'missing',
      says: 'CPUID 0x40000000 (the maximum leaf) is not in the evidence',
    });
    expect(readLeaf(leaves([0x21, 0, {}]), 0x21)).toEqual({
      state: 'missing',
      says: 'CPUID 0x0 (the maximum leaf) is not in the evidence',
    });
  });

  it('is beyond the maximum when EAX of the range head is below the leaf', () => {
    expect(
      readLeaf(leaves([0x8000_0000, 0, { eax: 0x8000_001e }], [0x8000_001f, 0, {}]), 0x8000_001f),
    ).toEqual({
      state: 'beyond-max',
      max: 0x8000_001e,
      says: 'CPUID 0x80000000 EAX 0x8000001e is below 0x8000001f',
    });
    expect(readLeaf(leaves([0, 0, { eax: 0x20 }]), 0x21)).toMatchObject({ state: 'beyond-max', max: 0x20 });
  });

  it('is valid when the maximum equals the leaf, and missing when the leaf itself is absent', () => {
    const e = leaves([0x8000_0000, 0, { eax: 0x8000_001f }], [0x8000_001f, 0, { eax: 0x1b }]);
    const r = readLeaf(e, 0x8000_001f);
    expect(r.state).toBe('valid');
    expect(r.state === 'valid' && r.record.eax).toBe(0x1b);
    expect(readLeaf(leaves([0x8000_0000, 0, { eax: 0x8000_0021 }]), 0x8000_001f)).toEqual({
      state: 'missing',
      says: 'CPUID 0x8000001f is not in the evidence',
    });
  });

  it('reads the head leaf itself, and another subleaf of it from the evidence', () => {
    const e = leaves([0, 0, { eax: 0x10, ...AMD }], [0, 1, { eax: 0x99 }]);
    const head = readLeaf(e, 0);
    expect(head.state === 'valid' && head.record.eax).toBe(0x10);
    const sub = readLeaf(e, 0, 1);
    expect(sub.state === 'valid' && sub.record.eax).toBe(0x99);
    expect(readLeaf(e, 0, 2)).toEqual({ state: 'missing', says: 'CPUID 0x0 is not in the evidence' });
  });

  it('puts 0x40000000..0x4000FFFF in the hypervisor range and 0x40010000 in the basic one', () => {
    const e: Evidence = leaves([0x4000_0000, 0, { eax: 0x4000_ffff }], [0x4000_ffff, 0, { eax: 7 }]);
    expect(readLeaf(e, 0x4000_ffff).state).toBe('valid');
    expect(readLeaf(e, 0x4001_0000)).toEqual({
      state: 'missing',
      says: 'CPUID 0x0 (the maximum leaf) is not in the evidence',
    });
    expect(readLeaf(leaves([0, 0, { eax: 0x21 }]), 0x3fff_ffff)).toMatchObject({ state: 'beyond-max' });
  });
});

describe("Hyper-V's leaves", () => {
  it('accepts a maximum hypervisor leaf from 0x40000005 to 0x4000FFFF with "Microsoft Hv"', () => {
    expect(isHypervLeaf({ eax: 0x4000_0005, ...HV })).toBe(true);
    expect(isHypervLeaf({ eax: 0x4000_ffff, ...HV })).toBe(true);
    expect(isHypervLeaf({ eax: 0x4000_0004, ...HV })).toBe(false);
    expect(isHypervLeaf({ eax: 0x4001_0000, ...HV })).toBe(false);
    expect(isHypervLeaf({ eax: 0x4000_000c, ebx: 0x4b4d564b, ecx: 0x564b4d56, edx: 0x4d })).toBe(false);
  });

  it('reads an isolated partition as EBX bit 22 set and bit 12 clear', () => {
    expect(isIsolatedPartition(1 << 22)).toBe(true);
    expect(isIsolatedPartition((1 << 22) | (1 << 12))).toBe(false);
    expect(isIsolatedPartition(0)).toBe(false);
  });
});

describe('readLeaf of a range head itself', () => {
  it('reads 0x80000000 and 0x40000000 from their own range, whatever the basic maximum', () => {
    const e = leaves(
      [0, 0, { eax: 0x10 }],
      [0x8000_0000, 0, { eax: 0x8000_0008 }],
      [0x4000_0000, 0, { eax: 0x4000_000c }],
    );
    const ext = readLeaf(e, 0x8000_0000);
    expect(ext.state === 'valid' && ext.record.eax).toBe(0x8000_0008);
    const hv = readLeaf(e, 0x4000_0000);
    expect(hv.state === 'valid' && hv.record.eax).toBe(0x4000_000c);
  });

  it('reads a head whose EAX is below its own number as it is', () => {
    const e = leaves([0x4000_0000, 0, { eax: 0 }]);
    const r = readLeaf(e, 0x4000_0000);
    expect(r.state === 'valid' && r.record.eax).toBe(0);
  });
});
