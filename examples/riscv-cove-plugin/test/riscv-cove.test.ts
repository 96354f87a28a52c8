// A backend for an architecture core has never heard of, written the way a third party would:
// its own fact kind, cpuinfo fields, no page-table bit. It runs on @coco/core as published, with
// no change to core (issue 12's "done when").
import { createRegistry, EvidenceBuilder, parseCpuinfo, parseSnapshot, toSnapshot } from '@coco/core';
import { type BackendConformanceSpec, backendConformance } from '@coco/core/testing';
import { describe, expect, it } from 'vitest';
import { riscvCoveBackend, SBI_PROBE_FACT } from '../src/index.js';

// /proc/cpuinfo of a RISC-V guest, as arch/riscv/kernel/cpu.c c_show() prints it
// ("processor", "hart", "isa", "mmu", "uarch" fields).
const CPUINFO =
  'processor\t: 0\nhart\t\t: 0\nisa\t\t: rv64imafdch_zicsr_zifencei\nmmu\t\t: sv48\nuarch\t\t: sifive,u74-mc\n';
const COVG = '0x434f5647';

function guest(probe: number) {
  return new EvidenceBuilder()
    .merge(parseCpuinfo(CPUINFO, { source: 'cpuinfo.txt' }))
    .addFact(SBI_PROBE_FACT, COVG, probe, 'acme probe')
    .build();
}

const spec: BackendConformanceSpec = {
  plugin: riscvCoveBackend,
  types: [
    {
      name: 'a TVM',
      params: {},
      variant: null,
      maskBit: null,
      maskState: 'none',
      encryptedWhen: null,
      // The series' cc_platform_has: GUEST_MEM_ENCRYPT and MEM_ENCRYPT are is_cove_guest().
      attributes: ['guest-mem-encrypt', 'mem-encrypt'],
      cvm: 'none',
      conversion: 'call',
    },
  ],
  invalidParams: [{ name: 'any parameter', params: { maskBit: 47 }, mentions: 'maskBit' }],
  positive: [
    { name: 'COVG probed present', evidence: guest(1), variant: null, maskBit: null, maskState: 'none' },
  ],
  negative: [
    { name: 'COVG probed absent', evidence: guest(0) },
    { name: 'an x86 cpuinfo', evidence: parseCpuinfo('vendor_id\t: GenuineIntel\nflags\t\t: fpu vme\n') },
  ],
};

describe('a third-party RISC-V CoVE backend on interface 2', () => {
  for (const c of backendConformance(spec)) it(c.name, c.run);

  it('is detected with its own fact, and says no page-table bit', () => {
    const d = createRegistry().use(riscvCoveBackend).detect(guest(1)).toJSON();
    expect(d).toMatchObject({
      confidential: true,
      type: 'acme:riscv-cove',
      maskState: 'none',
      mask: null,
      encryptedWhen: null,
      cvm: 'none',
    });
    expect(d.evidence).toContainEqual({
      source: 'cove.sbi-probe',
      says: 'sbi_probe_extension(COVG) = 1',
      by: 'acme:riscv-cove',
      fact: 'sbi probe 0x434f5647',
    });
  });

  it('goes through a coco-snapshot/2 and back, and the snapshot keeps its fact', () => {
    const registry = createRegistry().use(riscvCoveBackend);
    const doc = toSnapshot(guest(1), { cpuinfoFields: registry.cpuinfoFields });
    expect(doc.facts).toEqual({ 'cove.sbi-probe': { [COVG]: 1 } });
    expect(doc.cpuinfo).toEqual({ isa: 'rv64imafdch_zicsr_zifencei', mmu: 'sv48' });
    const again = registry.detect(registry.parseSnapshot(JSON.stringify(doc)));
    expect(again.toJSON().type).toBe('acme:riscv-cove');
  });

  it('is read, with a warning, by a coco that lacks the plugin', () => {
    const doc = JSON.stringify(toSnapshot(guest(1)));
    const d = createRegistry().detect(parseSnapshot(doc)).toJSON();
    expect(d.type).toBeNull();
    expect(d.warnings.join('\n')).toMatch(/kind "cove\.sbi-probe".*read by no registered plugin/);
  });

  it('declares its probes for riscv64 only', () => {
    const registry = createRegistry().use(riscvCoveBackend);
    expect(registry.probes('riscv64').cpuinfo).toEqual(['isa', 'mmu']);
    expect(registry.probes('x64').cpuinfo).toEqual([]);
  });

  it('cannot tell on a RISC-V machine whose COVG probe was not read', () => {
    const d = createRegistry().use(riscvCoveBackend).detect(parseCpuinfo(CPUINFO)).toJSON();
    expect(d.confidential).toBeNull();
    expect(d.undetermined[0]?.by).toBe('acme:riscv-cove');
  });
});
