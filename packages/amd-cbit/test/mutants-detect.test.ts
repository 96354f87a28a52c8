// Tests written from Stryker's surviving mutants (docs/mutation.md): each trail step of amd-cbit's
// detection word for word, where the kernel's sme_enable stops (leaf 0x8000001F valid with SME or
// SEV, SYSCFG bit 23 on bare metal), how the sources weigh and when they conflict, and why the
// evidence rules the type out or cannot tell. Register values are decoded in test/evidence.ts.
import { createRegistry, type Evidence, EvidenceBuilder, mergeEvidence } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { amdCbitBackend, readMemEncryptLeaf } from '../src/index.js';
import {
  amd,
  EAX_SNP_COHERENT,
  EBX_CBIT47,
  EBX_CBIT51,
  ECX_GUEST,
  ECX_METAL,
  intelTdx,
  MAX_EXT_MILAN,
  snpGuest,
} from './evidence.js';

const detect = (evidence: Evidence) => createRegistry().use(amdCbitBackend).detect(evidence);
/** amd-cbit's own steps, as `source: says`. */
const own = (evidence: Evidence) =>
  detect(evidence)
    .trail.filter((s) => s.by === 'amd-cbit')
    .map((s) => `${s.source}: ${s.says}`);
const because = (evidence: Evidence) => detect(evidence).undetermined.map((u) => u.because);
const ruledOut = (evidence: Evidence) =>
  detect(evidence)
    .trail.filter((s) => s.by === 'amd-cbit' && s.source === 'core')
    .map((s) => s.says);

// init/main.c prints the banner first; kernel_init prints "Run ... as init process" last.
const BANNER = 'Linux version 6.8.0-45-generic (buildd@lcy02-amd64-075) (gcc 13.2.0) #45-Ubuntu SMP';
const END = 'Run /sbin/init as init process';
const NO_MAX = 'CPUID 0x80000000 (the maximum leaf) is not in the evidence';
const C_BIT_UNKNOWN = `cpuid: C-bit unknown: ${NO_MAX}`;
const HIDDEN = 'CPUID 0x80000000 EAX 0x80000008 is below 0x8000001f: the CPU has no memory-encryption leaf';
const flags = (list: string[]) => new EvidenceBuilder().addFlags(list, 'cpuinfo.txt').build();

describe('amd-cbit: CPUID 0x8000001F and status steps', () => {
  it('decodes the leaf in one step, then the status, then the type with its sources', () => {
    // EAX 0x41b: SME, SEV, SME_COHERENT; EBX 0x4173: C-bit 51, reduction 5, 4 VMPLs.
    expect(own(snpGuest)).toEqual([
      'cpuid: 0x8000001f: SME true, SEV true, C-bit 51, address reduction 5, 4 VMPLs, SME_COHERENT true',
      'msr: SEV status 0x7 (SEV SEV-ES SEV-SNP): sev-snp',
      'msr: AMD SEV-SNP, C-bit 51, encrypted when set (from msr 0xc0010131 (test))',
    ]);
  });

  it('says why the leaf is undefined under the maximum extended leaf, and says nothing of a leaf merely missing', () => {
    const hidden = own(amd({ ecx1: ECX_GUEST, maxExt: 0x8000_0008, status: 0x7n }));
    expect(hidden[0]).toBe(`cpuid: ${HIDDEN}`);
    const noMax = own(amd({ ecx1: ECX_GUEST, leaf: { eax: 0x1b, ebx: EBX_CBIT51 }, status: 0x7n }));
    expect(noMax.filter((s) => s.startsWith('cpuid:'))).toEqual([C_BIT_UNKNOWN]);
  });

  it('reads the leaf as the CPU defines it: present or not, below the maximum or not', () => {
    expect(readMemEncryptLeaf(amd({ maxExt: 0x8000_0008, leaf: { eax: 0x1b, ebx: EBX_CBIT51 } }))).toEqual({
      ok: false,
      reason: HIDDEN,
      present: true,
      undefined: true,
    });
    expect(readMemEncryptLeaf(amd({ maxExt: 0x8000_0008 }))).toEqual({
      ok: false,
      reason: HIDDEN,
      present: false,
      undefined: true,
    });
    expect(readMemEncryptLeaf(amd({ leaf: { eax: 0x1b, ebx: EBX_CBIT51 } }))).toEqual({
      ok: false,
      reason: NO_MAX,
      present: true,
      undefined: false,
    });
  });

  it('ignores an impossible status with a step and one warning, not a failure', () => {
    const d = detect(amd({ ecx1: ECX_GUEST, status: 0x4n }));
    expect(d.trail.map((s) => s.says)).toContain(
      'SEV status 0x4 (SEV-SNP) ignored: bits are set but bit 0 (SEV) is clear',
    );
    expect(d.warnings).toEqual([
      'amd-cbit: msr 0xc0010131 (test): impossible SEV status (bits are set but bit 0 (SEV) is clear)',
    ]);
  });

  it('quotes a status line, naming the words it does not know', () => {
    expect(own(amd({ log: 'SEV: Status: SEV SEV-ES SEV-SNP Foo' }))).toEqual([
      'kernel-log: "SEV: Status: SEV SEV-ES SEV-SNP Foo" (unknown: Foo): sev-snp',
      C_BIT_UNKNOWN,
      `kernel-log: AMD SEV-SNP, C-bit unknown (${NO_MAX}), encrypted when set (from kernel log test line 1)`,
    ]);
    expect(own(amd({ log: 'SEV: Status: SEV SEV-ES' }))[0]).toBe(
      'kernel-log: "SEV: Status: SEV SEV-ES": sev-es',
    );
    expect(own(amd({ log: 'SEV: Status: SEV Foo Bar' }))[0]).toBe(
      'kernel-log: "SEV: Status: SEV Foo Bar" (unknown: Foo Bar): sev',
    );
  });

  it('names the kernels of each summary wording, and which cannot tell SEV from SEV-ES', () => {
    expect(own(amd({ log: 'Memory Encryption Features active: AMD SEV SEV-ES SEV-SNP' }))[0]).toBe(
      'kernel-log: "Memory Encryption Features active: AMD SEV SEV-ES SEV-SNP" (v5.19 and later): sev-snp',
    );
    expect(own(amd({ log: 'AMD Secure Encrypted Virtualization (SEV) active' }))[0]).toBe(
      'kernel-log: "AMD Secure Encrypted Virtualization (SEV) active" (v4.14 to v5.9, which cannot tell SEV from SEV-ES): sev',
    );
    expect(own(amd({ log: 'Memory Encryption Features active: AMD' }))[0]).toBe(
      'kernel-log: "Memory Encryption Features active: AMD" (v5.19 and later): no variant',
    );
  });

  it("names another vendor's memory encryption as not AMD's", () => {
    expect(own(intelTdx)).toContain(
      'kernel-log: "Memory Encryption Features active: Intel TDX": not AMD memory encryption',
    );
  });

  it('takes the C-bit from 12 to 51 only, and says the value it refused', () => {
    const withCbit = (ebx: number) =>
      detect(amd({ ecx1: ECX_GUEST, maxExt: MAX_EXT_MILAN, leaf: { eax: 0x1b, ebx }, status: 0x7n }));
    expect(withCbit(12).type?.marking?.maskBit).toBe(12);
    for (const bit of [11, 52]) {
      const d = withCbit(bit);
      expect(d.type?.variant).toBe('sev-snp');
      expect(d.type?.marking).toBeNull();
      expect(d.type?.maskUnknownReason).toBe(`CPUID 0x8000001f EBX[5:0] reads ${bit}, outside 12..51`);
      expect(d.warnings).toEqual([]);
    }
  });

  it('joins several bits the newest kernel refuses with commas', () => {
    // 0x10027: SEV, SEV-ES, SEV-SNP, RI (bit 5), VMSARegProt (bit 16).
    const d = detect(
      amd({ ecx1: ECX_GUEST, maxExt: MAX_EXT_MILAN, leaf: { eax: 0x1b, ebx: EBX_CBIT51 }, status: 0x10027n }),
    );
    expect(d.warnings).toEqual([
      'amd-cbit: the SEV status has RI, VMSARegProt set, which the newest kernel refuses to boot with (snp_check_features: GHCB_SNP_UNSUPPORTED)',
    ]);
  });
});

describe('amd-cbit: how the sources weigh', () => {
  it('quotes each line in a conflict between two log lines, status line first', () => {
    const d = detect(
      amd({ log: 'Memory Encryption Features active: AMD SEV SEV-ES\nSEV: Status: SEV SEV-ES SEV-SNP' }),
    );
    expect(d.conflicts).toEqual([
      {
        what: 'the AMD memory-encryption variant (seen by amd-cbit)',
        sides: [
          { says: '"SEV: Status: SEV SEV-ES SEV-SNP"', source: 'kernel log test line 2' },
          { says: 'Memory Encryption Features active: AMD SEV SEV-ES', source: 'kernel log test line 1' },
        ],
      },
    ]);
  });

  it('a summary whose features a split lost contradicts nothing', () => {
    const d = detect(mergeEvidence(snpGuest, amd({ log: 'Memory Encryption Features active: AMD' })));
    expect(d.type?.variant).toBe('sev-snp');
    expect(d.conflicts).toEqual([]);
  });

  it('a status of 0 in a guest contradicts a log that says SEV is active', () => {
    const d = detect(amd({ ecx1: ECX_GUEST, status: 0n, log: 'Memory Encryption Features active: AMD SEV' }));
    expect(d.type).toBeNull();
    expect(d.conflicts[0]?.sides).toEqual([
      { says: 'none', source: 'msr 0xc0010131 (test)' },
      { says: 'Memory Encryption Features active: AMD SEV', source: 'kernel log test line 1' },
    ]);
  });

  it('the v4.14-v5.9 "SEV active" is said of SEV-ES guests too: it agrees with SEV-ES, not with SEV off', () => {
    const old = 'AMD Secure Encrypted Virtualization (SEV) active';
    const es = detect(amd({ ecx1: ECX_GUEST, status: 0x3n, log: old }));
    expect(es.type?.variant).toBe('sev-es');
    expect(es.conflicts).toEqual([]);
    const esLog = detect(amd({ log: `${old}\nAMD Memory Encryption Features active: SEV SEV-ES` }));
    expect(esLog.type?.variant).toBe('sev-es');
    expect(detect(amd({ ecx1: ECX_GUEST, status: 0n, log: old })).conflicts).toHaveLength(1);
    // The v5.19 wording names SEV-ES when it is active: "AMD SEV" alone contradicts status 0x3.
    const current = detect(
      amd({ ecx1: ECX_GUEST, status: 0x3n, log: 'Memory Encryption Features active: AMD SEV' }),
    );
    expect(current.conflicts).toHaveLength(1);
  });

  it('a log line contradicts CPUID that says the kernel could set no C-bit', () => {
    const line = 'Memory Encryption Features active: AMD SEV SEV-ES SEV-SNP';
    const hidden = detect(amd({ ecx1: ECX_GUEST, maxExt: 0x8000_0008, log: line }));
    expect(hidden.type).toBeNull();
    expect(hidden.conflicts).toEqual([
      {
        what: 'whether the kernel could enable AMD memory encryption (sev-snp) (seen by amd-cbit)',
        sides: [
          { says: `no C-bit: ${HIDDEN}`, source: 'test' },
          { says: line, source: 'kernel log test line 1' },
        ],
      },
    ]);
    const neither = detect(
      amd({ ecx1: ECX_GUEST, maxExt: MAX_EXT_MILAN, leaf: { eax: 0, ebx: EBX_CBIT51 }, log: line }),
    );
    expect(neither.conflicts[0]?.sides[0]).toEqual({
      says: 'no C-bit: CPUID 0x8000001f EAX has neither SME (bit 0) nor SEV (bit 1)',
      source: 'test',
    });
    // sme_enable printed the v4.14-v5.9 "SEV active" only after finding the leaf: it contradicts
    // such CPUID as much as the line of the level it is folded into.
    const old = 'AMD Secure Encrypted Virtualization (SEV) active';
    const es = 'AMD Memory Encryption Features active: SEV SEV-ES';
    const both = detect(amd({ ecx1: ECX_GUEST, maxExt: 0x8000_0008, log: `${old}\n${es}` }));
    expect(both.type).toBeNull();
    expect(both.conflicts).toEqual([
      {
        what: 'whether the kernel could enable AMD memory encryption (sev-es) (seen by amd-cbit)',
        sides: [
          { says: `no C-bit: ${HIDDEN}`, source: 'test' },
          { says: old, source: 'kernel log test line 1' },
          { says: es, source: 'kernel log test line 2' },
        ],
      },
    ]);
  });

  it('prefers the log line over weaker sources without a warning when they agree', () => {
    const d = detect(mergeEvidence(snpGuest, amd({ files: { '/dev/sev-guest': true } })));
    expect(d.type?.variant).toBe('sev-snp');
    expect(d.warnings).toEqual([]);
  });

  it('warns, naming the weaker source, when it disagrees with the stronger one', () => {
    const d = detect(amd({ ecx1: ECX_GUEST, status: 0x3n, files: { '/dev/sev-guest': true } }));
    expect(d.type?.variant).toBe('sev-es');
    expect(d.warnings).toEqual(['amd-cbit: test says sev-snp; stronger evidence says sev-es']);
  });

  it('an "AMD SEV" line alone is tentative (v6.9 and older vTOM guests print it too); "AMD SEV SEV-ES" is not', () => {
    const sev = detect(amd({ log: 'Memory Encryption Features active: AMD SEV' }));
    expect(sev.warnings).toEqual([
      'amd-cbit: before v6.9 an AMD vTOM (Hyper-V) guest also logs "AMD SEV"; the SEV status tells them apart',
    ]);
    const context = { step: () => {}, warn: () => {}, conflict: () => {} };
    const es = amdCbitBackend.detect(
      amd({ log: 'Memory Encryption Features active: AMD SEV SEV-ES' }),
      context,
    );
    expect(es && 'type' in es ? es.tentative : 'no claim').toBeUndefined();
    expect(detect(amd({ log: 'Memory Encryption Features active: AMD SEV SEV-ES' })).warnings).toEqual([]);
    // The v5.19 wording beside the old one tells SEV from SEV-ES, but still not from vTOM.
    const both = detect(
      amd({
        log: 'AMD Secure Encrypted Virtualization (SEV) active\nMemory Encryption Features active: AMD SEV',
      }),
    );
    expect(both.warnings).toEqual(sev.warnings);
  });
});

describe('amd-cbit: SME on bare metal (SYSCFG bit 23)', () => {
  const metal = { ecx1: ECX_METAL, maxExt: MAX_EXT_MILAN, leaf: { eax: 0x1, ebx: EBX_CBIT47 } };

  it('says SME from SYSCFG, with the MSR as source, and warns that mem_encrypt=on is needed too', () => {
    const evidence = amd({ ...metal, syscfg: 0x80_0000n });
    expect(own(evidence)).toEqual([
      'cpuid: 0x8000001f: SME true, SEV false, C-bit 47, address reduction 5, 0 VMPLs, SME_COHERENT false',
      'msr: SYSCFG bit 23 set on bare metal with SME/SEV in CPUID 0x8000001f: SME',
      'msr: AMD SME, C-bit 47, encrypted when set (from msr 0xc0010010 (test))',
    ]);
    expect(detect(evidence).warnings).toEqual([
      'amd-cbit: SME needs mem_encrypt=on too; "Memory Encryption Features active: AMD SME" in the log confirms it',
    ]);
  });

  it('does not warn when the log confirms SME', () => {
    const d = detect(
      amd({ ...metal, syscfg: 0x80_0000n, log: 'Memory Encryption Features active: AMD SME' }),
    );
    expect(d.type?.variant).toBe('sme');
    expect(d.warnings).toEqual([]);
    expect(d.trail.filter((s) => s.by === 'amd-cbit').at(-1)).toEqual({
      source: 'kernel-log',
      says: 'AMD SME, C-bit 47, encrypted when set (from kernel log test line 1, msr 0xc0010010 (test))',
      by: 'amd-cbit',
      fact: 'dmesg line 1',
    });
  });

  it('is not SME when the SEV status has SEV set', () => {
    const d = detect(amd({ ...metal, syscfg: 0x80_0000n, status: 0x1n }));
    expect(d.type?.variant).toBe('sev');
    expect(d.conflicts).toEqual([]);
    expect(own(amd({ ...metal, syscfg: 0x80_0000n, status: 0x1n }))).toContain(
      'msr: SYSCFG bit 23 set, but the SEV status has SEV set: not SME',
    );
  });

  it('names SYSCFG in a conflict with a SEV-ES line', () => {
    const d = detect(
      amd({ ...metal, syscfg: 0x80_0000n, log: 'Memory Encryption Features active: AMD SEV SEV-ES' }),
    );
    expect(d.conflicts[0]?.sides).toEqual([
      { says: 'Memory Encryption Features active: AMD SEV SEV-ES', source: 'kernel log test line 1' },
      { says: 'SYSCFG bit 23 on bare metal', source: 'msr 0xc0010010 (test)' },
    ]);
    // Only an "AMD SME" line confirms that the kernel turned SME on.
    expect(d.warnings).toContain(
      'amd-cbit: SME needs mem_encrypt=on too; "Memory Encryption Features active: AMD SME" in the log confirms it',
    );
  });
});

describe('amd-cbit: cpuinfo flags and /dev/sev-guest', () => {
  it('takes sev, sev_es and sev_snp in a guest as the variant, with the flag source', () => {
    expect(own(flags(['fpu', 'hypervisor', 'sev_snp']))).toEqual([
      'cpuinfo: flag sev_snp in a guest: sev-snp',
      C_BIT_UNKNOWN,
      `cpuinfo: AMD SEV-SNP, C-bit unknown (${NO_MAX}), encrypted when set (from cpuinfo.txt)`,
    ]);
    expect(detect(flags(['hypervisor', 'sev', 'sev_es'])).type?.variant).toBe('sev-es');
    expect(detect(flags(['hypervisor', 'sev'])).type?.variant).toBe('sev');
  });

  it('says a SEV flag without hypervisor is a host, and says nothing without a flag', () => {
    expect(own(flags(['fpu', 'sev']))[0]).toBe(
      'cpuinfo: flag sev without hypervisor: a SEV host, not a guest',
    );
    expect(own(flags(['fpu', 'svm'])).filter((s) => s.startsWith('cpuinfo:'))).toEqual([]);
  });

  it('takes the sme flag on bare metal only (the kernel clears it when SME is off, v5.18+)', () => {
    expect(own(flags(['fpu', 'sme']))).toEqual([
      'cpuinfo: flag sme on bare metal (kept only while SME is active, v5.18+)',
      C_BIT_UNKNOWN,
      `cpuinfo: AMD SME, C-bit unknown (${NO_MAX}), encrypted when set (from cpuinfo.txt)`,
    ]);
    expect(detect(flags(['fpu', 'hypervisor', 'sme'])).type).toBeNull();
    const device = mergeEvidence(flags(['fpu', 'sme']), amd({ files: { '/dev/sev-guest': true } }));
    expect(detect(device).conflicts[0]?.sides).toEqual([
      { says: 'flag sme', source: 'cpuinfo.txt' },
      { says: '/dev/sev-guest exists', source: 'test' },
    ]);
  });

  it('takes /dev/sev-guest as SEV-SNP and names both weak sources in a conflict', () => {
    expect(own(amd({ files: { '/dev/sev-guest': true } }))).toEqual([
      'files: /dev/sev-guest exists: an SEV-SNP guest',
      C_BIT_UNKNOWN,
      `files: AMD SEV-SNP, C-bit unknown (${NO_MAX}), encrypted when set (from test)`,
    ]);
    const both = mergeEvidence(flags(['hypervisor', 'sev_es']), amd({ files: { '/dev/sev-guest': true } }));
    expect(detect(both).conflicts[0]?.sides).toEqual([
      { says: 'flag sev_es', source: 'cpuinfo.txt' },
      { says: '/dev/sev-guest exists', source: 'test' },
    ]);
  });
});

describe('amd-cbit: ruled out, where sme_enable stops', () => {
  it('a vTOM status is amd-vtom’s', () => {
    expect(ruledOut(amd({ ecx1: ECX_GUEST, maxExt: 0x8000_0008, status: 0x103dfn }))).toEqual([
      'amd-cbit rules its type out: the SEV status has vTOM set (msr 0xc0010131 (test)): an amd-vtom guest',
    ]);
  });

  it('neither SME nor SEV in leaf 0x8000001F EAX', () => {
    expect(
      ruledOut(amd({ ecx1: ECX_GUEST, maxExt: MAX_EXT_MILAN, leaf: { eax: 0, ebx: EBX_CBIT51 } })),
    ).toEqual([
      'amd-cbit rules its type out: CPUID 0x8000001f EAX has neither SME (bit 0) nor SEV (bit 1): the kernel enables no C-bit',
    ]);
  });

  it('a status without SEV: in a guest by its value, on bare metal or unknown as 0 without SME', () => {
    const leaf = { eax: EAX_SNP_COHERENT, ebx: EBX_CBIT51 };
    expect(ruledOut(amd({ ecx1: ECX_GUEST, maxExt: MAX_EXT_MILAN, leaf, status: 0n }))).toEqual([
      'amd-cbit rules its type out: the SEV status 0x0 has SEV (bit 0) clear in a guest',
    ]);
    const zero =
      'amd-cbit rules its type out: the SEV status is 0: not a SEV guest (and no sign of SME on bare metal)';
    expect(ruledOut(amd({ ecx1: ECX_METAL, maxExt: MAX_EXT_MILAN, leaf, status: 0n }))).toEqual([zero]);
    expect(ruledOut(amd({ maxExt: MAX_EXT_MILAN, leaf, status: 0n }))).toEqual([zero]);
  });

  it('a whole boot log without the memory-encryption summary', () => {
    expect(ruledOut(amd({ log: `${BANNER}\nCommand line: ro\n${END}` }))).toEqual([
      'amd-cbit rules its type out: the whole boot log (test) has no "Memory Encryption Features active" line: the kernel enabled no memory encryption',
    ]);
  });
});

describe('amd-cbit: cannot tell, and why', () => {
  const FIX =
    'run coco as root with the msr module loaded (modprobe msr), or pass the whole boot log (--dmesg) or the SEV status (--msr 0xc0010131=VALUE)';

  it('without the maximum extended leaf and without a log: both named, with the fix', () => {
    const d = detect(amd({ ecx1: ECX_GUEST }));
    expect(d.confidential).toBeNull();
    expect(d.undetermined).toEqual([{ by: 'amd-cbit', because: `${NO_MAX}; no kernel log`, fix: FIX }]);
  });

  it('a leaf with SME only says nothing about SEV being advertised', () => {
    expect(
      because(amd({ ecx1: ECX_GUEST, maxExt: MAX_EXT_MILAN, leaf: { eax: 0x1, ebx: EBX_CBIT47 } })),
    ).toEqual(['no kernel log']);
  });

  it('names the sources that could not be read, of the kinds amd-cbit reads', () => {
    const b = new EvidenceBuilder();
    for (const [source, kind] of [
      ['/dev/cpu/0/msr', 'x86.msr'],
      ['/dev/cpu/0/cpuid', 'x86.cpuid'],
      ['/dev/kmsg', 'kernel-log'],
      ['/proc/cpuinfo', 'cpuinfo'],
    ] as const) {
      b.addUnavailable({ source, kind, reason: 'permission denied', fix: 'run as root' });
    }
    expect(because(b.build())).toEqual([
      `${NO_MAX}; not read: /dev/cpu/0/msr, /dev/cpu/0/cpuid, /dev/kmsg; no kernel log`,
    ]);
  });

  it('a whole boot log whose summary lost its features is never absence', () => {
    const d = detect(amd({ log: `${BANNER}\nMemory Encryption Features active: AMD\n${END}` }));
    expect(d.confidential).toBeNull();
    expect(d.undetermined[0]?.because).toBe(
      `${NO_MAX}; the kernel log names AMD memory encryption without its features: "Memory Encryption Features active: AMD" (test line 2)`,
    );
  });

  it('a whole boot log with a status line is never absence, even one naming no known bit', () => {
    // sev_show_status prints the line only in a SEV guest.
    const d = detect(amd({ log: `${BANNER}\nSEV: Status: Foo\n${END}` }));
    expect(d.confidential).toBeNull();
    expect(d.undetermined[0]?.because).toBe(NO_MAX);
  });

  it('says how the log falls short of a whole boot', () => {
    expect(because(amd({ log: 'Command line: ro' }))).toEqual([
      `${NO_MAX}; the kernel log does not start at boot`,
    ]);
    expect(because(amd({ log: `${BANNER}\n...\n${END}` }))).toEqual([`${NO_MAX}; the kernel log was cut`]);
    expect(because(amd({ log: `${BANNER}\nCommand line: ro` }))).toEqual([
      `${NO_MAX}; the kernel log does not reach the end of boot ("Freeing unused kernel ... memory")`,
    ]);
  });
});
