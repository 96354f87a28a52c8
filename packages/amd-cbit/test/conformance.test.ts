import { emptyEvidence } from '@coco/core';
import { backendConformance } from '@coco/core/testing';
import { describe, it } from 'vitest';
import { amdCbitBackend } from '../src/index.js';
import {
  amd,
  EAX_SEV,
  EAX_SNP_COHERENT,
  EBX_CBIT47,
  EBX_CBIT51,
  ECX_GUEST,
  ECX_METAL,
  intelTdx,
  MAX_EXT_MILAN,
  snpGuest,
} from './evidence.js';

// Attribute sets written from facts §2 (amd_cc_platform_has), not from the code.
const SME = ['mem-encrypt', 'host-mem-encrypt'] as const;
const SEV = ['mem-encrypt', 'guest-mem-encrypt', 'guest-unroll-string-io'] as const;
const SEV_ES = ['mem-encrypt', 'guest-mem-encrypt', 'guest-state-encrypt'] as const;
const SNP = ['mem-encrypt', 'guest-mem-encrypt', 'guest-state-encrypt', 'guest-sev-snp'] as const;

// PTE 0x8000000123456063: NX (63), address 0x123456000, dirty, accessed, RW, present.
// C-bit 51 = 0x0008000000000000; C-bit 47 = 0x0000800000000000. Encrypted = bit set (facts §1).
const PTE = 0x8000000123456063n;
const V51 = [
  { input: PTE, encrypted: 0x8008000123456063n, decrypted: 0x8000000123456063n },
  { input: 0x8008000123456063n, encrypted: 0x8008000123456063n, decrypted: 0x8000000123456063n },
];
const V47 = [
  { input: PTE, encrypted: 0x8000800123456063n, decrypted: 0x8000000123456063n },
  { input: 0x8000800123456063n, encrypted: 0x8000800123456063n, decrypted: 0x8000000123456063n },
];

const SNP_LOG = [
  '[    0.000000] SEV: Status: SEV SEV-ES SEV-SNP DebugSwap ',
  '[    0.512346] Memory Encryption Features active: AMD SEV SEV-ES SEV-SNP',
].join('\n');

const cases = backendConformance({
  plugin: amdCbitBackend,
  types: [
    {
      name: 'SME host, C-bit 47',
      params: { variant: 'sme', maskBit: 47 },
      variant: 'sme',
      maskBit: 47,
      encryptedWhen: 'set',
      attributes: SME,
      cvm: 'none',
      vectors: V47,
    },
    {
      name: 'SEV, C-bit 47',
      params: { variant: 'sev', maskBit: 47 },
      variant: 'sev',
      maskBit: 47,
      encryptedWhen: 'set',
      attributes: SEV,
      cvm: 'sev',
      vectors: V47,
    },
    {
      name: 'SEV-ES, C-bit 51',
      params: { variant: 'sev-es', maskBit: 51 },
      variant: 'sev-es',
      maskBit: 51,
      encryptedWhen: 'set',
      attributes: SEV_ES,
      cvm: 'sev-es',
      vectors: V51,
    },
    {
      name: 'SEV-SNP, C-bit 51',
      params: { variant: 'sev-snp', maskBit: 51 },
      variant: 'sev-snp',
      maskBit: 51,
      encryptedWhen: 'set',
      attributes: SNP,
      cvm: 'sev-snp',
      vectors: V51,
    },
    {
      name: 'status 0x7, C-bit 51',
      params: { sevStatus: 0x7n, maskBit: 51 },
      variant: 'sev-snp',
      maskBit: 51,
      encryptedWhen: 'set',
      attributes: SNP,
      cvm: 'sev-snp',
      vectors: V51,
    },
    {
      name: 'status 0x3, C-bit 47',
      params: { sevStatus: 0x3n, maskBit: 47 },
      variant: 'sev-es',
      maskBit: 47,
      encryptedWhen: 'set',
      attributes: SEV_ES,
      vectors: V47,
    },
    {
      name: 'status 0x1',
      params: { sevStatus: 0x1n, maskBit: 47 },
      variant: 'sev',
      maskBit: 47,
      encryptedWhen: 'set',
      attributes: SEV,
    },
    {
      name: 'status 0 (SME host)',
      params: { sevStatus: 0n, maskBit: 47 },
      variant: 'sme',
      maskBit: 47,
      encryptedWhen: 'set',
      attributes: SME,
    },
    // 0x807: bits 0, 1, 2 and 11 (SecureTSC).
    {
      name: 'SNP with SecureTSC (0x807)',
      params: { sevStatus: 0x807n, maskBit: 51 },
      variant: 'sev-snp',
      maskBit: 51,
      encryptedWhen: 'set',
      attributes: [...SNP, 'guest-snp-secure-tsc'],
      vectors: V51,
    },
    // 0x40807: bits 0, 1, 2, 11 and 18 (SecureAVIC).
    {
      name: 'SNP with SecureTSC and SecureAVIC (0x40807)',
      params: { sevStatus: 0x40807n, maskBit: 51 },
      variant: 'sev-snp',
      maskBit: 51,
      encryptedWhen: 'set',
      attributes: [...SNP, 'guest-snp-secure-tsc', 'snp-secure-avic'],
    },
    {
      name: 'SNP, C-bit unknown',
      params: { variant: 'sev-snp', maskBit: null, maskUnknownReason: 'CPUID 0x8000001f hidden' },
      variant: 'sev-snp',
      maskBit: null,
      encryptedWhen: 'set',
      attributes: SNP,
    },
  ],
  invalidParams: [
    { name: 'C-bit 52', params: { variant: 'sev', maskBit: 52 }, mentions: 'maskBit' },
    { name: 'C-bit 11', params: { variant: 'sev', maskBit: 11 }, mentions: 'maskBit' },
    { name: 'a fractional C-bit', params: { variant: 'sev', maskBit: 47.5 }, mentions: 'maskBit' },
    { name: 'variant tdx', params: { variant: 'tdx', maskBit: 51 }, mentions: 'sme, sev, sev-es, sev-snp' },
    {
      name: 'a variant that contradicts the status',
      params: { variant: 'sev', sevStatus: 0x7n },
      mentions: 'contradicts',
    },
    { name: 'a vTOM status (0x103df)', params: { sevStatus: 0x103dfn }, mentions: 'amd-vtom' },
    { name: 'a negative status', params: { sevStatus: -1n }, mentions: 'sevStatus' },
    { name: 'a 65-bit status', params: { sevStatus: 1n << 64n }, mentions: 'sevStatus' },
    { name: 'a status as a number', params: { sevStatus: 7 }, mentions: 'sevStatus' },
    { name: 'SEV-ES without SEV (0x2)', params: { sevStatus: 0x2n }, mentions: 'bit 0' },
    { name: 'SNP without SEV-ES (0x5)', params: { sevStatus: 0x5n }, mentions: 'bit 1' },
    { name: 'an unknown key', params: { variant: 'sev', gpaw: 48 }, mentions: '"gpaw"' },
    { name: 'no variant and no status', params: {}, mentions: 'variant' },
    {
      name: 'a reduction of 64',
      params: { variant: 'sev', physicalAddressReduction: 64 },
      mentions: 'physicalAddressReduction',
    },
    {
      name: 'a reason with a known C-bit',
      params: { variant: 'sev', maskBit: 51, maskUnknownReason: 'x' },
      mentions: 'maskUnknownReason',
    },
    {
      name: 'smeCoherent as a string',
      params: { variant: 'sme', smeCoherent: 'yes' },
      mentions: 'smeCoherent',
    },
  ],
  positive: [
    { name: 'an SEV-SNP guest (CPUID + MSR 0x7)', evidence: snpGuest, variant: 'sev-snp', maskBit: 51 },
    {
      name: 'an SEV-ES guest (CPUID + MSR 0x3)',
      evidence: amd({
        ecx1: ECX_GUEST,
        maxExt: MAX_EXT_MILAN,
        leaf: { eax: 0xb, ebx: EBX_CBIT47 },
        status: 0x3n,
      }),
      variant: 'sev-es',
      maskBit: 47,
    },
    {
      name: 'an SEV guest (CPUID + MSR 0x1)',
      evidence: amd({
        ecx1: ECX_GUEST,
        maxExt: MAX_EXT_MILAN,
        leaf: { eax: EAX_SEV, ebx: EBX_CBIT47 },
        status: 0x1n,
      }),
      variant: 'sev',
      maskBit: 47,
    },
    {
      name: 'an SME host (bare metal, SYSCFG bit 23, status 0)',
      evidence: amd({
        ecx1: ECX_METAL,
        maxExt: MAX_EXT_MILAN,
        leaf: { eax: 0x1, ebx: EBX_CBIT47 },
        status: 0n,
        syscfg: 0x840000n,
      }),
      variant: 'sme',
      maskBit: 47,
    },
    {
      name: 'an SNP guest from the kernel log only (C-bit unknown)',
      evidence: amd({ log: SNP_LOG }),
      variant: 'sev-snp',
      maskBit: null,
    },
    {
      name: 'an SEV-ES guest from cpuinfo flags',
      evidence: amd({ cpuinfoFlags: 'fpu vme de pse tsc msr pae hypervisor lahf_lm sev sev_es' }),
      variant: 'sev-es',
      maskBit: null,
    },
    {
      name: 'an SNP guest from /dev/sev-guest and CPUID',
      evidence: amd({
        ecx1: ECX_GUEST,
        maxExt: MAX_EXT_MILAN,
        leaf: { eax: EAX_SNP_COHERENT, ebx: EBX_CBIT51 },
        files: { '/dev/sev-guest': true },
      }),
      variant: 'sev-snp',
      maskBit: 51,
    },
  ],
  negative: [
    {
      name: 'the Azure vTOM status 0x103df',
      evidence: amd({ ecx1: ECX_GUEST, maxExt: 0x80000008, status: 0x103dfn }),
    },
    {
      name: 'a vTOM status line',
      evidence: amd({
        log: 'SEV: Status: SEV SEV-ES SEV-SNP vTom ReflectVC AI DebugSwap NoHostIBS BTBIsol VMSARegProt',
      }),
    },
    { name: 'an Intel TDX guest', evidence: intelTdx },
    { name: 'empty evidence', evidence: emptyEvidence() },
    {
      name: 'a KVM guest without SEV (status 0)',
      evidence: amd({ ecx1: ECX_GUEST, maxExt: MAX_EXT_MILAN, leaf: { eax: 0, ebx: 0 }, status: 0n }),
    },
    {
      name: 'an SEV-capable host without SME',
      evidence: amd({ cpuinfoFlags: 'fpu svm sev sev_es sev_snp' }),
    },
  ],
});

describe('amd-cbit conformance', () => {
  for (const c of cases) it(c.name, c.run);
});
