// The README's example, with its printed values asserted, so the README stays true.
import { amdVtomBackend } from '@coco/amd-vtom';
import { createRegistry, parseKernelLogEvidence, parseSnapshot, privateMmioAt } from '@coco/core';
import { tdxBackend } from '@coco/tdx';
import { expect, it } from 'vitest';
import { decodeIsolationConfig, hypervPlugin } from '../src/index.js';

it('the README example prints what the README says', () => {
  const registry = createRegistry().use(hypervPlugin).use(amdVtomBackend).use(tdxBackend).seal();
  const snp = registry.detect(
    parseSnapshot({
      format: 'coco-snapshot/1',
      cpuid: [
        {
          leaf: '0x40000000',
          subleaf: '0x0',
          eax: '0x4000000c',
          ebx: '0x7263694d',
          ecx: '0x666f736f',
          edx: '0x76482074',
        },
        { leaf: '0x40000003', subleaf: '0x0', eax: '0xae7f', ebx: '0x7b8030', ecx: '0x0', edx: '0x0' },
        { leaf: '0x4000000c', subleaf: '0x0', eax: '0x1', ebx: '0xba2', ecx: '0x0', edx: '0x0' },
      ],
    }),
  );
  expect(snp.type?.describe()).toBe(
    'AMD SEV-SNP with vTOM under Hyper-V SNP with paravisor, vTOM bit 46, encrypted when clear',
  );
  const { type, hypervisor, paravisor, attributes, mask, cvm } = snp.toJSON();
  expect([type, hypervisor, paravisor, attributes, mask, cvm]).toEqual([
    'amd-vtom',
    'hyperv',
    true,
    ['guest-mem-encrypt', 'mem-encrypt'],
    '0x400000000000',
    'sev-snp',
  ]);
  expect(privateMmioAt(snp.type!.quirks, 0xfec00000n)?.name).toBe('IO-APIC');
  expect(snp.type?.quirks.conversion?.batchLimit).toBe(510);

  const tdx = registry.detect(
    parseKernelLogEvidence(
      [
        '[    0.000000] Hypervisor detected: Microsoft Hyper-V',
        '[    0.000000] Hyper-V: privilege flags low 0xae7f, high 0x7b8030, hints 0xa0e24, misc 0xe0bed7b2',
        '[    0.000000] Hyper-V: Isolation Config: Group A 0x1, Group B 0xbe3',
      ].join('\n'),
    ),
  );
  expect(tdx.type?.describe()).toBe(
    'Intel TDX under Hyper-V TDX with paravisor, shared bit 47, encrypted when clear',
  );
  expect(tdx.type?.attributes.ids).toEqual(['guest-mem-encrypt', 'guest-unroll-string-io', 'mem-encrypt']);
  expect(decodeIsolationConfig(0x1, 0xba2)).toEqual({
    groupA: 1,
    groupB: 2978,
    paravisor: true,
    type: 'snp',
    typeCode: 2,
    boundaryActive: true,
    boundaryBits: 46,
    reservedA: [],
    reservedB: [],
  });
});
