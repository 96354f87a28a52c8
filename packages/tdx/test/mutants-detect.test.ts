// Tests written from Stryker's surviving mutants (docs/mutation.md): each trail step of TDX
// detection word for word, the CPUID validity rule (leaf 0x21 only when CPUID 0 EAX reaches it),
// and when the evidence rules TDX out or cannot tell.
import {
  createRegistry,
  type Evidence,
  EvidenceBuilder,
  mergeEvidence,
  parseKernelLogEvidence,
} from '@coco/core';
import { describe, expect, it } from 'vitest';
import { tdxBackend } from '../src/index.js';
import { cpuid, SIG } from './evidence.js';

function detect(evidence: Evidence) {
  return createRegistry().use(tdxBackend).detect(evidence);
}
function own(evidence: Evidence): string[] {
  return detect(evidence)
    .trail.filter((s) => s.by === 'tdx')
    .map((s) => s.says);
}
const log = (text: string) => parseKernelLogEvidence(text, { source: 'dmesg.txt' });
const CANNOT_TELL = {
  by: 'tdx',
  because: 'neither CPUID leaves 0 and 0x21, nor a whole boot log, nor cpuinfo flags are in the evidence',
  fix: 'run coco as root with the cpuid module loaded (modprobe cpuid), or pass the whole boot log (--dmesg) or /proc/cpuinfo (--cpuinfo)',
};

describe('tdx: CPUID steps', () => {
  it('a signature under a maximum that reaches 0x21', () => {
    expect(own(cpuid(0x21, SIG))[0]).toBe('max basic leaf 0x21, leaf 0x21 reads "IntelTDX    ": a TDX guest');
  });

  it('needs all three signature registers', () => {
    for (const bad of [
      { ...SIG, ebx: 0 },
      { ...SIG, edx: 0 },
      { ...SIG, ecx: 0 },
    ]) {
      expect(own(cpuid(0x23, bad))).toEqual([
        'max basic leaf 0x23: leaf 0x21 holds no TDX signature',
        'tdx rules its type out: CPUID 0x21 holds no "IntelTDX    " signature',
      ]);
    }
  });

  it('no leaf 0x21: below 0x21 rules TDX out, at 0x21 or above cannot tell', () => {
    expect(own(cpuid(0x20))).toEqual([
      'max basic leaf 0x20: no leaf 0x21, so no TDX signature',
      'tdx rules its type out: CPUID 0 EAX 0x20 is below 0x21',
    ]);
    const at = detect(cpuid(0x21));
    expect(at.trail.filter((s) => s.by === 'tdx')[0]?.says).toBe(
      'max basic leaf 0x21: no leaf 0x21, so no TDX signature',
    );
    expect(at.undetermined).toEqual([CANNOT_TELL]);
  });

  it('a leaf 0x21 without signature and without leaf 0 is named too', () => {
    expect(own(cpuid(null, { ...SIG, ebx: 0 }))[0]).toBe('leaf 0 missing: leaf 0x21 holds no TDX signature');
  });

  it('no CPUID at all: no CPUID step, and cannot tell', () => {
    const d = detect(new EvidenceBuilder().build());
    expect(d.trail.filter((s) => s.by === 'tdx' && s.source === 'cpuid')).toEqual([]);
    expect(d.undetermined).toEqual([CANNOT_TELL]);
  });

  it('a signature without leaf 0 is taken unchecked, with a warning', () => {
    const d = detect(cpuid(null, SIG));
    expect(d.type?.id).toBe('tdx');
    expect(d.trail.filter((s) => s.by === 'tdx')[0]?.says).toBe(
      'leaf 0 missing, leaf 0x21 reads "IntelTDX    ": taken as TDX unchecked, as the kernel does',
    );
  });

  it('a stale signature is ignored and, next to other TDX evidence, a conflict naming both', () => {
    const stale = 'max basic leaf 0x20, leaf 0x21 reads "IntelTDX    ", not valid below 0x21: ignored';
    expect(own(cpuid(0x20, SIG))).toEqual([stale, `tdx rules its type out: ${stale}`]);
    const d = detect(mergeEvidence(cpuid(0x20, SIG), log('[    0.000000] tdx: Guest detected')));
    expect(d.conflicts[0]?.sides).toEqual([
      { says: stale, source: 'test cpuid' },
      { says: 'TDX guest: "tdx: Guest detected": tdx.c, v5.19+', source: 'dmesg.txt line 1' },
    ]);
  });
});

describe('tdx: other evidence steps', () => {
  it('names the log line, its origin and where it is', () => {
    expect(own(log('[    0.000000] tdx: Guest detected'))[0]).toBe(
      '"tdx: Guest detected": tdx.c, v5.19+ (dmesg.txt line 1)',
    );
  });

  it('names the cpuinfo flag with its source', () => {
    const e = new EvidenceBuilder().addFlags(['fpu', 'tdx_guest'], '/proc/cpuinfo').build();
    expect(own(e)).toContain('flag tdx_guest (/proc/cpuinfo)');
  });

  it('names /dev/tdx_guest, present or absent', () => {
    const present = new EvidenceBuilder().setFile('/dev/tdx_guest', true, 'probe').build();
    expect(own(present)).toContain('/dev/tdx_guest exists (probe)');
    const missing = new EvidenceBuilder().setFile('/dev/tdx_guest', false, 'probe').build();
    expect(own(missing)).toContain('/dev/tdx_guest absent (probe): its driver may not be loaded');
  });

  it('says a GPAW given alone shows nothing', () => {
    const e = new EvidenceBuilder().setTdxGpaw(52, 'snapshot').build();
    expect(own(e)[0]).toBe('GPAW 52 (snapshot) given, but nothing else shows a TDX guest');
  });

  it('names an odd GPAW in the step and leaves the shared bit unknown', () => {
    const e = mergeEvidence(cpuid(0x21, SIG), new EvidenceBuilder().setTdxGpaw(47, 'snapshot').build());
    const d = detect(e);
    expect(d.trail.filter((s) => s.by === 'tdx').at(-1)?.says).toBe(
      'GPAW 47 (snapshot) is not 48 or 52: shared bit unknown',
    );
    expect(d.type?.marking).toBeNull();
  });
});

describe('tdx: cpuinfo rules TDX out only when it has flags', () => {
  it('flags without tdx_guest rule it out', () => {
    const e = new EvidenceBuilder().addFlags(['fpu', 'hypervisor'], '/proc/cpuinfo').build();
    expect(own(e)).toEqual([
      'tdx rules its type out: cpuinfo has no tdx_guest flag (every TDX guest kernel sets it, v5.19+)',
    ]);
  });

  it('an empty cpuinfo cannot tell', () => {
    const e = new EvidenceBuilder().addFlags([], '/proc/cpuinfo').build();
    expect(detect(e).undetermined).toEqual([CANNOT_TELL]);
  });
});

describe('tdx: the kind of evidence each step comes from', () => {
  const sources = (evidence: Evidence) =>
    detect(evidence)
      .trail.filter((s) => s.by === 'tdx')
      .map((s) => [s.source, s.says]);

  it('CPUID steps are cpuid steps', () => {
    expect(sources(cpuid(0x23, { ...SIG, ebx: 0 }))[0]).toEqual([
      'cpuid',
      expect.stringMatching(/^max basic leaf 0x23: leaf/),
    ]);
    expect(sources(cpuid(null, SIG))[0]).toEqual([
      'cpuid',
      expect.stringMatching(/^leaf 0 missing, leaf 0x21/),
    ]);
    expect(sources(cpuid(0x20, SIG))[0]).toEqual([
      'cpuid',
      expect.stringMatching(/^max basic leaf 0x20, leaf/),
    ]);
  });

  it('the device step is a files step, the lone GPAW a tdx step', () => {
    const missing = new EvidenceBuilder().setFile('/dev/tdx_guest', false, 'probe').build();
    expect(sources(missing)[0]).toEqual(['files', expect.stringMatching(/^\/dev\/tdx_guest absent \(p/)]);
    const gpaw = new EvidenceBuilder().setTdxGpaw(52, 'snapshot').build();
    expect(sources(gpaw)[0]).toEqual(['tdx', expect.stringMatching(/^GPAW 52 \(snapshot\) given/)]);
  });
});
