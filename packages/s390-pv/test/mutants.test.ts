// Tests written from Stryker's survivors (docs/mutation.md, the first s390-pv run). The package is
// imported inside the tests: a mutant that makes a module-level table throw while loading then
// fails a test instead of failing the file before any test runs (counted as survived).
//
// Facts (docs/facts: other-arches-and-versions.md A2, C1, C3; Linux v6.18):
// /sys/firmware/uv/prot_virt_guest prints "%d\n" of prot_virt_guest, and the whole /sys/firmware/uv
// exists only with facility 158 (uv_sysfs_init); set_memory_decrypted/encrypted issue one ultravisor
// call UVC_CMD_SET_SHARED_ACCESS 0x1000 / UVC_CMD_REMOVE_SHARED_ACCESS 0x1001 per 4 KiB page, with no
// page-table bit and no TLB flush; a failed call logs "Share UVC failed" / "Unshare UVC failed" and
// panics; s390 does not select ARCH_HAS_CC_PLATFORM, so cc_platform_has() is false for every
// attribute (unrolled string I/O included) while force_dma_unencrypted() is is_prot_virt_guest();
// pv_init forces swiotlb and restricted virtio memory access. systemd reads the file's first byte:
// '1' prints protvirt, anything else or a read error none.
import { EvidenceBuilder } from '@coco/core';
import { describe, expect, it } from 'vitest';
import {
  BANNER_4_18,
  BANNER_6_8,
  evidence,
  PSERIES_CPUINFO,
  PVG,
  recorder,
  S390_CPUINFO,
  X86_CPUINFO,
} from './evidence.js';

const load = () => import('../src/index.js');
const UV = '/sys/firmware/uv';
const READ_IT = `read ${PVG} (world-readable, 0444) on the machine, or take a coco snapshot there`;

describe('the quirks, loaded in the test', () => {
  it('share and unshare by one ultravisor call per 4 KiB page, without flushes; a failure panics', async () => {
    const { S390_PV_QUIRKS: q } = await load();
    expect(q.flush).toEqual({
      toShared: { cache: false, tlb: false },
      toPrivate: { cache: false, tlb: false },
    });
    expect(q.conversion?.name).toBe('s390 ultravisor share/unshare');
    expect(q.conversion?.mechanism).toBe(
      'ultravisor call UVC_CMD_SET_SHARED_ACCESS (0x1000) to share, UVC_CMD_REMOVE_SHARED_ACCESS (0x1001) to unshare',
    );
    expect(q.conversion?.batchUnit).toBe('pages');
    expect(q.conversion?.batchLimit).toBe(1);
    expect(q.unrollStringIo).toBe(false);
    expect(q.forceDmaUnencrypted).toBe(true);
    expect(q.privateMmio).toEqual([]);
    expect(q.extra).toEqual({ 's390-pv:uvc-failure': 'panic', 's390-pv:uvc-per-page': true });
    expect(q.notes).toHaveLength(3);
    expect(q.notes[0]).toMatch(
      /^cc_platform_has\(\) answers false for every attribute .*force_dma_unencrypted\(\)/,
    );
    expect(q.notes[1]).toMatch(/VIRTIO_F_ACCESS_PLATFORM.*forced swiotlb/);
    expect(q.notes[2]).toMatch(/"Share UVC failed" or "Unshare UVC failed" and panics/);
  });

  it('the type takes them whole, and refuses any parameter, naming the type', async () => {
    const { createS390PvType, S390_PV_QUIRKS } = await load();
    expect(createS390PvType().quirks).toEqual(S390_PV_QUIRKS);
    expect(createS390PvType()).toBe(createS390PvType());
    let input: unknown;
    try {
      createS390PvType({ maskBit: 1 } as never);
    } catch (error) {
      input = (error as { input?: unknown }).input;
    }
    expect(input).toBe('s390-pv params');
  });

  it('the plugin keeps only the kernel banner of a log, and carries systemd and the machine reader', async () => {
    const { s390PvBackend, S390_CVM_PROCEDURE, S390_MACHINE_READER, systemdCvmS390, readS390Machine } =
      await load();
    const kept = (text: string) => s390PvBackend.logPatterns.some((p) => p.test(text));
    expect(kept(BANNER_6_8.replace(/^\[[^\]]*\] /, ''))).toBe(true);
    expect(kept('Linux version 4.18.0-553.el8_10.s390x (mockbuild@s390-070) #1 SMP')).toBe(true);
    // Not a banner: a line that only mentions one, and a banner without a version number.
    expect(kept('systemd[1]: Detected Linux version 6.8.0 on s390x')).toBe(false);
    expect(kept('Linux version unknown')).toBe(false);
    expect(s390PvBackend.cvm).toBe(S390_CVM_PROCEDURE);
    expect(S390_CVM_PROCEDURE).toEqual({ id: 'systemd-s390x', read: systemdCvmS390 });
    expect(S390_MACHINE_READER).toEqual({ id: 's390x-machine', read: readS390Machine });
  });
});

describe('the machine', () => {
  it('is s390x by vendor_id or by the zarch feature word alone; other cpuinfo or flags is another machine', async () => {
    const { s390Cpuinfo, s390Machine } = await load();
    const fields = (pairs: [string, string][]) => new EvidenceBuilder().addCpuinfo(pairs, 'c').build();
    expect(s390Cpuinfo(fields([['features', 'esan3 zarch stfle msa']]))).toBe('s390x');
    expect(s390Cpuinfo(fields([['features', 'esan3 stfle msa']]))).toBe('other');
    expect(s390Cpuinfo(fields([['vendor_id', 'IBM/S390']]))).toBe('s390x');
    expect(s390Cpuinfo(new EvidenceBuilder().addFlags(['fpu'], 'c').build())).toBe('other');
    expect(s390Cpuinfo(new EvidenceBuilder().build())).toBe('unknown');
    expect(s390Machine(new EvidenceBuilder().build())).toBe('unknown');
    expect(s390Machine(evidence({ files: { [UV]: false, '/dev/uv': false } }))).toBe('unknown');
    expect(s390Machine(evidence({ files: { '/dev/uv': true } }))).toBe('s390x');
  });

  it('names no attestation interface when /dev/uv is not in the evidence', async () => {
    const { readS390Machine } = await load();
    expect(readS390Machine(evidence({ cpuinfo: S390_CPUINFO }))).toEqual({ attestation: [] });
  });
});

describe('systemd-detect-virt --cvm, step by step', () => {
  it('says what it read for each reading of the file', async () => {
    const { systemdCvmS390 } = await load();
    expect(systemdCvmS390(evidence({ cpuinfo: S390_CPUINFO, files: { [PVG]: false } }))).toEqual({
      label: 'none',
      steps: [`s390x: ${PVG} cannot be read (it is missing): none`],
    });
    expect(systemdCvmS390(evidence({ cpuinfo: S390_CPUINFO }))).toEqual({
      label: null,
      steps: [`s390x: systemd reads ${PVG}`],
      missing: `the content of ${PVG} is not in the evidence`,
    });
    expect(systemdCvmS390(evidence({ cpuinfo: S390_CPUINFO, files: { [PVG]: '1\n' } }))).toEqual({
      label: 'protvirt',
      steps: [`s390x: ${PVG} starts with "1": protvirt`],
    });
    expect(systemdCvmS390(evidence({ cpuinfo: S390_CPUINFO, files: { [PVG]: '0\n' } }))?.steps).toEqual([
      `s390x: ${PVG} starts with "0": none`,
    ]);
  });

  it('reads the file it was given even when the evidence also says /sys/firmware/uv is missing', async () => {
    // systemd opens prot_virt_guest and nothing else: the file's text decides.
    const { systemdCvmS390 } = await load();
    expect(systemdCvmS390(evidence({ cpuinfo: S390_CPUINFO, files: { [PVG]: '1\n', [UV]: false } }))).toEqual(
      { label: 'protvirt', steps: [`s390x: ${PVG} starts with "1": protvirt`] },
    );
  });
});

describe('the trail', () => {
  const run = async (parts: Parameters<typeof evidence>[0]) => {
    const { detectS390Pv } = await load();
    const r = recorder();
    const result = detectS390Pv(evidence(parts), r.context);
    return { result, trail: r.trail(), sides: r.sides };
  };

  it('says what each reading of prot_virt_guest means', async () => {
    const guest = await run({ cpuinfo: S390_CPUINFO, files: { [PVG]: '1\n', '/dev/uv': true } });
    expect(guest.trail).toEqual([
      'cpuinfo: vendor_id IBM/S390: an s390x machine',
      'files: /dev/uv exists: the ultravisor is installed (a PV host shows it too)',
      `files: ${PVG} reads 1: a Protected Virtualization guest`,
    ]);
    expect(guest.sides).toEqual([]);
    // The machine shown by the file alone, or by the zarch word: no vendor_id step.
    expect((await run({ files: { [PVG]: '1\n' } })).trail).toEqual([
      `files: ${PVG} reads 1: a Protected Virtualization guest`,
    ]);
    expect((await run({ cpuinfo: [['features', 'esan3 zarch']], files: { [PVG]: '0\n' } })).trail).toEqual([
      `files: ${PVG} reads 0: not a Protected Virtualization guest`,
    ]);

    const odd = await run({ files: { [PVG]: `${'2'.repeat(50)}\n` } });
    expect(odd.trail).toEqual([`files: ${PVG} reads ${JSON.stringify(`${'2'.repeat(50)}\n`)}, not 0 or 1`]);
    expect(odd.result).toEqual({
      verdict: 'unknown',
      because: `${PVG} reads ${JSON.stringify('2'.repeat(40))}, which the kernel never writes`,
      fix: READ_IT,
    });

    const unread = await run({ cpuinfo: S390_CPUINFO, files: { [PVG]: true } });
    expect(unread.trail.at(-1)).toBe(`files: ${PVG} exists, its content was not read`);
    expect(unread.result).toEqual({
      verdict: 'unknown',
      because: `${PVG} exists (an ultravisor is installed) but was not read`,
      fix: READ_IT,
    });
  });

  it('says why a missing file proves absence under a 5.13+ kernel and not under an older one', async () => {
    const newer = await run({ cpuinfo: S390_CPUINFO, files: { [PVG]: false }, log: BANNER_6_8 });
    expect(newer.trail).toEqual([
      'cpuinfo: vendor_id IBM/S390: an s390x machine',
      `files: ${PVG} is missing`,
      `kernel-log: kernel 6.8: it creates ${PVG} whenever the ultravisor (facility 158) is installed`,
    ]);
    expect(newer.result).toEqual({
      verdict: 'absent',
      because: `${PVG} is missing under a 5.13+ kernel: no ultravisor, so not a Protected Virtualization guest`,
    });
    const byDir = await run({ cpuinfo: S390_CPUINFO, files: { [UV]: false }, log: BANNER_6_8 });
    expect(byDir.trail[1]).toBe(`files: ${UV} is missing, and ${PVG} with it`);

    const older = await run({ cpuinfo: S390_CPUINFO, files: { [PVG]: false }, log: BANNER_4_18 });
    const fix = `give the boot log with its "Linux version" banner, or read ${PVG} on a kernel 5.13 or later`;
    expect(older.result).toEqual({
      verdict: 'unknown',
      because: `${PVG} is missing, and the kernel's version is 4.18, older than 5.13: kernels before 5.13 do not create it`,
      fix,
    });
    expect((await run({ cpuinfo: S390_CPUINFO, files: { [PVG]: false } })).result).toEqual({
      verdict: 'unknown',
      because: `${PVG} is missing, and the kernel's version is not known: kernels before 5.13 do not create it`,
      fix,
    });

    // The ultravisor directory without the file: a kernel older than 5.13, whatever the banner says.
    expect((await run({ cpuinfo: S390_CPUINFO, files: { [PVG]: false, [UV]: true } })).result).toEqual({
      verdict: 'unknown',
      because: `${UV} exists (an ultravisor is installed) without prot_virt_guest: a kernel older than 5.13`,
      fix: `boot a kernel 5.13 or later and read ${PVG}`,
    });
  });

  it('passes on only the note of prot_virt_guest itself', async () => {
    const other = await run({ cpuinfo: S390_CPUINFO, unavailable: ['/dev/uv'] });
    expect(other.result).toEqual({
      verdict: 'unknown',
      because: `an s390x machine, but ${PVG} is not in the evidence`,
      fix: READ_IT,
    });
    expect((await run({ cpuinfo: S390_CPUINFO, unavailable: [PVG] })).result).toEqual({
      verdict: 'unknown',
      because: `${PVG} could not be read: permission denied`,
      fix: 'run as root',
    });
  });

  it('reports the architecture conflict with both sides, naming the other vendor when cpuinfo has one', async () => {
    const x86 = await run({ cpuinfo: X86_CPUINFO, files: { [PVG]: '1\n' } });
    expect(x86.sides).toEqual([
      [
        { says: `${PVG} (only s390 kernels write it) reads 1`, source: 'files test' },
        { says: 'cpuinfo shows another architecture (vendor_id GenuineIntel)', source: 'cpuinfo test' },
      ],
    ]);
    expect(x86.trail).toEqual([`files: ${PVG} reads 1: a Protected Virtualization guest`]);
    const ppc = await run({ cpuinfo: PSERIES_CPUINFO, files: { [PVG]: '1\n' } });
    expect(ppc.sides).toEqual([
      [
        { says: `${PVG} (only s390 kernels write it) reads 1`, source: 'files test' },
        { says: 'cpuinfo shows another architecture', source: 'cpuinfo' },
      ],
    ]);
  });
});
