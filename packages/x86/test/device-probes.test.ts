// The CPUID and MSR fact probes over a fake ProbeIO: the positions they read (arch/x86/kernel/cpuid.c
// takes the leaf from the low 32 bits of the file position and the subleaf from the high 32;
// arch/x86/kernel/msr.c takes the MSR index from the position), the ranges and subleaves, the
// AMD-only MSRs, and the notes with their fixes.
import {
  type Evidence,
  EvidenceBuilder,
  type FactProbe,
  type ProbeIO,
  type ProbeRead,
  type ProbeSink,
  parseCpuinfo,
} from '@coco/core';
import { describe, expect, it } from 'vitest';
import {
  CPUID_DEVICE,
  CPUID_PROBE,
  cpuidOf,
  cpuidOffset,
  cpuinfoShowsX86,
  MSR_DEVICE,
  MSR_PROBE,
  msrOf,
  X86_PLUGIN_PARTS,
  X86_PROBES,
} from '../src/index.js';

const ascii4 = (text: string) =>
  [...text.padEnd(4, '\0')].reduce((n, c, i) => n | (c.charCodeAt(0) << (8 * i)), 0) >>> 0;

type Regs = readonly [number, number, number, number];

/** A machine as its two devices answer: CPUID records by position, MSRs by index. */
function fakeIo(
  cpuid: ReadonlyMap<bigint, Regs> | ProbeRead,
  msr: ReadonlyMap<bigint, bigint> | ProbeRead,
  reads: string[] = [],
): ProbeIO {
  return {
    read(path, options = {}) {
      const offset = options.offset ?? 0n;
      reads.push(`${path}@0x${offset.toString(16)}/${options.length}`);
      if (path === CPUID_DEVICE) {
        if (!(cpuid instanceof Map)) return cpuid as ProbeRead;
        const regs: Regs = (cpuid as ReadonlyMap<bigint, Regs>).get(offset) ?? [0, 0, 0, 0];
        const bytes = new Uint8Array(16);
        const view = new DataView(bytes.buffer);
        regs.forEach((r, i) => {
          view.setUint32(i * 4, r, true);
        });
        return { ok: true, bytes };
      }
      if (path === MSR_DEVICE) {
        if (!(msr instanceof Map)) return msr as ProbeRead;
        const value = (msr as ReadonlyMap<bigint, bigint>).get(offset);
        if (value === undefined) return { ok: false, missing: false, reason: 'I/O error', code: 'EIO' };
        const bytes = new Uint8Array(8);
        new DataView(bytes.buffer).setBigUint64(0, value, true);
        return { ok: true, bytes };
      }
      return { ok: false, missing: true, reason: 'it does not exist', code: 'ENOENT' };
    },
  };
}

interface Note {
  source: string;
  reason: string;
  fix: string;
}

/** Runs probes in order as the CLI does: facts into one builder, notes collected. */
function run(probes: readonly FactProbe[], io: ProbeIO, start: Evidence | null = null) {
  const builder = new EvidenceBuilder();
  if (start) builder.merge(start);
  const notes: Note[] = [];
  for (const probe of probes) {
    const sink: ProbeSink<unknown> = {
      fact: (key, value) => void builder.addFact(probe.kind, key, value, 'probe'),
      unavailable: (note) => void notes.push({ ...note }),
      evidence: () => builder.build(),
    };
    probe.run(io, sink);
  }
  return { evidence: builder.build(), notes };
}

const AMD: [bigint, Regs][] = [
  [cpuidOffset(0, 0), [0x10, ascii4('Auth'), ascii4('cAMD'), ascii4('enti')]],
  [cpuidOffset(1, 0), [0x00a10f11, 0, 0x80000000, 0]],
  [cpuidOffset(7, 0), [0x1, 0x219c91a9, 0, 0]],
  [cpuidOffset(7, 1), [0, 0, 0, 0x10]],
  [cpuidOffset(0x4000_0000, 0), [0x4000_000c, ascii4('Micr'), ascii4('osof'), ascii4('t Hv')]],
  [cpuidOffset(0x4000_000c, 0), [0x1, 0xba2, 0, 0]],
  [cpuidOffset(0x8000_0000, 0), [0x8000_0021, 0, 0, 0]],
];

describe('CPUID_PROBE', () => {
  it('reads leaf | subleaf << 32 as the kernel maps the position', () => {
    expect(cpuidOffset(0x7, 1)).toBe(0x1_0000_0007n);
    expect(cpuidOffset(0x8000_001f, 0)).toBe(0x8000_001fn);
    expect(cpuidOffset(0xd, 1)).toBe((1n << 32n) | 0xdn);
  });

  it('reads the three ranges to their maxima, leaf 7 subleaves to its EAX, and the hypervisor range only under a hypervisor', () => {
    const reads: string[] = [];
    const { evidence, notes } = run([CPUID_PROBE], fakeIo(new Map(AMD), new Map(), reads));
    expect(notes).toEqual([]);
    expect(cpuidOf(evidence, 0x4000_000c)).toMatchObject({ eax: 0x1, ebx: 0xba2 });
    expect(cpuidOf(evidence, 7, 1)?.edx).toBe(0x10);
    expect(cpuidOf(evidence, 7, 2)).toBeUndefined();
    expect(cpuidOf(evidence, 0xd, 1)).toBeDefined();
    expect(cpuidOf(evidence, 0x11)).toBeUndefined();
    expect(cpuidOf(evidence, 0x8000_0021)).toBeDefined();
    expect(cpuidOf(evidence, 0x8000_0022)).toBeUndefined();
    expect(reads).toContain(`${CPUID_DEVICE}@0x100000007/16`);
    const noHv = new Map(AMD);
    noHv.set(cpuidOffset(1, 0), [0x00a10f11, 0, 0, 0]);
    const plain = run([CPUID_PROBE], fakeIo(noHv, new Map())).evidence;
    expect(cpuidOf(plain, 0x4000_0000)).toBeUndefined();
  });

  it('says modprobe cpuid for a missing device, root for a refused one, once', () => {
    const missing = run(
      [CPUID_PROBE],
      fakeIo({ ok: false, missing: true, reason: 'x', code: 'ENOENT' }, new Map()),
    );
    expect(missing.notes).toEqual([
      {
        source: CPUID_DEVICE,
        reason: 'the device does not exist',
        fix: 'load the cpuid module (modprobe cpuid) as root',
      },
    ]);
    const refused = run(
      [CPUID_PROBE],
      fakeIo({ ok: false, missing: false, reason: 'x', code: 'EACCES' }, new Map()),
    );
    expect(refused.notes).toEqual([
      { source: CPUID_DEVICE, reason: 'permission denied', fix: 'run coco as root (sudo)' },
    ]);
    const fifo = run(
      [CPUID_PROBE],
      fakeIo(
        { ok: false, missing: false, reason: "it is a FIFO, not the kernel's cpuid device", code: 'EINVAL' },
        new Map(),
      ),
    );
    expect(fifo.notes[0]?.fix).not.toContain('sudo');
    expect(fifo.notes[0]?.fix).toContain('remove it');
  });
});

describe('MSR_PROBE', () => {
  it('reads the SEV status at its index on AMD, after CPUID gave the vendor', () => {
    const reads: string[] = [];
    const msrs = new Map([
      [0xc001_0131n, 0x103dfn],
      [0xc001_0010n, 0n],
    ]);
    const { evidence, notes } = run([CPUID_PROBE, MSR_PROBE], fakeIo(new Map(AMD), msrs, reads));
    expect(notes).toEqual([]);
    expect(msrOf(evidence, 0xc001_0131)?.value).toBe(0x103dfn);
    expect(reads).toContain(`${MSR_DEVICE}@0xc0010131/8`);
  });

  it('reads no MSR on an Intel CPU, from CPUID or else from cpuinfo', () => {
    const intel = new Map(AMD);
    intel.set(cpuidOffset(0, 0), [0x1f, ascii4('Genu'), ascii4('ntel'), ascii4('ineI')]);
    const reads: string[] = [];
    run([CPUID_PROBE, MSR_PROBE], fakeIo(intel, new Map(), reads));
    expect(reads.some((r) => r.startsWith(MSR_DEVICE))).toBe(false);
    const cpuinfo = parseCpuinfo('vendor_id\t: GenuineIntel\nflags\t\t: fpu\n');
    const none: ProbeRead = { ok: false, missing: true, reason: 'x', code: 'ENOENT' };
    const viaCpuinfo = run([CPUID_PROBE, MSR_PROBE], fakeIo(none, none, []), cpuinfo);
    expect(viaCpuinfo.notes.map((n) => n.source)).toEqual([CPUID_DEVICE]);
  });

  it('notes one refused MSR (EIO) by index and name, and one missing device once, with modprobe msr', () => {
    const one = run([MSR_PROBE], fakeIo(new Map(), new Map([[0xc001_0131n, 0x1n]])));
    expect(msrOf(one.evidence, 0xc001_0131)?.value).toBe(1n);
    expect(one.notes).toEqual([
      {
        source: `${MSR_DEVICE} 0xc0010010 (SYSCFG)`,
        reason: 'the CPU or hypervisor refused the read (EIO)',
        fix: 'none needed: this machine does not expose that MSR to the guest',
      },
    ]);
    const gone = run(
      [MSR_PROBE],
      fakeIo(new Map(), { ok: false, missing: true, reason: 'x', code: 'ENOENT' }),
    );
    expect(gone.notes).toEqual([
      {
        source: MSR_DEVICE,
        reason: 'the device does not exist',
        fix: 'load the msr module (modprobe msr) as root',
      },
    ]);
  });
});

describe('X86_PROBES', () => {
  it('declares the two fact probes for x86 architectures only, CPUID first, and the TPM devices', () => {
    expect(X86_PROBES.facts).toEqual([CPUID_PROBE, MSR_PROBE]);
    expect(X86_PROBES.architectures).toEqual(['x64', 'ia32']);
    expect(X86_PLUGIN_PARTS.probes).toBe(X86_PROBES);
    expect(X86_PROBES.files?.map((f) => f.path)).toEqual(
      expect.arrayContaining(['/dev/sev-guest', '/dev/tdx_guest', '/dev/tpm0', '/dev/tpmrm0']),
    );
  });
});

describe('cpuinfoShowsX86', () => {
  it('tells x86 cpuinfo from s390x, arm64 and ppc64 cpuinfo, and says nothing without cpuinfo', () => {
    expect(cpuinfoShowsX86(parseCpuinfo('vendor_id\t: AuthenticAMD\nflags\t\t: fpu\n'))).toBe(true);
    expect(cpuinfoShowsX86(parseCpuinfo('vendor_id       : IBM/S390\nfeatures\t: esan3 zarch\n'))).toBe(
      false,
    );
    expect(cpuinfoShowsX86(parseCpuinfo('processor\t: 0\nFeatures\t: fp asimd\nCPU architecture: 8\n'))).toBe(
      false,
    );
    expect(
      cpuinfoShowsX86(parseCpuinfo('processor\t: 0\ncpu\t\t: POWER9 (architected)\nplatform\t: pSeries\n')),
    ).toBe(false);
    expect(cpuinfoShowsX86(new EvidenceBuilder().build())).toBeUndefined();
  });
});
