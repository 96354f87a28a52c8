// systemd-detect-virt --cvm on x86-64 (src/basic/confidential-virt.c, PRs #33872 and #42697), one
// rule at a time, with the values of the facts sheet (part C1) and Azure's public leaf layout.
import type { Evidence } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { systemdCvmX86, X86EvidenceBuilder } from '../src/index.js';

const AMD = { ebx: 0x68747541, edx: 0x69746e65, ecx: 0x444d4163 }; // "Auth" "enti" "cAMD"
const INTEL = { ebx: 0x756e6547, edx: 0x49656e69, ecx: 0x6c65746e }; // "Genu" "ineI" "ntel"
const HYGON = { ebx: 0x6f677948, edx: 0x6e65476e, ecx: 0x656e6975 }; // "Hygo" "nGen" "uine"
const HV = { ebx: 0x7263694d, ecx: 0x666f736f, edx: 0x76482074 }; // "Micr" "osof" "t Hv"

interface Spec {
  vendor?: { ebx: number; ecx: number; edx: number };
  max?: number;
  hypervisor?: boolean;
  ext?: number;
  leaf1f?: number;
  tdx?: boolean;
  hv?: { max: number; high: number; type: number };
  msr?: bigint | 'unreadable';
}

function machine(spec: Spec): Evidence {
  const b = new X86EvidenceBuilder();
  const s = 'cpuid.txt';
  b.addCpuid(0, 0, { eax: spec.max ?? 0x10, ...(spec.vendor ?? AMD) }, s);
  if (spec.hypervisor !== undefined)
    b.addCpuid(1, 0, { eax: 0, ebx: 0, ecx: spec.hypervisor ? 0x8000_0000 : 0, edx: 0 }, s);
  if (spec.ext !== undefined) b.addCpuid(0x8000_0000, 0, { eax: spec.ext, ebx: 0, ecx: 0, edx: 0 }, s);
  if (spec.leaf1f !== undefined)
    b.addCpuid(0x8000_001f, 0, { eax: spec.leaf1f, ebx: 0x73, ecx: 0, edx: 0 }, s);
  if (spec.tdx !== undefined) {
    const sig = spec.tdx ? { ebx: 0x65746e49, edx: 0x5844546c, ecx: 0x20202020 } : { ebx: 0, ecx: 0, edx: 0 };
    b.addCpuid(0x21, 0, { eax: 0, ...sig }, s);
  }
  if (spec.hv) {
    b.addCpuid(0x4000_0000, 0, { eax: spec.hv.max, ...HV }, s);
    b.addCpuid(0x4000_0003, 0, { eax: 0, ebx: spec.hv.high, ecx: 0, edx: 0 }, s);
    b.addCpuid(0x4000_000c, 0, { eax: 1, ebx: spec.hv.type | (1 << 5) | (46 << 6), ecx: 0, edx: 0 }, s);
  }
  if (spec.msr === 'unreadable') {
    b.addUnavailable({
      source: '/dev/cpu/0/msr',
      kind: 'x86.msr',
      reason: 'no such device',
      fix: 'modprobe msr',
    });
  } else if (spec.msr !== undefined) b.addMsr(0xc001_0131, spec.msr, 'msr');
  return b.build();
}

const label = (spec: Spec) => systemdCvmX86(machine(spec))?.label;
const ISOLATED = 0x400000;

describe("systemd's x86-64 --cvm procedure", () => {
  it('prints none on bare metal (CPUID 1 ECX bit 31 clear), whatever else the CPU shows', () => {
    expect(label({ hypervisor: false, ext: 0x8000_0021, leaf1f: 0x1b, msr: 0x7n })).toBe('none');
  });

  it('decides AMD from the status MSR: bit 2 sev-snp, bit 1 sev-es, bit 0 sev, else none', () => {
    const amd = (msr: bigint) => label({ hypervisor: true, ext: 0x8000_0021, leaf1f: 0x1b, msr });
    expect([amd(0x7n), amd(0x3n), amd(0x1n), amd(0x0n)]).toEqual(['sev-snp', 'sev-es', 'sev', 'none']);
  });

  it('prints sev when the status MSR cannot be read (PR #42697), and needs it when it was not given', () => {
    expect(label({ hypervisor: true, ext: 0x8000_0021, leaf1f: 0x2, msr: 'unreadable' })).toBe('sev');
    const reading = systemdCvmX86(machine({ hypervisor: true, ext: 0x8000_0021, leaf1f: 0x2 }));
    expect(reading).toMatchObject({ label: null, missing: 'MSR 0xc0010131 is not in the evidence' });
  });

  it("falls back to Hyper-V's isolation type 2 when CPUID 0x8000001F has no SEV (Azure reads zeros)", () => {
    const hv = { max: 0x4000_000c, high: ISOLATED, type: 2 };
    expect(label({ hypervisor: true, ext: 0x8000_0021, leaf1f: 0, hv })).toBe('sev-snp');
    expect(label({ hypervisor: true, ext: 0x8000_0021, leaf1f: 0, hv: { ...hv, type: 3 } })).toBe('none');
    // Not an isolated partition, a root partition, or a max leaf outside 0x40000005..0x4000FFFF: no fallback.
    expect(label({ hypervisor: true, ext: 0x8000_0021, leaf1f: 0, hv: { ...hv, high: 0 } })).toBe('none');
    expect(
      label({ hypervisor: true, ext: 0x8000_0021, leaf1f: 0, hv: { ...hv, high: ISOLATED | 0x1000 } }),
    ).toBe('none');
    expect(label({ hypervisor: true, ext: 0x8000_0021, leaf1f: 0, hv: { ...hv, max: 0x4000_0004 } })).toBe(
      'none',
    );
  });

  it('returns none before the Hyper-V fallback when the maximum extended leaf is below 0x8000001F', () => {
    const hv = { max: 0x4000_000c, high: ISOLATED, type: 2 };
    expect(label({ hypervisor: true, ext: 0x8000_0008, hv })).toBe('none');
  });

  it('prints none for a Hygon guest, which the kernel treats as AMD', () => {
    expect(label({ vendor: HYGON, hypervisor: true, ext: 0x8000_001f, leaf1f: 0x2, msr: 0x1n })).toBe('none');
  });

  it('decides Intel from leaf 0x21 when the basic maximum reaches it, else none without a fallback', () => {
    expect(label({ vendor: INTEL, max: 0x23, hypervisor: true, tdx: true })).toBe('tdx');
    const hv = { max: 0x4000_000c, high: ISOLATED, type: 3 };
    expect(label({ vendor: INTEL, max: 0x21, hypervisor: true, tdx: false, hv })).toBe('tdx');
    expect(label({ vendor: INTEL, max: 0x20, hypervisor: true, hv })).toBe('none');
    expect(label({ vendor: INTEL, max: 0x21, hypervisor: true, tdx: false })).toBeNull();
  });

  it('does not apply to evidence with nothing x86 in it', () => {
    expect(systemdCvmX86(new X86EvidenceBuilder().build())).toBeNull();
  });
});
