import { createRegistry, type Evidence, mergeEvidence } from '@coco/core';
import { X86EvidenceBuilder } from '@coco/x86';
import { describe, expect, it } from 'vitest';
import { amdVtomBackend } from '../src/index.js';
import {
  AZURE_SNAPSHOT,
  DMESG_MAINLINE_AZURE,
  DMESG_SNP_VTOM,
  logEvidence,
  msrEvidence,
  SYSLOG_OLD_SPELLING,
} from './evidence.js';

function detect(evidence: Evidence) {
  return createRegistry().use(amdVtomBackend).detect(evidence);
}

describe('amd-vtom detection', () => {
  it('classifies the Azure SNP status 0x103df as amd-vtom with only two attributes', () => {
    const detection = detect(msrEvidence(0x103dfn, 'snapshot azure.json'));
    expect(detection.toJSON()).toMatchObject({
      format: 'coco-detection/1',
      confidential: true,
      type: 'amd-vtom',
      variant: null,
      hypervisor: null,
      paravisor: null,
      attributes: ['guest-mem-encrypt', 'mem-encrypt'],
      mask: null,
      maskBit: null,
      encryptedWhen: 'clear',
      cvm: 'sev-snp',
      warnings: [],
    });
    expect(detection.type?.details[0]?.value).toBe('0x103df, vTOM (bit 3) set');
  });

  it('explains the MSR step and the unknown mask', () => {
    const trail = detect(msrEvidence(0x103dfn, 'snapshot azure.json')).trail.filter(
      (s) => s.by === 'amd-vtom',
    );
    expect(trail[0]).toMatchObject({ source: 'msr' });
    expect(trail[0]?.says).toContain('0x103df');
    expect(trail[0]?.says).toContain('bit 3 (vTOM) set');
    expect(trail[0]?.says).toContain('snapshot azure.json');
    expect(trail.at(-1)?.says).toContain('an AMD vTOM guest; mask unknown');
    expect(trail.at(-1)?.says).toContain('0x4000000C');
  });

  it('says why it rejects a status without vTOM', () => {
    const detection = detect(msrEvidence(0x7n));
    expect(detection.type).toBeNull();
    expect(detection.confidential).toBe(false);
    const own = detection.trail.filter((s) => s.by === 'amd-vtom');
    expect(own.map((s) => s.says)).toEqual([
      'SEV status MSR 0xc0010131 = 0x7 from test msr: bit 3 (vTOM) clear',
      'amd-vtom rules its type out: the SEV status MSR has bit 3 (vTOM) clear',
    ]);
  });

  it('detects from the kernel log alone, with a step per line it used or rejected', () => {
    const detection = detect(logEvidence(DMESG_SNP_VTOM));
    expect(detection.type?.id).toBe('amd-vtom');
    expect(detection.type?.cvm).toBe('sev-snp');
    const log = detection.trail.filter((s) => s.source === 'kernel-log').map((s) => s.says);
    expect(log.find((s) => s.includes('not used'))).toContain('dmesg.txt line 1');
    expect(log.find((s) => s.includes('vTom named'))).toContain('dmesg.txt line 2');
  });

  it('reads the mainline line with printk caller ids and the older spelling', () => {
    expect(detect(logEvidence(DMESG_MAINLINE_AZURE)).type?.id).toBe('amd-vtom');
    const old = detect(logEvidence(SYSLOG_OLD_SPELLING));
    expect(old.type?.id).toBe('amd-vtom');
  });

  it('reports an MSR without vTOM and a log with it as a conflict naming both', () => {
    const detection = detect(mergeEvidence(msrEvidence(0x7n, '--msr'), logEvidence(DMESG_MAINLINE_AZURE)));
    expect(detection.type).toBeNull();
    expect(detection.conflicts).toHaveLength(1);
    const conflict = detection.conflicts[0]!;
    expect(conflict.what).toContain('vTOM');
    expect(conflict.sides).toEqual([
      { says: 'bit 3 (vTOM) clear in 0x7', source: '--msr' },
      { says: '"SEV: Status: vTom"', source: 'dmesg.txt line 3' },
    ]);
    expect(detection.toJSON().warnings.join(' ')).toContain('--msr');
  });

  it('reports an MSR with vTOM and a status line without it as a conflict', () => {
    const detection = detect(
      mergeEvidence(msrEvidence(0x103dfn, '--msr'), logEvidence('[ 0.5] SEV: Status: SEV SEV-ES SEV-SNP')),
    );
    expect(detection.type).toBeNull();
    expect(detection.conflicts[0]?.sides.map((s) => s.source)).toEqual(['--msr', 'dmesg.txt line 1']);
  });

  it('agrees with itself on the Azure snapshot (MSR and log)', () => {
    const detection = detect(AZURE_SNAPSHOT);
    expect(detection.conflicts).toEqual([]);
    expect(detection.type?.id).toBe('amd-vtom');
    const own = detection.trail.filter((s) => s.by === 'amd-vtom');
    expect(new Set(own.map((s) => s.source))).toEqual(new Set(['msr', 'kernel-log']));
  });

  it('claims nothing from "Memory Encryption Features active: AMD SEV" alone', () => {
    const detection = detect(logEvidence('Memory Encryption Features active: AMD SEV'));
    expect(detection.type).toBeNull();
    expect(detection.confidential).toBeNull();
    expect(detection.undetermined.map((u) => u.by)).toEqual(['amd-vtom']);
  });

  it('reads "SEV:Status:", "VTOM" in capitals and a status split by pr_cont as the kernel line', () => {
    for (const log of [
      '[ 0.5] SEV:Status: vTom',
      '[ 0.5] SEV: Status: VTOM',
      '[ 0.5] SEV: Status: SEV SEV-ES\n[ 0.5] SEV-SNP vTom ReflectVC',
    ]) {
      expect(detect(logEvidence(log)).type?.id).toBe('amd-vtom');
    }
  });

  it('rules vTOM out where mainline cannot have it: bare metal, another hypervisor, Hyper-V without isolation', () => {
    const cpuid = (leaf: number, regs: { eax?: number; ebx?: number; ecx?: number; edx?: number }) =>
      new X86EvidenceBuilder()
        .addCpuid(leaf, 0, { eax: 0, ebx: 0, ecx: 0, edx: 0, ...regs }, 'cpuid.txt')
        .build();
    expect(detect(cpuid(1, { ecx: 0 })).trail.map((s) => s.says)).toContain(
      'amd-vtom rules its type out: CPUID 1 ECX bit 31 is clear: bare metal, not a vTOM guest',
    );
    const kvm = mergeEvidence(
      cpuid(1, { ecx: 0x8000_0000 }),
      cpuid(0x4000_0000, { eax: 0x4000_0001, ebx: 0x4b4d564b, ecx: 0x564b4d56, edx: 0x4d }),
    );
    expect(detect(kvm).confidential).toBe(false);
    const hypervNotIsolated = mergeEvidence(
      cpuid(1, { ecx: 0x8000_0000 }),
      cpuid(0x4000_0000, { eax: 0x4000_000c, ebx: 0x7263694d, ecx: 0x666f736f, edx: 0x76482074 }),
      cpuid(0x4000_0003, { ebx: 0 }),
    );
    const d = detect(hypervNotIsolated);
    expect(d.confidential).toBe(false);
    expect(d.trail.map((s) => s.says)).toContain(
      'amd-vtom rules its type out: CPUID 0x40000003 EBX says Hyper-V without isolation: no vTOM',
    );
  });
});
