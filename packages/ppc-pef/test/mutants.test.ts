// Tests written from Stryker's survivors (docs/mutation.md, the first ppc-pef run). The package is
// imported inside the tests: a mutant that makes a module-level table throw while loading then
// fails a test instead of failing the file before any test runs (counted as survived).
//
// Facts (docs/facts: other-arches-and-versions.md A3, Linux v6.18): /sys/devices/system/cpu/svm
// prints is_secure_guest() (MSR_S); set_memory_decrypted/encrypted issue one ultracall
// UV_SHARE_PAGE 0xF130 / UV_UNSHARE_PAGE 0xF134 with (pfn, npages) for the whole range and ignore
// the result; UV_UNSHARE_ALL_PAGES is 0xF140; no page-table bit and no TLB flush; init_svm forces
// swiotlb; cc_platform_has answers only CC_ATTR_MEM_ENCRYPT (v5.16); systemd has no powerpc
// detection and prints none.
import { describe, expect, it } from 'vitest';
import { evidence, PSERIES_CPUINFO, recorder, SVM, X86_CPUINFO } from './evidence.js';

const load = () => import('../src/index.js');

describe('the quirks, loaded in the test', () => {
  it('share and unshare by one ultracall per range, without flushes, the result ignored', async () => {
    const { PPC_PEF_QUIRKS: q } = await load();
    expect(q.flush).toEqual({
      toShared: { cache: false, tlb: false },
      toPrivate: { cache: false, tlb: false },
    });
    expect(q.conversion?.name).toBe('POWER ultravisor share/unshare');
    expect(q.conversion?.mechanism).toBe(
      'ultracall UV_SHARE_PAGE (0xF130) to share, UV_UNSHARE_PAGE (0xF134) to unshare, each with (first pfn, number of pages)',
    );
    expect(q.conversion?.batchUnit).toBe('pages');
    expect(q.unrollStringIo).toBe(false);
    expect(q.forceDmaUnencrypted).toBe(true);
    expect(q.extra).toEqual({
      'ppc-pef:ucall-result': 'ignored',
      'ppc-pef:unshare-all': 'UV_UNSHARE_ALL_PAGES (0xF140)',
    });
    expect(q.notes).toHaveLength(4);
    expect(q.notes[0]).toMatch(/^cc_platform_has\(\) answers only CC_ATTR_MEM_ENCRYPT .*since Linux 5\.16/);
    expect(q.notes[1]).toMatch(/swiotlb.*SWIOTLB_ANY \| SWIOTLB_FORCE/);
    expect(q.notes[2]).toMatch(/result of the share and unshare ultracalls is ignored/);
    expect(q.notes[3]).toMatch(/^systemd-detect-virt --cvm has no detection on powerpc and prints none/);
  });

  it('refuses any parameter, naming the type', async () => {
    const { createPpcPefType } = await load();
    let input: unknown;
    try {
      createPpcPefType({ maskBit: 1 } as never);
    } catch (error) {
      input = (error as { input?: unknown }).input;
    }
    expect(input).toBe('ppc-pef params');
  });
});

describe('the machine', () => {
  it('is ppc64 with a platform and a timebase or a cpu line; other cpuinfo, or flags alone, is another machine', async () => {
    const {
      ppcCpuinfo,
      PSERIES,
      PPC64_CVM_PROCEDURE,
      PPC64_MACHINE_READER,
      systemdCvmPpc64,
      readPpc64Machine,
    } = await load();
    const { EvidenceBuilder } = await import('@coco/core');
    const fields = (pairs: [string, string][]) => new EvidenceBuilder().addCpuinfo(pairs, 'c').build();
    expect(
      ppcCpuinfo(
        fields([
          ['platform', 'pSeries'],
          ['timebase', '512000000'],
        ]),
      ),
    ).toBe('ppc64');
    expect(
      ppcCpuinfo(
        fields([
          ['platform', 'pSeries'],
          ['cpu', 'POWER10'],
        ]),
      ),
    ).toBe('ppc64');
    expect(ppcCpuinfo(fields([['platform', 'pSeries']]))).toBe('other');
    expect(
      ppcCpuinfo(
        fields([
          ['timebase', '1'],
          ['cpu', 'POWER10'],
        ]),
      ),
    ).toBe('other');
    expect(ppcCpuinfo(new EvidenceBuilder().addFlags(['fpu'], 'c').build())).toBe('other');
    expect(ppcCpuinfo(new EvidenceBuilder().build())).toBe('unknown');
    expect(PSERIES).toBe('pSeries');
    const pseries = evidence({ cpuinfo: PSERIES_CPUINFO });
    expect(systemdCvmPpc64(pseries)).toEqual({
      label: 'none',
      steps: ['powerpc: systemd has no confidential virtualization detection on this architecture: none'],
    });
    expect([PPC64_CVM_PROCEDURE.id, PPC64_MACHINE_READER.id]).toEqual(['systemd-ppc64', 'ppc64-machine']);
    expect(readPpc64Machine(pseries)).toEqual({ attestation: [] });
  });
});

describe('the trail', () => {
  const steps = async (parts: Parameters<typeof evidence>[0]) => {
    const { detectPpcPef } = await load();
    const r = recorder();
    const result = detectPpcPef(evidence(parts), r.context);
    return { result, steps: r.steps.map((s) => `${s.source}: ${s.says}`), conflicts: r.conflicts };
  };

  it('says what each reading of the svm file means', async () => {
    expect((await steps({ cpuinfo: PSERIES_CPUINFO, files: { [SVM]: '1\n' } })).steps).toEqual([
      'cpuinfo: platform pSeries: a ppc64 machine',
      `files: ${SVM} reads 1: a secure VM (MSR[S] set)`,
    ]);
    expect((await steps({ files: { [SVM]: '0\n' } })).steps).toEqual([
      `files: ${SVM} reads 0: not a secure VM`,
    ]);
    const odd = await steps({ files: { [SVM]: `${'2'.repeat(50)}\n` } });
    expect(odd.steps).toEqual([`files: ${SVM} reads ${JSON.stringify(`${'2'.repeat(50)}\n`)}, not 0 or 1`]);
    expect(odd.result).toMatchObject({
      verdict: 'unknown',
      because: `${SVM} reads ${JSON.stringify('2'.repeat(40))}, which the kernel never writes`,
    });
    const unread = await steps({ cpuinfo: PSERIES_CPUINFO, files: { [SVM]: true } });
    expect(unread.steps.at(-1)).toBe(`files: ${SVM} exists, its content was not read`);
    expect(unread.result).toMatchObject({
      because: `${SVM} exists (a kernel with secure-VM support) but was not read`,
    });
    const missing = await steps({ cpuinfo: PSERIES_CPUINFO, files: { [SVM]: false } });
    expect(missing.steps.at(-1)).toBe(
      `files: ${SVM} is missing: the kernel has no secure-VM support (CONFIG_PPC_SVM), so it cannot have entered secure mode`,
    );
    expect(missing.result).toMatchObject({
      because: `${SVM} is missing: a kernel without secure-VM support`,
    });
    expect((await steps({ cpuinfo: PSERIES_CPUINFO })).result).toMatchObject({
      because: `a ppc64 machine, but ${SVM} is not in the evidence`,
    });
  });

  it('reports a conflict when cpuinfo shows another architecture beside svm reading 1', async () => {
    const { detectPpcPef } = await load();
    const r = recorder();
    detectPpcPef(evidence({ cpuinfo: X86_CPUINFO, files: { [SVM]: '1\n' } }), r.context);
    const { sides } = r;
    expect(sides).toEqual([
      [
        { says: `${SVM} (only powerpc kernels write it) reads 1`, source: 'files test' },
        { says: 'cpuinfo shows another architecture', source: 'cpuinfo' },
      ],
    ]);
  });
});

describe('the survivors of the interface-2 run', () => {
  it('names the platform only of a ppc64 machine: a lone platform field is another machine', async () => {
    const { detectPpcPef } = await load();
    const r = recorder();
    detectPpcPef(evidence({ cpuinfo: [['platform', 'pSeries']], files: { [SVM]: '1\n' } }), r.context);
    expect(r.trail()).toEqual([`files: ${SVM} reads 1: a secure VM (MSR[S] set)`]);
    expect(r.conflicts).toEqual(['the architecture']);
  });

  it('passes on only the note of the svm file itself', async () => {
    const { detectPpcPef } = await load();
    const result = detectPpcPef(
      evidence({ cpuinfo: PSERIES_CPUINFO, unavailable: ['/proc/cpuinfo'] }),
      recorder().context,
    );
    expect(result).toEqual({
      verdict: 'unknown',
      because: `a ppc64 machine, but ${SVM} is not in the evidence`,
      fix: `read ${SVM} (world-readable, 0444) on the machine, or take a coco snapshot there`,
    });
  });

  it('says unknown of evidence that shows no machine', async () => {
    const { ppcMachine } = await load();
    const { EvidenceBuilder } = await import('@coco/core');
    expect(ppcMachine(new EvidenceBuilder().build())).toBe('unknown');
    expect(ppcMachine(evidence({ files: { [SVM]: false } }))).toBe('unknown');
  });
});
