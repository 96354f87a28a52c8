// Tests written from Stryker's surviving mutants (docs/mutation.md): Hyper-V detection's words in
// the trail, what rules it out or leaves it undecided, its conflicts side by side, and the
// composition of guests without a paravisor.
import { amdCbitBackend } from '@coco/amd-cbit';
import { amdVtomBackend } from '@coco/amd-vtom';
import {
  type BackendPlugin,
  type BackendResult,
  type Evidence,
  type HypervisorContext,
  mergeEvidence,
} from '@coco/core';
import { tdxBackend } from '@coco/tdx';
import { X86EvidenceBuilder } from '@coco/x86';
import { describe, expect, it } from 'vitest';
import { composeHypervType, decodeIsolationConfig, readHypervLog } from '../src/index.js';
import {
  addHypervCpuid,
  cpuidEvidence,
  HIGH_ISOLATED,
  HIGH_PLAIN,
  HIGH_ROOT,
  hypervLog,
  KVMKVMKVM,
  logEvidence,
  registryWith,
} from './fixtures.js';

const FIX =
  'run coco as root with the cpuid module loaded (modprobe cpuid), or pass the whole boot log (--dmesg)';
const detect = (e: Evidence) => registryWith().detect(e);

/** A hypervisor context that records what the composition says; `answer` is the backend's. */
function recording(answer: BackendResult) {
  const backends: Record<string, BackendPlugin> = {
    'amd-cbit': amdCbitBackend,
    'amd-vtom': amdVtomBackend,
    tdx: tdxBackend,
  };
  const out = {
    steps: [] as [string, string][],
    warnings: [] as string[],
    conflicts: [] as { what: string; sides: readonly { says: string; source: string }[] }[],
  };
  const context: HypervisorContext = {
    step: (source, says) => out.steps.push([source, says]),
    warn: (message) => out.warnings.push(message),
    conflict: (what, sides) => out.conflicts.push({ what, sides }),
    backend: <B>(id: string) => backends[id] as unknown as B,
    hasBackend: (id) => id in backends,
    detectWith: () => null,
    ask: () => answer,
  };
  return { ...out, context };
}
const says = (e: Evidence) =>
  detect(e)
    .trail.filter((s) => s.by === 'hyperv')
    .map((s) => s.says);

describe('hyperv: is it Hyper-V at all', () => {
  it('names the hypervisor line in a step', () => {
    const d = detect(logEvidence('[    0.000000] Hypervisor detected: KVM'));
    expect(d.trail.filter((s) => s.by === 'hyperv').map((s) => s.says)).toContain('Hypervisor detected: KVM');
    expect(d.trail.map((s) => s.says)).toContain('hyperv rules its type out: the hypervisor is not Hyper-V');
  });

  it('says there is no Hyper-V evidence when there is none, and claims nothing', () => {
    const d = detect(
      new X86EvidenceBuilder().addCpuid(0, 0, { eax: 0xd, ebx: 0, ecx: 0, edx: 0 }, 'c').build(),
    );
    expect(d.trail.filter((s) => s.by === 'hyperv').map((s) => [s.source, s.says])).toEqual([
      ['cpuid', 'no Hyper-V evidence'],
    ]);
    expect(d.trail.map((s) => s.says).join('\n')).not.toContain('hyperv rules its type out');
  });

  it('names the CPUID signature and maximum leaf, and why another is not Hyper-V', () => {
    expect(says(cpuidEvidence({ high: HIGH_ISOLATED }))[0]).toBe(
      'CPUID 0x40000000: "Microsoft Hv", max leaf 0x4000000c',
    );
    expect(says(cpuidEvidence({ signature: KVMKVMKVM, maxLeaf: 0x40000001 }))[0]).toBe(
      'CPUID 0x40000000: "KVMKVMKVM\\0\\0\\0", max leaf 0x40000001: not Hyper-V (Linux needs "Microsoft Hv" and a max leaf of 0x40000005..0x4000ffff)',
    );
  });

  it('a KVM signature in CPUID rules Hyper-V out', () => {
    expect(says(cpuidEvidence({ signature: KVMKVMKVM, maxLeaf: 0x40000001 }))).toContain(
      'hyperv rules its type out: the hypervisor is not Hyper-V',
    );
  });
});

describe('hyperv: a conflict ends the detection', () => {
  it('a KVM signature against a Hyper-V log: no step after the conflict', () => {
    const e = mergeEvidence(
      cpuidEvidence({ signature: KVMKVMKVM, maxLeaf: 0x40000001 }),
      logEvidence('[    0.000000] Hypervisor detected: Microsoft Hyper-V'),
    );
    const d = detect(e);
    expect(d.conflicts.map((c) => c.what)).toEqual(['whether the hypervisor is Hyper-V (seen by hyperv)']);
    expect(d.trail.map((s) => s.says)).not.toContain(
      'hyperv rules its type out: the hypervisor is not Hyper-V',
    );
  });
});

describe('hyperv: isolation', () => {
  it('cannot tell without the privileges or an isolation config', () => {
    const d = detect(cpuidEvidence({}));
    expect(d.trail.filter((s) => s.by === 'hyperv').map((s) => [s.source, s.says])).toContainEqual([
      'cpuid',
      'isolation unknown',
    ]);
    expect(d.undetermined).toContainEqual({
      by: 'hyperv',
      because: 'a Hyper-V guest whose isolation (CPUID 0x40000003) is not in the evidence',
      fix: FIX,
    });
  });

  it('names the root partition and a guest without isolation when ruling them out', () => {
    expect(says(cpuidEvidence({ high: HIGH_ROOT }))).toContain(
      'hyperv rules its type out: a Hyper-V root partition',
    );
    const plain = says(cpuidEvidence({ high: HIGH_PLAIN }));
    expect(plain).toContain('CPUID 0x40000003 EBX 0x3b8030: not isolated');
    expect(plain).toContain('hyperv rules its type out: a Hyper-V guest without isolation');
  });

  it('takes the isolation config line alone as isolated, with privileges not known', () => {
    const text = '[    0.000000] Hyper-V: Isolation Config: Group A 0x1, Group B 0xba2';
    expect(says(logEvidence(text))).toContain('CPUID 0x40000003 EBX not known: isolated');
  });

  it('is a conflict when CPUID says not isolated and the kernel printed the isolation config', () => {
    const e = mergeEvidence(
      cpuidEvidence({ high: HIGH_PLAIN }),
      logEvidence('[    0.000000] Hyper-V: Isolation Config: Group A 0x1, Group B 0xba2'),
    );
    const d = detect(e);
    expect(d.conflicts.map(({ what, sides }) => ({ what, sides }))).toContainEqual({
      what: 'whether the Hyper-V guest is isolated (seen by hyperv)',
      sides: [
        { says: 'not isolated (CPUID 0x40000003 EBX 0x3b8030)', source: 'test cpuid' },
        { says: 'isolated: the kernel printed its isolation config', source: 'dmesg line 1' },
      ],
    });
  });

  it('cannot tell an isolated guest without its isolation config, with a warning', () => {
    const d = detect(cpuidEvidence({ high: HIGH_ISOLATED }));
    expect(d.undetermined).toContainEqual({
      by: 'hyperv',
      because: 'an isolated Hyper-V guest whose isolation config (CPUID 0x4000000C) is not in the evidence',
      fix: FIX,
    });
    expect(d.toJSON().warnings.join('\n')).toContain('isolated, but no isolation config: type unknown');
  });

  it('cannot tell an undefined isolation type, saying which and what to check', () => {
    const d = detect(cpuidEvidence({ high: HIGH_ISOLATED, groupA: 0, groupB: 0x5 }));
    expect(d.undetermined).toContainEqual({
      by: 'hyperv',
      because: 'an isolated Hyper-V guest with isolation type 5, which Hyper-V does not define',
      fix: 'check the isolation config (CPUID 0x4000000C EBX[3:0]); a newer coco may know the type',
    });
  });

  it('is a conflict when the CPU vendor cannot run the isolation type', () => {
    const e = addHypervCpuid(
      new X86EvidenceBuilder().addCpuid(
        0,
        0,
        { eax: 0x1f, ebx: 0x756e6547, ecx: 0x6c65746e, edx: 0x49656e69 },
        'cpu0',
      ),
      { high: HIGH_ISOLATED, groupA: 0x1, groupB: 0xba2 },
    ).build();
    expect(detect(e).conflicts.map(({ what, sides }) => ({ what, sides }))).toContainEqual({
      what: 'the CPU vendor of a Hyper-V isolated guest (seen by hyperv)',
      sides: [
        { says: 'isolation type 2 (SNP) runs on AuthenticAMD', source: 'test cpuid' },
        { says: 'GenuineIntel', source: 'cpu0' },
      ],
    });
  });
});

describe('hyperv: composition', () => {
  it('names the vTOM scheme and the mask bit in a step, and the isolation in the details', () => {
    const d = detect(cpuidEvidence({ high: HIGH_ISOLATED, groupA: 0x1, groupB: 0xba2 }));
    expect(d.trail.map((s) => s.says)).toContain('vTOM scheme: amd-vtom, mask bit 46');
    expect(d.type?.details).toContainEqual({
      name: 'Hyper-V isolation',
      value: 'SNP, paravisor, boundary bit 46 (Group A 0x1, Group B 0xba2)',
    });
    expect(d.type?.title).toBe('AMD SEV-SNP with vTOM under Hyper-V SNP with paravisor');
  });

  it('names in each step the CPUID leaf it read', () => {
    const facts = (e: Evidence) =>
      detect(e)
        .trail.filter((s) => s.by === 'hyperv')
        .map((s) => [s.says.slice(0, 24), s.fact]);
    expect(facts(cpuidEvidence({ high: HIGH_ISOLATED, groupA: 0x1, groupB: 0xba2 }))).toEqual([
      ['CPUID 0x40000000: "Micro', 'cpuid 0x40000000/0x0'],
      ['CPUID 0x40000003 EBX 0x7', 'cpuid 0x40000003/0x0'],
      ['Hyper-V isolation: SNP, ', 'cpuid 0x4000000c/0x0'],
      ['vTOM scheme: amd-vtom, m', 'cpuid 0x4000000c/0x0'],
    ]);
    // A Hyper-V leaf 0x40000000 without leaf 0x40000003: the step names the leaf that is missing.
    expect(facts(cpuidEvidence({}))).toContainEqual(['isolation unknown', 'cpuid 0x40000003/0x0']);
  });

  it('names in each step the dmesg line it read, however far into the log', () => {
    const filler = Array.from({ length: 11 }, (_, i) => `[    0.000000] filler ${i}`);
    const d = detect(logEvidence([...filler, hypervLog(0x1, 0xba2)].join('\n')));
    expect(d.trail.filter((s) => s.by === 'hyperv').map((s) => s.fact)).toEqual([
      'dmesg line 12',
      'dmesg line 13',
      'dmesg line 14',
      'dmesg line 14',
    ]);
  });

  it("names the paravisor's vTPM attester as the TEE of an SNP or TDX guest, none for VBS", () => {
    // Confidential Containers' Azure attesters (az-snp-vtpm, az-tdx-vtpm) read the paravisor's
    // vTPM report; a VBS guest has no such report, and a guest without a paravisor none at all.
    const tee = (groupA: number, groupB: number) =>
      detect(cpuidEvidence({ high: HIGH_ISOLATED, groupA, groupB })).type?.tee;
    expect(tee(0x1, 0xba2)).toBe('az-snp-vtpm');
    expect(tee(0x1, 0xbe3)).toBe('az-tdx-vtpm');
    expect(tee(0x1, 0xba1)).toBeNull();
    expect(tee(0x0, 0xbe1)).toBeNull();
  });

  it('names a VBS guest without a paravisor without "with paravisor", and an unknown mask', () => {
    const d = detect(cpuidEvidence({ high: HIGH_ISOLATED, groupA: 0x0, groupB: 0x1 }));
    expect(d.type?.title).toBe('AMD SEV-SNP with vTOM under Hyper-V VBS');
    expect(d.trail.map((s) => s.says)).toContain('vTOM scheme: amd-vtom, mask bit unknown');
  });

  it('accepts boundary bits 12 and 51 and refuses 11 and 52 with a warning', () => {
    const at = (bit: number) =>
      detect(cpuidEvidence({ high: HIGH_ISOLATED, groupA: 0x1, groupB: 0x22 | (bit << 6) }));
    expect(at(12).type?.marking?.maskBit).toBe(12);
    expect(at(51).type?.marking?.maskBit).toBe(51);
    for (const bit of [11, 52]) {
      const d = at(bit);
      expect(d.type?.marking).toBeNull();
      expect(d.toJSON().warnings.join('\n')).toContain(
        `the Hyper-V boundary bit ${bit} is out of range: vTOM mask unknown`,
      );
    }
  });

  it('SNP without a paravisor, which amd-cbit rules out: a conflict, still an amd-cbit SEV-SNP type', () => {
    const c = recording({ verdict: 'absent', because: 'the SEV status is 0' });
    const claim = composeHypervType(decodeIsolationConfig(0x0, 0x2), 'snp', c.context, 'cpuid');
    expect(c.conflicts).toEqual([
      {
        what: 'a Hyper-V SNP guest without a paravisor',
        sides: [
          { says: 'SNP isolation, no paravisor', source: 'Hyper-V isolation config' },
          { says: 'not a SNP guest: the SEV status is 0', source: '@coco/amd-cbit' },
        ],
      },
    ]);
    expect(claim.type.id).toBe('amd-cbit');
    expect(claim.type.variant).toBe('sev-snp');
    expect(claim.paravisor).toBe(false);
  });

  it('TDX without a paravisor, which tdx rules out: a tdx type without a variant', () => {
    const c = recording({ verdict: 'absent', because: 'no signature' });
    const claim = composeHypervType(decodeIsolationConfig(0x0, 0x3), 'tdx', c.context, 'cpuid');
    expect(c.conflicts[0]?.sides[1]).toEqual({ says: 'not a TDX guest: no signature', source: '@coco/tdx' });
    expect(claim.type.id).toBe('tdx');
    expect(claim.type.variant).toBeNull();
  });

  it('SNP without a paravisor whose own status says SEV-ES: a conflict over the AMD variant', () => {
    const sevEs = amdCbitBackend.createType({ variant: 'sev-es' });
    const c = recording({ type: sevEs });
    composeHypervType(decodeIsolationConfig(0x0, 0x2), 'snp', c.context, 'cpuid');
    expect(c.conflicts).toEqual([
      {
        what: 'the AMD variant',
        sides: [
          { says: 'sev-snp', source: 'Hyper-V isolation config' },
          { says: 'sev-es', source: 'amd-cbit' },
        ],
      },
    ]);
    const snp = recording({ type: amdCbitBackend.createType({ variant: 'sev-snp' }) });
    composeHypervType(decodeIsolationConfig(0x0, 0x2), 'snp', snp.context, 'cpuid');
    expect(snp.conflicts).toEqual([]);
  });

  it('a backend that answers nothing is no claim either', () => {
    const c = recording(null);
    const claim = composeHypervType(decodeIsolationConfig(0x0, 0x3), 'tdx', c.context, 'cpuid');
    expect(c.warnings).toEqual(['@coco/tdx found no TDX evidence of its own']);
    expect(claim.type.id).toBe('tdx');
  });

  it('a backend that cannot tell is no claim: the type is built with the reason', () => {
    const c = recording({ verdict: 'unknown', because: 'no MSR', fix: 'modprobe msr' });
    const claim = composeHypervType(decodeIsolationConfig(0x0, 0x2), 'snp', c.context, 'log');
    expect(c.conflicts).toEqual([]);
    expect(c.warnings).toEqual(['@coco/amd-cbit found no SNP evidence of its own']);
    expect(claim.type.maskUnknownReason).toBe('@coco/amd-cbit found no SNP evidence of its own');
    expect(c.steps).toEqual([['log', 'no paravisor: an ordinary amd-cbit guest']]);
  });

  it('names an ordinary guest without a paravisor and keeps its own details', () => {
    const e = mergeEvidence(
      cpuidEvidence({ high: HIGH_ISOLATED, groupA: 0x0, groupB: 0x2 }),
      new X86EvidenceBuilder().addMsr(0xc001_0131, 0x7n, 'msr').build(),
    );
    const d = registryWith([amdCbitBackend]).detect(e);
    expect(d.trail.map((s) => s.says)).toContain('no paravisor: an ordinary amd-cbit guest');
    expect(d.type?.details.at(-1)).toEqual({
      name: 'Hyper-V isolation',
      value: 'SNP, no paravisor, boundary inactive (Group A 0x0, Group B 0x2)',
    });
    expect(d.type?.details.length).toBeGreaterThan(1);
  });
});

describe('hyperv: the kernel log', () => {
  it('reads "Microsoft Hyper-V" and "Microsoft HyperV", whole names only', () => {
    const names = (text: string) => detect(logEvidence(`[    0.000000] Hypervisor detected: ${text}`));
    expect(names('Microsoft HyperV').trail.map((s) => s.says)).not.toContain(
      'hyperv rules its type out: the hypervisor is not Hyper-V',
    );
    for (const other of ['Microsoft Hyper-V 2', 'Not Microsoft Hyper-V']) {
      expect(names(other).trail.map((s) => s.says)).toContain(
        'hyperv rules its type out: the hypervisor is not Hyper-V',
      );
    }
  });

  it('reads a whole "Hypervisor detected" line only, trimmed', () => {
    const lines = (texts: string[]) =>
      texts.map((text, i) => ({ text, raw: text, line: i + 1, source: 'd' }));
    expect(readHypervLog(lines(['Hypervisor detected: KVM  '])).hypervisorNames).toEqual([
      { value: 'KVM', where: 'd line 1' },
    ]);
    expect(readHypervLog(lines(['x Hypervisor detected: KVM'])).hypervisorNames).toEqual([]);
    expect(readHypervLog(lines(['Hyper-V: Hypervisor detected: KVM'])).hypervisorNames).toEqual([]);
    expect(readHypervLog(lines([`Hypervisor detected: ${'K'.repeat(65)}`])).hypervisorNames).toEqual([]);
    const all = readHypervLog(
      lines(
        hypervLog(1, 0xba2)
          .split('\n')
          .map((l) => l.replace(/^\[[^\]]*\] /, '')),
      ),
    );
    expect(all.hypervisorNames.map((n) => n.value)).toEqual(['Microsoft Hyper-V']);
    expect(all.privilegesHigh.map((n) => n.value)).toEqual([HIGH_ISOLATED]);
    expect(all.isolationConfigs.map((n) => n.value)).toEqual([{ groupA: 1, groupB: 0xba2 }]);
  });
});
