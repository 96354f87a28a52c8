import {
  emptyEvidence,
  mergeEvidence,
  parseCpuinfo,
  parseKernelLogEvidence,
  parseSnapshot,
} from '@coco/core';
import { backendConformance } from '@coco/core/testing';
import { parseCpuidDump, X86EvidenceBuilder } from '@coco/x86';
import { describe, it } from 'vitest';
import { gpawEvidence, tdxBackend } from '../src/index.js';
import { AUTHENTIC_AMD, cpuid, SIG } from './evidence.js';

// Facts sheet §2: a TDX guest has exactly these; §1: encrypted (private) when the shared bit is clear.
const ATTRS = ['guest-mem-encrypt', 'guest-unroll-string-io', 'mem-encrypt'] as const;

// 0x8000000123456063: NX (63), address 0x123456000, dirty (6), accessed (5), RW (1), present (0).
// Bit 51 = 0x0008000000000000; bit 47 = 0x0000800000000000. Encrypting clears the bit, decrypting sets it.
const PTE = 0x8000000123456063n;
const BIT51_VECTORS = [
  { input: PTE, encrypted: 0x8000000123456063n, decrypted: 0x8008000123456063n },
  { input: 0x8008000123456063n, encrypted: 0x8000000123456063n, decrypted: 0x8008000123456063n },
];
const BIT47_VECTORS = [
  { input: PTE, encrypted: 0x8000000123456063n, decrypted: 0x8000800123456063n },
  { input: 0x8000800123456063n, encrypted: 0x8000000123456063n, decrypted: 0x8000800123456063n },
  // Bit 51 is just an address bit for a GPAW-48 guest: marking leaves it alone.
  { input: 0x8008000123456063n, encrypted: 0x8008000123456063n, decrypted: 0x8008800123456063n },
];

const snapshotTd = parseSnapshot(
  JSON.stringify({
    format: 'coco-snapshot/1',
    cpuid: [
      { leaf: '0x0', subleaf: '0x0', eax: '0x23', ebx: '0x756e6547', ecx: '0x6c65746e', edx: '0x49656e69' },
      { leaf: '0x21', subleaf: '0x0', eax: '0x0', ebx: '0x65746E49', ecx: '0x20202020', edx: '0x5844546C' },
    ],
    tdx: { gpaw: 52 },
    kernelLog: [
      '[    0.000000] tdx: Guest detected',
      '[    0.412345] Memory Encryption Features active: Intel TDX',
    ],
    cpuinfoFlags: ['fpu', 'tdx_guest'],
    files: { '/dev/tdx_guest': true },
  }),
  { source: 'td.json', factKinds: tdxBackend.facts ?? [] },
);

const dump = parseCpuidDump(
  [
    'CPU 0:',
    '   0x00000000 0x00: eax=0x00000021 ebx=0x756e6547 ecx=0x6c65746e edx=0x49656e69',
    '   0x00000021 0x00: eax=0x00000000 ebx=0x65746e49 ecx=0x20202020 edx=0x5844546c',
  ].join('\n'),
  { source: 'cpuid.txt' },
);

const amd = new X86EvidenceBuilder()
  .addCpuid(0, 0, { eax: 0x10, ...AUTHENTIC_AMD }, 'amd')
  .addCpuid(0x80000000, 0, { eax: 0x80000028, ebx: 0, ecx: 0, edx: 0 }, 'amd')
  .addCpuid(0x8000001f, 0, { eax: 0x1003f, ebx: 0x4173, ecx: 0x1fd, edx: 0x1 }, 'amd')
  .addMsr(0xc0010131, 0x7n, 'amd')
  .addFlags(['sev', 'sev_es', 'sev_snp'], 'amd')
  .build();

describe('@coco/tdx conformance', () => {
  const cases = backendConformance({
    plugin: tdxBackend,
    types: [
      {
        name: 'GPAW 52',
        params: { gpaw: 52 },
        variant: null,
        maskBit: 51,
        encryptedWhen: 'clear',
        attributes: ATTRS,
        cvm: 'tdx',
        vectors: BIT51_VECTORS,
      },
      {
        name: 'GPAW 48',
        params: { gpaw: 48 },
        variant: null,
        maskBit: 47,
        encryptedWhen: 'clear',
        attributes: ATTRS,
        cvm: 'tdx',
        vectors: BIT47_VECTORS,
      },
      // Hyper-V TDX with a paravisor: Group B 0xbe3 gives boundary bit (0xbe3 >> 6) & 0x3f = 47.
      {
        name: 'maskBit 47 from a composing hypervisor',
        params: { maskBit: 47 },
        variant: null,
        maskBit: 47,
        encryptedWhen: 'clear',
        attributes: ATTRS,
        cvm: 'tdx',
        vectors: BIT47_VECTORS,
      },
      {
        name: 'GPAW 52 and a consistent maskBit 51',
        params: { gpaw: 52, maskBit: 51 },
        variant: null,
        maskBit: 51,
        encryptedWhen: 'clear',
        attributes: ATTRS,
        vectors: BIT51_VECTORS,
      },
      {
        name: 'no GPAW',
        params: {},
        variant: null,
        maskBit: null,
        encryptedWhen: 'clear',
        attributes: ATTRS,
        cvm: 'tdx',
      },
    ],
    invalidParams: [
      { name: 'GPAW 50', params: { gpaw: 50 }, mentions: 'gpaw' },
      { name: 'GPAW "52" as a string', params: { gpaw: '52' }, mentions: '48' },
      { name: 'maskBit 52', params: { maskBit: 52 }, mentions: 'maskBit' },
      { name: 'maskBit 11', params: { maskBit: 11 }, mentions: '12' },
      { name: 'maskBit 47.5', params: { maskBit: 47.5 }, mentions: 'maskBit' },
      { name: 'GPAW 52 with maskBit 47', params: { gpaw: 52, maskBit: 47 }, mentions: '51' },
      { name: 'an unknown key', params: { cbit: 51 }, mentions: 'cbit' },
      {
        name: 'a reason together with a mask',
        params: { gpaw: 48, maskUnknownReason: 'x' },
        mentions: 'maskUnknownReason',
      },
      { name: 'an empty reason', params: { maskUnknownReason: ' ' }, mentions: 'maskUnknownReason' },
      { name: 'an array', params: [52] as unknown as Record<string, unknown>, mentions: 'gpaw' },
      { name: 'null', params: null as unknown as Record<string, unknown>, mentions: 'parameter object' },
    ],
    positive: [
      { name: 'a snapshot of a TD with GPAW 52', evidence: snapshotTd, variant: null, maskBit: 51 },
      {
        name: 'CPUID max leaf 0x23 and the signature',
        evidence: cpuid(0x23, SIG),
        variant: null,
        maskBit: null,
      },
      { name: 'a cpuid -1 -r dump with max leaf exactly 0x21', evidence: dump, variant: null, maskBit: null },
      {
        name: 'the signature with GPAW 48',
        evidence: mergeEvidence(cpuid(0x23, SIG), gpawEvidence(48)),
        variant: null,
        maskBit: 47,
      },
      {
        name: 'a kernel log only',
        evidence: parseKernelLogEvidence(
          '[    0.000000] Linux version 6.8.0\n[    0.000000] tdx: Guest detected\n',
        ),
        variant: null,
        maskBit: null,
      },
      {
        name: 'a journal line only, with GPAW 52',
        evidence: mergeEvidence(
          parseKernelLogEvidence('Feb 14 16:16:55 td1 kernel: Memory Encryption Features active: Intel TDX'),
          gpawEvidence(52),
        ),
        variant: null,
        maskBit: 51,
      },
      {
        name: 'cpuinfo only',
        evidence: parseCpuinfo(
          'processor\t: 0\nflags\t\t: fpu vme de pse tsc msr x2apic hypervisor tdx_guest\n',
        ),
        variant: null,
        maskBit: null,
      },
      {
        name: 'the device node only',
        evidence: new X86EvidenceBuilder().setFile('/dev/tdx_guest', true, 'probe').build(),
        variant: null,
        maskBit: null,
      },
    ],
    negative: [
      { name: 'empty evidence', evidence: emptyEvidence() },
      { name: 'an AMD SEV-SNP guest', evidence: amd },
      {
        name: 'an AMD guest kernel log',
        evidence: parseKernelLogEvidence(
          'Memory Encryption Features active: AMD SEV SEV-ES SEV-SNP\nSEV: Status: SEV SEV-ES SEV-SNP',
        ),
      },
      { name: 'the signature with max leaf 0x20', evidence: cpuid(0x20, SIG) },
      {
        name: 'an Intel host whose leaf 0x21 is zero',
        evidence: cpuid(0x23, { eax: 0, ebx: 0, ecx: 0, edx: 0 }),
      },
      {
        name: 'the signature registers in the wrong order (EBX, ECX, EDX)',
        evidence: cpuid(0x23, { eax: 0, ebx: SIG.ebx, ecx: SIG.edx, edx: SIG.ecx }),
      },
      { name: 'a GPAW alone', evidence: gpawEvidence(52) },
      {
        name: '/dev/tdx_guest absent',
        evidence: new X86EvidenceBuilder().setFile('/dev/tdx_guest', false, 'probe').build(),
      },
      {
        name: 'a log line that only mentions TDX',
        evidence: parseKernelLogEvidence('kvm_intel: tdx: Guest detected by a test harness'),
      },
    ],
  });
  for (const c of cases) it(c.name, c.run);
});
