import { emptyEvidence, mergeEvidence } from '@coco/core';
import { backendConformance } from '@coco/core/testing';
import { describe, it } from 'vitest';
import { amdVtomBackend } from '../src/index.js';
import {
  AZURE_SNAPSHOT,
  AZURE_SNP_STATUS,
  DMESG_MAINLINE_AZURE,
  DMESG_SNP_VTOM,
  logEvidence,
  msrEvidence,
  SYSLOG_OLD_SPELLING,
  tdxEvidence,
} from './evidence.js';

// Expectations written from the facts sheet (§1 polarity, §2 attributes), not from the code:
// a vTOM guest has exactly MEM_ENCRYPT and GUEST_MEM_ENCRYPT, and a page is encrypted when the bit is clear.
const ATTRS = ['guest-mem-encrypt', 'mem-encrypt'] as const;
const PTE = 0x8000000123456063n; // NX, physical address 0x123456000, dirty, accessed, RW, present

// Bit 46 (mask 0x0000400000000000): the PTE has it clear, so it is already encrypted.
const BIT46 = [
  { input: PTE, encrypted: 0x8000000123456063n, decrypted: 0x8000400123456063n },
  { input: 0x8000400123456063n, encrypted: 0x8000000123456063n, decrypted: 0x8000400123456063n },
];
// Bit 47 (mask 0x0000800000000000); the last vector has bits 46 and 47 set and only 47 may change.
const BIT47 = [
  { input: PTE, encrypted: 0x8000000123456063n, decrypted: 0x8000800123456063n },
  { input: 0x8000c00123456063n, encrypted: 0x8000400123456063n, decrypted: 0x8000c00123456063n },
];

const cases = backendConformance({
  plugin: amdVtomBackend,
  types: [
    {
      name: 'no boundary',
      params: {},
      variant: null,
      maskBit: null,
      encryptedWhen: 'clear',
      attributes: ATTRS,
      cvm: 'sev-snp',
    },
    {
      name: 'maskBit 46',
      params: { maskBit: 46 },
      variant: null,
      maskBit: 46,
      encryptedWhen: 'clear',
      attributes: ATTRS,
      vectors: BIT46,
    },
    {
      name: 'boundary 0x400000000000',
      params: { boundary: 0x400000000000n },
      variant: null,
      maskBit: 46,
      encryptedWhen: 'clear',
      attributes: ATTRS,
      vectors: BIT46,
    },
    {
      name: 'maskBit 47',
      params: { maskBit: 47 },
      variant: null,
      maskBit: 47,
      encryptedWhen: 'clear',
      attributes: ATTRS,
      vectors: BIT47,
    },
    {
      name: 'boundary 0x800000000000',
      params: { boundary: 0x800000000000n },
      variant: null,
      maskBit: 47,
      encryptedWhen: 'clear',
      attributes: ATTRS,
      vectors: BIT47,
    },
    {
      name: 'both, agreeing on 47',
      params: { maskBit: 47, boundary: 0x800000000000n },
      variant: null,
      maskBit: 47,
      encryptedWhen: 'clear',
      attributes: ATTRS,
      vectors: BIT47,
    },
    {
      name: 'Azure status 0x103df, boundary bit 46',
      params: { sevStatus: AZURE_SNP_STATUS, maskBit: 46 },
      variant: null,
      maskBit: 46,
      encryptedWhen: 'clear',
      attributes: ATTRS,
      cvm: 'sev-snp',
      vectors: BIT46,
    },
  ],
  invalidParams: [
    { name: 'boundary 0x3000n (two bits)', params: { boundary: 0x3000n }, mentions: 'boundary' },
    {
      name: 'boundary 0x400000000001n (not a power of two)',
      params: { boundary: 0x400000000001n },
      mentions: 'power of two',
    },
    { name: 'boundary 0x800n (bit 11)', params: { boundary: 0x800n }, mentions: 'boundary' },
    { name: 'boundary bit 52', params: { boundary: 1n << 52n }, mentions: 'boundary' },
    { name: 'boundary 0n', params: { boundary: 0n }, mentions: 'boundary' },
    { name: 'maskBit 11', params: { maskBit: 11 }, mentions: 'maskBit' },
    { name: 'maskBit 52', params: { maskBit: 52 }, mentions: 'maskBit' },
    { name: 'maskBit 46.5', params: { maskBit: 46.5 }, mentions: 'maskBit' },
    { name: 'maskBit "46"', params: { maskBit: '46' }, mentions: 'maskBit' },
    {
      name: 'maskBit and boundary disagreeing',
      params: { maskBit: 46, boundary: 0x800000000000n },
      mentions: 'disagree',
    },
    { name: 'sevStatus 0x7n (no vTOM bit)', params: { sevStatus: 0x7n }, mentions: 'bit 3' },
    { name: 'an unknown key', params: { gpaw: 48 }, mentions: '"gpaw"' },
  ],
  positive: [
    {
      name: 'SEV status MSR 0x103df (Azure SNP)',
      evidence: msrEvidence(AZURE_SNP_STATUS),
      variant: null,
      maskBit: null,
    },
    {
      name: 'dmesg "SEV: Status: SEV SEV-ES SEV-SNP vTom ..."',
      evidence: logEvidence(DMESG_SNP_VTOM),
      variant: null,
      maskBit: null,
    },
    {
      name: 'mainline Azure dmesg "SEV: Status: vTom"',
      evidence: logEvidence(DMESG_MAINLINE_AZURE),
      variant: null,
      maskBit: null,
    },
    {
      name: 'the older multi-word spelling',
      evidence: logEvidence(SYSLOG_OLD_SPELLING),
      variant: null,
      maskBit: null,
    },
    {
      name: 'MSR and log agreeing',
      evidence: mergeEvidence(msrEvidence(AZURE_SNP_STATUS), logEvidence(DMESG_SNP_VTOM)),
      variant: null,
      maskBit: null,
    },
    { name: 'the Azure snapshot', evidence: AZURE_SNAPSHOT, variant: null, maskBit: null },
  ],
  negative: [
    { name: 'empty evidence', evidence: emptyEvidence() },
    { name: 'SEV status 0x7 (SEV-SNP without vTOM)', evidence: msrEvidence(0x7n) },
    { name: 'SEV status 0x3 (SEV-ES)', evidence: msrEvidence(0x3n) },
    { name: 'an Intel TDX guest', evidence: tdxEvidence() },
    {
      name: 'only "Memory Encryption Features active: AMD SEV"',
      evidence: logEvidence('[    0.5] Memory Encryption Features active: AMD SEV'),
    },
    {
      name: 'a status line without vTom',
      evidence: logEvidence('[    0.544425] SEV: Status: SEV SEV-ES SEV-SNP DebugSwap '),
    },
    {
      name: 'an MSR without vTOM and a log with it (a conflict)',
      evidence: mergeEvidence(msrEvidence(0x7n), logEvidence(DMESG_MAINLINE_AZURE)),
    },
  ],
});

describe('amd-vtom conformance', () => {
  for (const c of cases) it(c.name, c.run);
});
