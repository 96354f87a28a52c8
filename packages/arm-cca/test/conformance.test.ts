import { type BackendConformanceSpec, backendConformance } from '@coco/core/testing';
import { describe, expect, it } from 'vitest';
import { armCcaBackend, REALM_CONFIG_FACT } from '../src/index.js';
import {
  ARM_CCA_DEV,
  evidenceOf,
  FVP_CPUINFO,
  HOST_BOOT_LOG,
  LPA2_REALM_GREP,
  OSRELEASE,
  REALM_BOOT_LOG,
  REFUSED_LINE,
  X86_CPUINFO,
} from './evidence.js';

// Expectations from the facts (rsi.c, pgtable.h, pgtable-hwdef.h, v6.18.2), not from the code: only
// mem-encrypt; the shared bit is the top IPA bit, set on a shared page (encrypted when clear); in 52-bit
// formats OA[51:50] sit at descriptor bits 9:8 (4K/16K LPA2) and OA[51:48] at 15:12 (64K LPA).
const ATTRS = ['mem-encrypt'] as const;
// A 4K page descriptor for 0x81234000 (valid page, AttrIdx 1, SH inner, AF, nG, DBM, PXN, UXN).
const PTE_4K = 0x0068000081234f07n;
// The same with LPA2 (bits 9:8 hold OA[51:50], here 0).
const PTE_4K_LPA2 = 0x0068000081234c07n;
// A 64K descriptor for 0x81230000 (bits 15:12 hold OA[51:48], here 0).
const PTE_64K = 0x0068000081230f07n;

const common = {
  variant: null,
  encryptedWhen: 'clear',
  attributes: ATTRS,
  cvm: 'cca',
  conversion: 'page-table',
} as const;

// The spec follows conformance suite 2 (maskState, entryBits, conversion, positive maskState). Until the
// lead lands it in @coco/core/testing, the suite there is suite 1, which reads a subset of these fields:
// the cast keeps this file compiling against both. Drop the cast once suite 2 is in.
const spec: BackendConformanceSpec = {
  plugin: armCcaBackend,
  types: [
    {
      ...common,
      name: 'IPA width unknown',
      params: {},
      maskState: 'unknown',
      maskBit: null,
      entryBits: {},
    },
    {
      ...common,
      name: 'ipaBits 48, 4K',
      params: { ipaBits: 48 },
      maskState: 'known',
      maskBit: 47,
      entryBits: {
        'arm64-4k': 47,
        'arm64-16k': 47,
        'arm64-64k': 47,
        'arm64-4k-lpa2': 47,
        'arm64-16k-lpa2': 47,
        'arm64-64k-lpa': 47,
      },
      vectors: [
        { input: PTE_4K, encrypted: PTE_4K, decrypted: 0x0068800081234f07n },
        { input: 0x0068800081234f07n, encrypted: PTE_4K, decrypted: 0x0068800081234f07n },
      ],
    },
    {
      ...common,
      name: 'ipaBits 52, 4K LPA2',
      params: { ipaBits: 52 },
      maskState: 'known',
      maskBit: 51,
      entryBits: { 'arm64-4k-lpa2': 9, 'arm64-16k-lpa2': 9, 'arm64-64k-lpa': 15 },
      vectors: [{ input: PTE_4K_LPA2, encrypted: PTE_4K_LPA2, decrypted: 0x0068000081234e07n }],
    },
    {
      ...common,
      name: 'ipaBits 52, 64K LPA',
      params: { ipaBits: 52, granule: 65536 },
      maskState: 'known',
      maskBit: 51,
      entryBits: { 'arm64-64k-lpa': 15, 'arm64-4k-lpa2': 9, 'arm64-16k-lpa2': 9 },
      vectors: [{ input: PTE_64K, encrypted: PTE_64K, decrypted: 0x0068000081238f07n }],
    },
    {
      ...common,
      name: 'ipaBits 49, 64K LPA',
      params: { ipaBits: 49, granule: 65536 },
      maskState: 'known',
      maskBit: 48,
      entryBits: { 'arm64-64k-lpa': 12, 'arm64-4k-lpa2': 48, 'arm64-16k-lpa2': 48 },
      vectors: [{ input: PTE_64K, encrypted: PTE_64K, decrypted: 0x0068000081231f07n }],
    },
    {
      ...common,
      name: 'ipaBits 51, 16K LPA2',
      params: { ipaBits: 51, granule: 16384 },
      maskState: 'known',
      maskBit: 50,
      entryBits: { 'arm64-16k-lpa2': 8, 'arm64-4k-lpa2': 8, 'arm64-64k-lpa': 14 },
      vectors: [{ input: PTE_4K_LPA2, encrypted: PTE_4K_LPA2, decrypted: 0x0068000081234d07n }],
    },
  ],
  invalidParams: [
    { name: 'ipaBits below 32', params: { ipaBits: 31 }, mentions: 'ipaBits' },
    { name: 'ipaBits above 52', params: { ipaBits: 53 }, mentions: 'ipaBits' },
    { name: 'a granule arm64 lacks', params: { granule: 8192 }, mentions: 'granule' },
    {
      name: 'a 52-bit IPA without 52-bit descriptors',
      params: { ipaBits: 52, pa52: false },
      mentions: 'pa52',
    },
    { name: 'an unknown key', params: { maskBit: 47 }, mentions: 'maskBit' },
  ],
  positive: [
    {
      name: 'a realm boot log (FVP, TF-RMM v0.8.0, Linux 6.15)',
      evidence: evidenceOf({ log: REALM_BOOT_LOG, cpuinfo: FVP_CPUINFO }),
      variant: null,
      maskBit: null,
      maskState: 'unknown',
    },
    {
      name: 'arm-cca-dev on arm64',
      evidence: evidenceOf({ cpuinfo: FVP_CPUINFO, files: [[ARM_CCA_DEV, true]] }),
      variant: null,
      maskBit: null,
      maskState: 'unknown',
    },
    {
      name: 'the RSI line with the realm IPA width',
      evidence: evidenceOf({
        log: LPA2_REALM_GREP,
        build: (b) => b.addFact(REALM_CONFIG_FACT, 'ipa-bits', 52, 'launch configuration'),
      }),
      variant: null,
      maskBit: 51,
      maskState: 'known',
    },
  ],
  negative: [
    {
      name: 'its host (a whole boot log)',
      evidence: evidenceOf({ log: HOST_BOOT_LOG, cpuinfo: FVP_CPUINFO }),
    },
    { name: 'an x86 guest', evidence: evidenceOf({ cpuinfo: X86_CPUINFO }) },
    { name: 'an RSI version refused', evidence: evidenceOf({ cpuinfo: FVP_CPUINFO, log: REFUSED_LINE }) },
    {
      name: 'no arm-cca-dev on 6.15',
      evidence: evidenceOf({
        cpuinfo: FVP_CPUINFO,
        files: [
          [ARM_CCA_DEV, false],
          [OSRELEASE, true, '6.15.0-rc1-g916aeec68dd4\n'],
        ],
      }),
    },
  ],
};

describe('arm-cca conformance', () => {
  for (const c of backendConformance(spec)) it(c.name, c.run);

  // What suite 2 adds and suite 1 does not check yet: the mask state and each format's entry bit.
  for (const t of spec.types) {
    it(`${t.name}: mask state and entry bits per format`, () => {
      const type = armCcaBackend.createType(t.params);
      expect(type.maskState).toBe(t.maskState);
      const formats = type.marking?.formats ?? [];
      expect(Object.fromEntries(formats.map((f) => [f.id, f.entryBit]))).toEqual(t.entryBits);
    });
  }
});
