import {
  createRegistry,
  type DetectContext,
  type Evidence,
  EvidenceBuilder,
  emptyEvidence,
  mergeEvidence,
  parseCpuinfo,
  parseKernelLogEvidence,
  parseSnapshot,
  tdxGpawEvidence,
} from '@coco/core';
import { describe, expect, it } from 'vitest';
import { TDX_SIGNATURE } from '../src/detect.js';
import { detectTdx, tdxBackend } from '../src/index.js';
import { cpuid, SIG } from './evidence.js';

const detect = (evidence: Evidence) => createRegistry().use(tdxBackend).detect(evidence);
const log = (text: string) => parseKernelLogEvidence(text, { source: 'dmesg.txt' });

function recorder() {
  const steps: { source: string; says: string }[] = [];
  const warnings: string[] = [];
  const conflicts: { what: string; sides: readonly { says: string; source: string }[] }[] = [];
  const context: DetectContext = {
    step: (source, says) => void steps.push({ source, says }),
    warn: (message) => void warnings.push(message),
    conflict: (what, sides) => void conflicts.push({ what, sides }),
  };
  return { steps, warnings, conflicts, context };
}

describe('TDX detection', () => {
  it('knows the signature as little-endian ASCII in EBX, EDX, ECX', () => {
    const ascii = (v: number) => String.fromCharCode(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
    const { ebx, edx, ecx } = TDX_SIGNATURE;
    expect(ascii(ebx) + ascii(edx) + ascii(ecx)).toBe('IntelTDX    ');
    expect(SIG).toMatchObject(TDX_SIGNATURE);
  });

  it('leaves a step from each source it used, with the sources named', () => {
    const evidence = mergeEvidence(
      cpuid(0x23, SIG),
      log('[    0.000000] tdx: Guest detected'),
      new EvidenceBuilder()
        .addFlags(['tdx_guest'], 'cpuinfo c.txt')
        .setFile('/dev/tdx_guest', true, 'probe')
        .build(),
      tdxGpawEvidence(52),
    );
    const d = detect(evidence);
    expect(d.type?.describe()).toBe('Intel TDX, shared bit 51, encrypted when clear');
    expect(d.cvm).toBe('tdx');
    expect(d.warnings).toEqual([]);
    const bySource = new Map(d.trail.filter((s) => s.by === 'tdx').map((s) => [s.source, s.says]));
    expect([...bySource.keys()].sort()).toEqual(['cpuid', 'cpuinfo', 'files', 'kernel-log', 'tdx']);
    expect(bySource.get('cpuid')).toBe('max basic leaf 0x23, leaf 0x21 reads "IntelTDX    ": a TDX guest');
    expect(bySource.get('kernel-log')).toMatch(/dmesg\.txt line 1/);
    expect(bySource.get('tdx')).toBe('GPAW 52 (--tdx-gpaw): shared bit 51');
    expect(d.toJSON()).toMatchObject({
      type: 'tdx',
      variant: null,
      attributes: ['guest-mem-encrypt', 'guest-unroll-string-io', 'mem-encrypt'],
      mask: '0x8000000000000',
      maskBit: 51,
      encryptedWhen: 'clear',
      cvm: 'tdx',
    });
  });

  it('without a GPAW detects the type with the mask unknown and says how to give it', () => {
    const d = detect(log('tdx: Guest detected'));
    expect(d.type?.marking).toBeNull();
    expect(d.type?.maskUnknownReason).toMatch(/tdx\.gpaw.*--tdx-gpaw/);
    expect(d.toJSON().mask).toBeNull();
    expect(d.trail.some((s) => s.source === 'tdx' && /no GPAW/.test(s.says))).toBe(true);
  });

  it('takes the signature without leaf 0, but warns that the maximum leaf was not checked', () => {
    const d = detect(cpuid(null, SIG));
    expect(d.type?.id).toBe('tdx');
    expect(d.warnings).toHaveLength(1);
    expect(d.warnings[0]).toMatch(/^tdx: CPUID leaf 0 missing: .*include leaf 0$/);
  });

  it('reports a conflict when the log says TDX but leaf 0x21 is ruled out by the maximum leaf', () => {
    const d = detect(mergeEvidence(cpuid(0x1f, SIG), log('tdx: Guest detected')));
    expect(d.type).toBeNull();
    expect(d.confidential).toBeNull();
    expect(d.cvm).toBeNull();
    expect(d.conflicts).toHaveLength(1);
    const [conflict] = d.conflicts;
    expect(conflict?.what).toMatch(/CPUID leaf 0x21 is not valid.*seen by tdx/);
    expect(conflict?.sides.map((s) => s.source)).toEqual(['test cpuid', 'dmesg.txt line 1']);
    expect(conflict?.sides[0]?.says).toMatch(/max basic leaf 0x1f, .*not valid below 0x21/);
  });

  it('rejects a signature ruled out by the maximum leaf, with a step and no claim', () => {
    const d = detect(cpuid(0x1f, SIG));
    expect(d.type).toBeNull();
    expect(d.confidential).toBe(false);
    expect(d.conflicts).toEqual([]);
    expect(d.trail.find((s) => s.by === 'tdx')?.says).toMatch(/not valid below 0x21: ignored$/);
  });

  it('does not count a missing TDX leaf against the log (a paravisor may hide it)', () => {
    const d = detect(
      mergeEvidence(
        cpuid(0x23, { eax: 0, ebx: 0, ecx: 0, edx: 0 }),
        log('Memory Encryption Features active: Intel TDX'),
      ),
    );
    expect(d.type?.id).toBe('tdx');
    expect(d.conflicts).toEqual([]);
  });

  it('warns about a GPAW with nothing else pointing to TDX', () => {
    const d = detect(tdxGpawEvidence(48));
    expect(d.type).toBeNull();
    expect(d.warnings).toEqual(['tdx: GPAW 48 (--tdx-gpaw) given, but nothing else shows a TDX guest']);
  });

  it('leaves the mask unknown for a GPAW that is not 48 or 52, with a warning', () => {
    for (const gpaw of [1, 50, 64]) {
      const evidence = new EvidenceBuilder()
        .setTdxGpaw(gpaw, 'probe')
        .addFlags(['tdx_guest'], 'cpuinfo')
        .build();
      const d = detect(evidence);
      expect(d.type?.marking, `gpaw ${gpaw}`).toBeNull();
      expect(d.type?.maskUnknownReason).toBe(`GPAW ${gpaw} (probe) is not 48 or 52`);
      expect(d.warnings).toHaveLength(1);
    }
  });

  it('reports two different GPAWs as a conflict (core records it)', () => {
    const d = detect(
      mergeEvidence(log('tdx: Guest detected'), tdxGpawEvidence(52), tdxGpawEvidence(48, 'other')),
    );
    expect(d.type).toBeNull();
    expect(d.conflicts[0]?.what).toBe('tdx.gpaw');
  });

  it('flags and paths that only look like the TDX ones do not count', () => {
    const d = detect(
      parseSnapshot(
        '{"format":"coco-snapshot/1","cpuinfoFlags":["tdx_guest_extra","tdx"],"files":{"/dev/tdx-guest":true}}',
      ),
    );
    expect(d.type).toBeNull();
  });

  it('never throws on odd evidence', () => {
    const odd: unknown[] = [
      {},
      { cpuid: () => ({ eax: 'x', ebx: null, ecx: -1, edx: 2 ** 40, source: 's' }) },
      {
        cpuid: (leaf: number) => (leaf === 0 ? { eax: Number.NaN } : { ...SIG, source: 's' }),
        kernelLog: [null, 42, { text: 7 }, { text: 'tdx: Guest detected', line: 1, source: 'x' }],
        hasFlag: () => {
          throw new Error('hostile');
        },
      },
      {
        get kernelLog() {
          throw new Error('hostile getter');
        },
      },
      new Proxy(
        {},
        {
          get() {
            throw Object.create(null);
          },
        },
      ),
    ];
    for (const evidence of odd) {
      const r = recorder();
      expect(() => detectTdx(evidence as Evidence, r.context)).not.toThrow();
    }
    const r = recorder();
    expect(detectTdx({} as Evidence, r.context)).toBeNull();
    expect(r.warnings[0]).toBe('evidence unreadable: TDX not assessed');
  });

  it('handles long logs and extreme CPUID values', () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `[ ${i}.000000] line ${i} ${'x'.repeat(i % 300)}`);
    lines.push('tdx: Guest detected');
    expect(detect(log(lines.join('\n'))).type?.id).toBe('tdx');
    expect(detect(cpuid(0xffffffff, SIG)).type?.id).toBe('tdx');
    expect(
      detect(cpuid(0xffffffff, { eax: 0xffffffff, ebx: 0xffffffff, ecx: 0xffffffff, edx: 0xffffffff })).type,
    ).toBeNull();
  });

  it('cannot tell from empty evidence, and says what would decide', () => {
    const r = recorder();
    expect(detectTdx(emptyEvidence(), r.context)).toEqual({
      verdict: 'unknown',
      because: 'neither CPUID leaves 0 and 0x21, nor a whole boot log, nor cpuinfo flags are in the evidence',
      fix: 'run coco as root with the cpuid module loaded (modprobe cpuid), or pass the whole boot log (--dmesg) or /proc/cpuinfo (--cpuinfo)',
    });
    expect(r).toMatchObject({ steps: [], warnings: [], conflicts: [] });
  });

  it('rules TDX out from CPUID, a whole boot log without its line, or cpuinfo without tdx_guest', () => {
    const r = recorder();
    const leaf0Only = new EvidenceBuilder()
      .addCpuid(0, 0, { eax: 0x20, ebx: 0x756e6547, ecx: 0x6c65746e, edx: 0x49656e69 }, 'cpuid.txt')
      .build();
    expect(detectTdx(leaf0Only, r.context)).toMatchObject({
      verdict: 'absent',
      because: 'CPUID 0 EAX 0x20 is below 0x21',
    });
    expect(detectTdx(cpuid(0x23, { eax: 0, ebx: 0, ecx: 0, edx: 0 }), r.context)).toMatchObject({
      verdict: 'absent',
      because: 'CPUID 0x21 holds no "IntelTDX    " signature',
    });
    const boot = log(
      'Linux version 6.8.0-45-generic (buildd@lcy02-amd64-115) (gcc 13.2.0) #45-Ubuntu SMP\nCommand line: ro\nFreeing unused kernel image (initmem) memory: 4000K',
    );
    expect(detectTdx(boot, r.context)).toMatchObject({ verdict: 'absent' });
    expect(detectTdx(log('Command line: ro'), r.context)).toMatchObject({ verdict: 'unknown' });
    expect(detectTdx(parseCpuinfo('flags\t: fpu vme hypervisor\n'), r.context)).toMatchObject({
      verdict: 'absent',
      because: 'cpuinfo has no tdx_guest flag (every TDX guest kernel sets it, v5.19+)',
    });
  });
});

describe('TDX evidence that the CPU contradicts', () => {
  const amdLeaf0 = new EvidenceBuilder()
    .addCpuid(0, 0, { eax: 0x10, ebx: 0x68747541, ecx: 0x444d4163, edx: 0x69746e65 }, 'cpuid.txt')
    .build();
  const intelNoSignature = new EvidenceBuilder()
    .addCpuid(0, 0, { eax: 0x21, ebx: 0x756e6547, ecx: 0x6c65746e, edx: 0x49656e69 }, 'cpuid.txt')
    .addCpuid(0x21, 0, { eax: 0, ebx: 0, ecx: 0, edx: 0 }, 'cpuid.txt')
    .build();

  it('is a conflict on an AMD CPU (a cpuid dump of one machine, the boot log of another)', () => {
    const d = detect(mergeEvidence(amdLeaf0, log('[    0.0] tdx: Guest detected')));
    expect(d.type).toBeNull();
    expect(d.confidential).toBeNull();
    expect(d.conflicts[0]?.what).toContain("TDX guest evidence on a CPU that is not Intel's");
  });

  it("is a conflict when leaf 0x21 has no signature but the kernel's own TDX path ran", () => {
    const d = detect(mergeEvidence(intelNoSignature, log('[    0.0] tdx: Guest detected')));
    expect(d.conflicts[0]?.what).toContain('CPUID leaf 0x21 has no TDX signature');
  });

  it('stands on the summary line alone when the leaf is blocked (a Hyper-V TD-partitioning guest)', () => {
    const d = detect(
      mergeEvidence(intelNoSignature, log('[    0.1] Memory Encryption Features active: Intel TDX')),
    );
    expect(d.conflicts).toEqual([]);
    expect(d.type?.id).toBe('tdx');
  });
});
