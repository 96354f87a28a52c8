import { EvidenceBuilder, mergeEvidence } from '@coco/core';
import { describe, expect, it } from 'vitest';
import {
  addHypervCpuid,
  addTdxCpuid,
  cpuidEvidence,
  HIGH_ISOLATED,
  HIGH_PLAIN,
  HIGH_ROOT,
  hypervLog,
  intelBase,
  KVMKVMKVM,
  logEvidence,
  registryWith,
} from './fixtures.js';

// Expected values written from the facts sheet §1, §2, §6 and §8, not from the code.
const VTOM_ATTRS = ['guest-mem-encrypt', 'mem-encrypt'];
const TDX_ATTRS = ['guest-mem-encrypt', 'guest-unroll-string-io', 'mem-encrypt'];
const SNP_ATTRS = ['guest-mem-encrypt', 'guest-sev-snp', 'guest-state-encrypt', 'mem-encrypt'];

const sources = {
  cpuid: (a: number, b: number) => cpuidEvidence({ high: HIGH_ISOLATED, groupA: a, groupB: b }),
  'kernel-log': (a: number, b: number) => logEvidence(hypervLog(a, b)),
} as const;

describe.each(Object.entries(sources))('Hyper-V isolated guests from %s', (source, evidenceOf) => {
  it('Azure SNP with a paravisor (Group A 0x1, Group B 0xba2) is amd-vtom with the boundary bit 46', () => {
    const json = registryWith().detect(evidenceOf(0x1, 0xba2)).toJSON();
    expect(json).toMatchObject({
      format: 'coco-detection/1',
      confidential: true,
      type: 'amd-vtom',
      variant: null,
      hypervisor: 'hyperv',
      paravisor: true,
      attributes: VTOM_ATTRS,
      mask: '0x400000000000',
      maskBit: 46,
      encryptedWhen: 'clear',
      cvm: 'sev-snp',
      warnings: [],
    });
    expect(json.evidence).toContainEqual({
      source,
      says: 'Hyper-V isolation: SNP, paravisor, boundary bit 46 (Group A 0x1, Group B 0xba2)',
      by: 'hyperv',
    });
  });

  it('Azure TDX with a paravisor (0x1, 0xbe3) stays tdx with the boundary bit 47 as its shared bit', () => {
    const json = registryWith().detect(evidenceOf(0x1, 0xbe3)).toJSON();
    expect(json).toMatchObject({
      confidential: true,
      type: 'tdx',
      variant: null,
      hypervisor: 'hyperv',
      paravisor: true,
      attributes: TDX_ATTRS,
      mask: '0x800000000000',
      maskBit: 47,
      encryptedWhen: 'clear',
      cvm: 'tdx',
      warnings: [],
    });
  });

  it('VBS with a paravisor (0x1, 0xba1) is amd-vtom, and systemd calls it none', () => {
    const json = registryWith().detect(evidenceOf(0x1, 0xba1)).toJSON();
    expect(json).toMatchObject({
      type: 'amd-vtom',
      paravisor: true,
      hypervisor: 'hyperv',
      attributes: VTOM_ATTRS,
      maskBit: 46,
      cvm: 'none',
      warnings: [],
    });
  });

  it('VBS without a paravisor (0x0, 0xbe1) still uses the vTOM scheme, paravisor false', () => {
    const json = registryWith().detect(evidenceOf(0x0, 0xbe1)).toJSON();
    expect(json).toMatchObject({
      type: 'amd-vtom',
      paravisor: false,
      hypervisor: 'hyperv',
      attributes: VTOM_ATTRS,
      mask: '0x800000000000',
      maskBit: 47,
      cvm: 'none',
      warnings: [],
    });
  });

  it('a paravisor with the boundary inactive (0x1, 0x2) gives an unknown mask and a warning', () => {
    const detection = registryWith().detect(evidenceOf(0x1, 0x2));
    const json = detection.toJSON();
    expect(json).toMatchObject({
      type: 'amd-vtom',
      paravisor: true,
      attributes: VTOM_ATTRS,
      mask: null,
      maskBit: null,
      encryptedWhen: 'clear',
      cvm: 'sev-snp',
    });
    expect(detection.type?.maskUnknownReason).toMatch(/not active/);
    expect(json.warnings).toHaveLength(1);
    expect(json.warnings[0]).toMatch(/^hyperv: .*boundary is not active/);
  });

  it('reserved bits set (Group A bit 1, Group B bit 4) are a warning, the rest still decodes', () => {
    const json = registryWith().detect(evidenceOf(0x3, 0xbb2)).toJSON();
    expect(json).toMatchObject({ type: 'amd-vtom', paravisor: true, maskBit: 46 });
    expect(json.warnings).toEqual(['hyperv: reserved isolation config bits set (A: 1; B: 4); ignored']);
  });

  it('an isolation type Hyper-V does not define (5) is a warning, no type, and cannot tell', () => {
    const json = registryWith().detect(evidenceOf(0x1, 0xba5)).toJSON();
    expect(json).toMatchObject({ type: null, confidential: null, hypervisor: null });
    expect(json.undetermined.map((u) => u.by)).toContain('hyperv');
    expect(json.warnings.some((w) => /isolation type 5 is undefined/.test(w))).toBe(true);
  });

  it('isolation type 0 (none) is not a confidential guest', () => {
    const json = registryWith()
      .detect(mergeEvidence(evidenceOf(0x0, 0x0), intelBase()))
      .toJSON();
    // From CPUID every backend rules its type out; a log fragment leaves amd-vtom unable to.
    expect(json).toMatchObject(
      source === 'cpuid'
        ? // Not composed: the hypervisor is named as systemd-detect-virt names it.
          { type: null, confidential: false, hypervisor: 'microsoft', cvm: 'none' }
        : { type: null, confidential: null, hypervisor: null },
    );
    expect(json.evidence).toContainEqual({
      source: 'core',
      says: 'hyperv rules its type out: Hyper-V isolation type 0 (none)',
      by: 'hyperv',
    });
  });
});

describe('fully enlightened guests (no paravisor) come from their own backend', () => {
  it('Azure TDX preview (0x0, 0x3) with its own TDX evidence is an ordinary tdx guest, GPAW 52', () => {
    const builder = addTdxCpuid(
      addHypervCpuid(new EvidenceBuilder(), { high: HIGH_ISOLATED, groupA: 0, groupB: 3 }),
    );
    builder.setTdxGpaw(52, 'test tdx');
    const json = registryWith().detect(builder.build()).toJSON();
    expect(json).toMatchObject({
      confidential: true,
      type: 'tdx',
      hypervisor: 'hyperv',
      paravisor: false,
      attributes: TDX_ATTRS,
      mask: '0x8000000000000',
      maskBit: 51,
      encryptedWhen: 'clear',
      cvm: 'tdx',
      warnings: [],
    });
  });

  it('(0x0, 0x3) from the kernel log with "tdx: Guest detected" is tdx, the shared bit unknown without GPAW', () => {
    const text = `${hypervLog(0x0, 0x3)}\n[    0.000000] tdx: Guest detected`;
    const detection = registryWith().detect(logEvidence(text));
    expect(detection.toJSON()).toMatchObject({
      type: 'tdx',
      hypervisor: 'hyperv',
      paravisor: false,
      maskBit: null,
      cvm: 'tdx',
      warnings: [],
    });
  });

  it('(0x0, 0x3) with no TDX evidence of its own: still tdx, mask unknown, and a warning saying so', () => {
    const detection = registryWith().detect(cpuidEvidence({ high: HIGH_ISOLATED, groupA: 0, groupB: 3 }));
    const json = detection.toJSON();
    expect(json).toMatchObject({ type: 'tdx', paravisor: false, hypervisor: 'hyperv', maskBit: null });
    expect(json.warnings).toHaveLength(1);
    expect(json.warnings[0]).toMatch(/@coco\/tdx found no TDX evidence of its own/);
  });

  it('SNP without a paravisor (0x0, 0x2) with its own SEV status is an ordinary amd-cbit SEV-SNP guest', () => {
    const builder = addHypervCpuid(new EvidenceBuilder(), { high: HIGH_ISOLATED, groupA: 0, groupB: 2 });
    builder.addCpuid(0x80000000, 0, { eax: 0x80000021, ebx: 0, ecx: 0, edx: 0 }, 'test cpuid');
    // EAX: SME, SEV, SEV-ES, SNP; EBX: C-bit 51, reduction 1, 4 VMPLs.
    builder.addCpuid(0x8000001f, 0, { eax: 0x1b, ebx: 0x4073, ecx: 0, edx: 0 }, 'test cpuid');
    builder.addMsr(0xc0010131, 0x7n, 'test msr');
    const json = registryWith().detect(builder.build()).toJSON();
    expect(json).toMatchObject({
      type: 'amd-cbit',
      variant: 'sev-snp',
      hypervisor: 'hyperv',
      paravisor: false,
      attributes: SNP_ATTRS,
      maskBit: 51,
      encryptedWhen: 'set',
      cvm: 'sev-snp',
    });
  });

  it('SNP without a paravisor and no AMD evidence: amd-cbit sev-snp with the C-bit unknown, and a warning', () => {
    const json = registryWith()
      .detect(cpuidEvidence({ high: HIGH_ISOLATED, groupA: 0, groupB: 2 }))
      .toJSON();
    expect(json).toMatchObject({
      type: 'amd-cbit',
      variant: 'sev-snp',
      paravisor: false,
      attributes: SNP_ATTRS,
      maskBit: null,
      cvm: 'sev-snp',
    });
    expect(json.warnings.some((w) => /@coco\/amd-cbit found no SNP evidence/.test(w))).toBe(true);
  });
});

describe('not an isolated Hyper-V guest: no claim', () => {
  it.each([
    ['an ordinary Hyper-V guest (bit 22 clear), CPUID', cpuidEvidence({ high: HIGH_PLAIN })],
    [
      'a root partition (bits 22 and 12 set), CPUID',
      cpuidEvidence({ high: HIGH_ROOT, groupA: 1, groupB: 0xba2 }),
    ],
    [
      'an ordinary Hyper-V guest, kernel log',
      logEvidence(hypervLog(0, 0, HIGH_PLAIN).split('\n').slice(0, 2).join('\n')),
    ],
    ['a root partition, kernel log', logEvidence(hypervLog(1, 0xba2, HIGH_ROOT))],
    [
      'KVM',
      cpuidEvidence({
        signature: KVMKVMKVM,
        maxLeaf: 0x40000001,
        high: HIGH_ISOLATED,
        groupA: 1,
        groupB: 0xba2,
      }),
    ],
    [
      '"Microsoft Hv" with a max leaf below 0x40000005',
      cpuidEvidence({ maxLeaf: 0x40000004, high: HIGH_ISOLATED }),
    ],
    ['nothing at all', new EvidenceBuilder().build()],
  ])('%s', (_name, evidence) => {
    const detection = registryWith().detect(evidence);
    expect(detection.toJSON()).toMatchObject({ type: null, hypervisor: null, paravisor: null, warnings: [] });
    expect(detection.confidential).not.toBe(true);
    expect(detection.trail.some((s) => s.by === 'hyperv')).toBe(true);
    // With CPUID's hypervisor leaf and the basic and extended leaves of an Intel guest, every
    // backend rules its type out; from the log alone amd-vtom cannot (a fragment proves nothing absent).
    const full = registryWith().detect(mergeEvidence(evidence, intelBase()));
    expect(full.toJSON()).toMatchObject({
      type: null,
      confidential: evidence.cpuid(0x4000_0000) ? false : null,
      warnings: [],
    });
  });

  it('the root partition is named in the trail', () => {
    const detection = registryWith().detect(cpuidEvidence({ high: HIGH_ROOT, groupA: 1, groupB: 0xba2 }));
    expect(detection.trail).toContainEqual({
      source: 'cpuid',
      says: 'CPUID 0x40000003 EBX 0x7b9030: root partition',
      by: 'hyperv',
    });
  });

  it('a max leaf below 0x4000000c skips the CPUID isolation config, the log still gives it', () => {
    const cpu = cpuidEvidence({ maxLeaf: 0x4000000b, high: HIGH_ISOLATED, groupA: 1, groupB: 0xbe3 });
    expect(registryWith().detect(cpu).toJSON()).toMatchObject({ type: null });
    const both = mergeEvidence(
      cpuidEvidence({ maxLeaf: 0x4000000b, high: HIGH_ISOLATED }),
      logEvidence(hypervLog(1, 0xba2)),
    );
    expect(registryWith().detect(both).toJSON()).toMatchObject({
      type: 'amd-vtom',
      maskBit: 46,
      hypervisor: 'hyperv',
    });
  });
});

describe('CPUID and the kernel log together', () => {
  it('agreeing sources give the same answer, with steps from both', () => {
    const evidence = mergeEvidence(sources.cpuid(1, 0xba2), sources['kernel-log'](1, 0xba2));
    const detection = registryWith().detect(evidence);
    expect(detection.toJSON()).toMatchObject({ type: 'amd-vtom', maskBit: 46, warnings: [] });
    const kinds = new Set(detection.trail.filter((s) => s.by === 'hyperv').map((s) => s.source));
    expect(kinds).toEqual(new Set(['cpuid', 'kernel-log']));
  });

  it('a real Azure SNP boot log with the SEV lines the kernel prints for vTOM still composes amd-vtom', () => {
    const text = [
      hypervLog(1, 0xba2),
      '[    0.000000] Memory Encryption Features active: AMD SEV',
      '[    0.000000] SEV: Status: vTom',
    ].join('\n');
    const json = registryWith()
      .detect(mergeEvidence(sources.cpuid(1, 0xba2), logEvidence(text)))
      .toJSON();
    expect(json).toMatchObject({
      type: 'amd-vtom',
      maskBit: 46,
      paravisor: true,
      cvm: 'sev-snp',
      warnings: [],
    });
  });

  it('a different isolation config in CPUID and the log is a conflict, never a guess', () => {
    const evidence = mergeEvidence(sources.cpuid(1, 0xba2), logEvidence(hypervLog(1, 0xbe3)));
    const json = registryWith().detect(evidence).toJSON();
    expect(json.type).toBeNull();
    expect(json.warnings).toContainEqual(
      'conflict over Hyper-V isolation config (CPUID 0x4000000C) (seen by hyperv): Group A 0x1, Group B 0xba2 (test cpuid) vs Group A 0x1, Group B 0xbe3 (dmesg line 3)',
    );
  });

  it('CPUID 0x40000003 EBX and the log line disagreeing is a conflict', () => {
    const evidence = mergeEvidence(
      cpuidEvidence({ high: HIGH_PLAIN }),
      logEvidence(hypervLog(1, 0xba2, HIGH_ISOLATED)),
    );
    const json = registryWith().detect(evidence).toJSON();
    expect(json.type).toBeNull();
    expect(json.warnings.some((w) => w.startsWith('conflict over CPUID 0x40000003 EBX'))).toBe(true);
  });

  it('a KVM signature in CPUID against a Hyper-V kernel log is a conflict', () => {
    const evidence = mergeEvidence(
      cpuidEvidence({ signature: KVMKVMKVM, maxLeaf: 0x40000001 }),
      logEvidence(hypervLog(1, 0xba2)),
    );
    const json = registryWith().detect(evidence).toJSON();
    expect(json.type).toBeNull();
    expect(
      json.warnings.some(
        (w) =>
          w ===
          'conflict over whether the hypervisor is Hyper-V (seen by hyperv): another (test cpuid) vs Hyper-V (dmesg line 1) vs Hyper-V (dmesg line 3)',
      ),
    ).toBe(true);
  });

  it('only leaf 0x4000000C, with no 0x40000000: Hyper-V is not assumed, a warning says what to add', () => {
    const evidence = new EvidenceBuilder()
      .addCpuid(0x4000000c, 0, { eax: 1, ebx: 0xba2, ecx: 0, edx: 0 }, 's')
      .build();
    const json = registryWith().detect(evidence).toJSON();
    expect(json.hypervisor).toBeNull();
    expect(json.warnings.some((w) => /add CPUID 0x40000000 and 0x40000003/.test(w))).toBe(true);
  });
});
