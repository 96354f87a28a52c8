// How the CPUID probe reads /dev/cpu/0/cpuid when reads fail or the CPU's maximum leaves are odd,
// and what each failure of a device read is called and how to fix it. The kernel's errors: a
// missing device is ENOENT (no module) or ENXIO/ENODEV (no such CPU), a CPU or hypervisor that
// refuses a leaf or an MSR makes the read fail with EIO (arch/x86/kernel/{cpuid,msr}.c).
// Written from Stryker's surviving mutants (docs/mutation.md).
import { EvidenceBuilder, type ProbeIO, type ProbeRead } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { CPUID_DEVICE, CPUID_PROBE, type CpuidRegisters, deviceReadFailure } from '../src/index.js';

type Answer = (leaf: number, subleaf: number) => ProbeRead;

/** Runs the CPUID probe over a device answering `answer`: the leaves read, facts kept, notes. */
function probe(answer: Answer) {
  const reads: string[] = [];
  const facts: string[] = [];
  const notes: { source: string; reason: string; fix: string }[] = [];
  const io: ProbeIO = {
    read(path, options = {}) {
      expect(path).toBe('/dev/cpu/0/cpuid'); // arch/x86/kernel/cpuid.c, CPU 0
      const offset = options.offset ?? 0n;
      const leaf = Number(offset & 0xffff_ffffn);
      const subleaf = Number(offset >> 32n);
      reads.push(`0x${leaf.toString(16)}/${subleaf}`);
      return answer(leaf, subleaf);
    },
  };
  CPUID_PROBE.run(io, {
    fact: (key: string, _value: CpuidRegisters) => void facts.push(key),
    unavailable: (note) => void notes.push(note),
    evidence: () => new EvidenceBuilder().build(),
  });
  return { reads, facts, notes };
}

/** A 16-byte record: EAX as given, the rest 0 (CPUID 1 ECX bit 31 clear: no hypervisor range). */
const record = (eax: number): ProbeRead => {
  const bytes = new Uint8Array(16);
  new DataView(bytes.buffer).setUint32(0, eax, true);
  return { ok: true, bytes };
};
const failing = (code: string, missing = false): ProbeRead => ({
  ok: false,
  missing,
  reason: `${code} text`,
  code,
});

describe('deviceReadFailure', () => {
  it('calls a missing device missing, with the module to load', () => {
    for (const failure of [failing('ENOENT'), failing('ENXIO'), failing('ENODEV'), failing('EFOO', true)])
      expect(deviceReadFailure(failure as never, 'cpuid')).toEqual({
        reason: 'the device does not exist',
        fix: 'load the cpuid module (modprobe cpuid) as root',
      });
  });

  it('calls EACCES and EPERM a permission, EIO the CPU refusing, EINVAL something else standing there', () => {
    for (const code of ['EACCES', 'EPERM'])
      expect(deviceReadFailure(failing(code) as never, 'msr')).toEqual({
        reason: 'permission denied',
        fix: 'run coco as root (sudo)',
      });
    expect(deviceReadFailure(failing('EIO') as never, 'msr').fix).toBe(
      'none needed: this machine does not expose that MSR to the guest',
    );
    expect(deviceReadFailure(failing('EIO') as never, 'cpuid').fix).toBe(
      'none needed: this CPU does not answer that leaf',
    );
    expect(deviceReadFailure(failing('EINVAL') as never, 'msr')).toEqual({
      reason: 'EINVAL text',
      fix: 'remove it; loading the msr module (modprobe msr) as root creates the device',
    });
    expect(deviceReadFailure(failing('EBUSY') as never, 'cpuid')).toEqual({
      reason: 'EBUSY text',
      fix: 'run coco as root (sudo), with the cpuid module loaded (modprobe cpuid)',
    });
  });
});

describe('CPUID_PROBE when reads fail', () => {
  it('stops at once when the device is not there: one read, one note for the device', () => {
    const run = probe(() => failing('ENOENT', true));
    expect(run.reads).toEqual(['0x0/0']);
    expect(run.notes).toEqual([
      {
        source: CPUID_DEVICE,
        reason: 'the device does not exist',
        fix: 'load the cpuid module (modprobe cpuid) as root',
      },
    ]);
  });

  it('goes on past a leaf the CPU refuses (EIO), naming the leaves', () => {
    const run = probe(() => failing('EIO'));
    expect(run.reads).toEqual(['0x0/0', '0x80000000/0']);
    expect(run.notes.map((n) => n.source)).toEqual([`${CPUID_DEVICE} 2 leaves from 0x0`]);
  });

  it('counts a short read as the CPU refusing the leaf, and names a single leaf', () => {
    const run = probe((leaf) =>
      leaf === 2 ? { ok: true, bytes: new Uint8Array(8) } : leaf === 0 ? record(3) : record(0x8000_0000),
    );
    expect(run.facts).toEqual(['0x0/0x0', '0x1/0x0', '0x3/0x0', '0x80000000/0x0']);
    expect(run.notes).toEqual([
      {
        source: `${CPUID_DEVICE} leaf 0x2`,
        reason: 'the CPU or hypervisor refused the read (EIO)',
        fix: 'none needed: this CPU does not answer that leaf',
      },
    ]);
  });

  it('is not stopped by a failure at a leaf other than the first', () => {
    const run = probe((leaf) =>
      leaf === 0 ? record(1) : leaf === 1 ? failing('ENXIO') : record(0x8000_0000),
    );
    expect(run.reads).toEqual(['0x0/0', '0x1/0', '0x80000000/0']);
    expect(run.facts).toEqual(['0x0/0x0', '0x80000000/0x0']);
  });
});

describe('CPUID_PROBE and the maximum leaf each range claims', () => {
  const basicReads = (maxBasic: number) =>
    probe((leaf) =>
      leaf === 0 ? record(maxBasic) : leaf === 0x8000_0000 ? record(0x8000_0001) : record(0),
    ).reads.filter((r) => Number(r.split('/')[0]) < 0x8000_0000);

  it('reads each leaf up to the maximum, the cap included', () => {
    expect(basicReads(2)).toEqual(['0x0/0', '0x1/0', '0x2/0']);
    // Leaves 0..0xff, and leaf 0xd's subleaf 1 (leaf 7's subleaves go up to its EAX, here 0).
    expect(basicReads(0xff)).toHaveLength(0x100 + 1);
  });

  it('reads only the first leaf when the maximum is past the cap or is the first leaf itself', () => {
    expect(basicReads(0x100)).toEqual(['0x0/0']);
    expect(basicReads(0)).toEqual(['0x0/0']);
  });

  it('reads only the first extended leaf when its maximum is below the range (an old CPU says 0)', () => {
    const run = probe((leaf) => (leaf === 0 ? record(0) : record(0x10)));
    expect(run.reads).toEqual(['0x0/0', '0x80000000/0']);
    const atCap = probe((leaf) => (leaf === 0 ? record(0) : record(0x8000_00ff)));
    expect(atCap.reads).toHaveLength(2 + 0xff);
  });
});
