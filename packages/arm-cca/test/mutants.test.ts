// Tests written from Stryker's survivors (docs/mutation.md, the first arm-cca run). The package is
// imported inside the tests: a mutant that makes a module-level table throw while loading then fails
// a test instead of failing the file before any test runs (counted as survived).
//
// Facts (docs/facts: other-arches-and-versions.md A1, C1, C3, C5; Linux v6.13 to v6.19): a realm
// kernel prints "RME: Using RSI version 1.0" (rsi.c, no pr_fmt) and, on refusal, "RME: RMM doesn't
// support RSI version %lu.%lu. Supported range: %lu.%lu-%lu.%lu"; /sys/devices/platform/arm-cca-dev
// exists in every realm from v6.14 (absent in v6.13.7, present in v6.14, v6.18.2, v6.19); the
// attestation driver registers a configfs-tsm provider named arm_cca_guest (tdx_guest and sev_guest
// are the other providers), and has no /dev node; arm64 cpuinfo prints "CPU architecture: 8".
import { type Evidence, EvidenceBuilder } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { recorder } from '../../../tools/testing/backend-evidence.js';
import {
  ARM_CCA_DEV,
  ARM_CCA_MODULE,
  CONFIG_WARNING_LINE,
  evidenceOf,
  FVP_CPUINFO,
  HOST_BOOT_LOG,
  LPA2_REALM_GREP,
  OSRELEASE,
  REALM_BOOT_LOG,
  REFUSED_LINE,
  X86_CPUINFO,
} from './evidence.js';

const load = () => import('../src/index.js');
const PROVIDER = '/sys/kernel/config/tsm/report/r0/provider';
// core's parseCpuinfo names each field's source `cpuinfo <source>` (here the source is `cpuinfo`).
const ARM64 = 'cpuinfo: cpuinfo "CPU architecture: 8" from cpuinfo cpuinfo: arm64';
const UNKNOWN_IPA =
  "shared bit unknown: the realm's IPA width (RSI_REALM_CONFIG ipa_bits) is not in the evidence: the kernel never prints it; give ipaBits";
const FIX =
  'pass the whole boot log (dmesg from boot, where a realm kernel prints "RME: Using RSI version 1.0"), or read /sys/devices/platform/arm-cca-dev and /proc/sys/kernel/osrelease on a kernel from v6.14';
const REFUSED_BECAUSE =
  "the RMM refused the kernel's RSI version 1.0 (it supports 2.0-2.0) (line 1 of dmesg): realm support is off, cc_platform_has() answers false";

async function run(evidence: Evidence) {
  const { detectArmCca } = await load();
  const r = recorder();
  const result = detectArmCca(evidence, r.context);
  return {
    result: result && 'type' in result ? { type: result.type.describe() } : result,
    trail: r.trail(),
    facts: r.steps.map((s) => s.fact),
    warnings: r.warnings,
    sides: r.sides,
  };
}

describe('the trail of a realm', () => {
  it('a realm boot log: the architecture, the RSI line, the claim, each with its fact', async () => {
    const d = await run(evidenceOf({ log: REALM_BOOT_LOG, cpuinfo: FVP_CPUINFO }));
    expect(d.trail).toEqual([
      ARM64,
      'kernel-log: "RME: Using RSI version 1.0" (line 7 of dmesg): a realm',
      `kernel-log: an Arm CCA realm; ${UNKNOWN_IPA}`,
    ]);
    expect(d.facts).toEqual(['cpuinfo CPU architecture', 'dmesg line 7', 'dmesg line 7']);
    expect(d.warnings).toEqual([]);
  });

  it('the device, the module, a provider, the failed-device line: each names what it read', async () => {
    const dev = await run(evidenceOf({ cpuinfo: FVP_CPUINFO, files: [[ARM_CCA_DEV, true]] }));
    expect(dev.trail.slice(1)).toEqual([
      `files: ${ARM_CCA_DEV} exists (test): a realm`,
      `files: an Arm CCA realm; ${UNKNOWN_IPA}`,
    ]);
    expect(dev.facts.slice(1)).toEqual([`file ${ARM_CCA_DEV}`, `file ${ARM_CCA_DEV}`]);
    const mod = await run(evidenceOf({ cpuinfo: FVP_CPUINFO, files: [[ARM_CCA_MODULE, true]] }));
    expect(mod.trail[1]).toBe(
      `files: ${ARM_CCA_MODULE} exists (the module loads only in a realm) (test): a realm`,
    );
    expect(mod.facts[1]).toBe(`file ${ARM_CCA_MODULE}`);
    const tsm = await run(evidenceOf({ cpuinfo: FVP_CPUINFO, files: [[PROVIDER, true, 'arm_cca_guest\n']] }));
    expect(tsm.trail[1]).toBe(`files: ${PROVIDER} reads "arm_cca_guest" (test): a realm`);
    expect(tsm.facts.slice(1)).toEqual([`file ${PROVIDER}`, `file ${PROVIDER}`]);
    const failed = await run(
      evidenceOf({ cpuinfo: FVP_CPUINFO, log: '[    0.031000] failed to register rsi platform device' }),
    );
    expect(failed.trail.slice(1)).toEqual([
      'kernel-log: "failed to register rsi platform device" (printed only when is_realm_world()) (line 1 of dmesg): a realm',
      `kernel-log: an Arm CCA realm; ${UNKNOWN_IPA}`,
    ]);
  });

  it('warns when the log names two RSI versions', async () => {
    const d = await run(
      evidenceOf({
        log: '[    0.000000] RME: Using RSI version 1.0\n[    0.100000] RME: Using RSI version 1.1',
      }),
    );
    expect(d.result).toEqual({ type: expect.stringMatching(/^Arm CCA realm, shared bit unknown/) });
    expect(d.warnings).toEqual(['the kernel log names several RSI versions (1.0, 1.1)']);
    expect((await run(evidenceOf({ log: `${LPA2_REALM_GREP}\n${LPA2_REALM_GREP}` }))).warnings).toEqual([]);
  });

  it('with the realm IPA width: the shared bit, one below it', async () => {
    const { REALM_CONFIG_FACT } = await load();
    const d = await run(
      evidenceOf({
        log: LPA2_REALM_GREP,
        build: (b) => b.addFact(REALM_CONFIG_FACT, 'ipa-bits', 48, 'launch configuration'),
      }),
    );
    expect(d.result).toEqual({ type: 'Arm CCA realm, shared bit 47, encrypted when clear' });
    expect(d.trail.slice(1)).toEqual([
      'arm-cca.realm-config: realm IPA width 48 (launch configuration): shared bit 47',
      'kernel-log: an Arm CCA realm',
    ]);
    expect(d.facts.slice(1)).toEqual(['realm config ipa-bits', 'dmesg line 1']);
  });
});

describe('the trail of a machine that is not a realm', () => {
  it('a whole host boot log: its banner is the fact', async () => {
    const d = await run(evidenceOf({ log: HOST_BOOT_LOG, cpuinfo: FVP_CPUINFO }));
    expect(d.result).toEqual({
      verdict: 'absent',
      because:
        'the whole boot log has no "RME: Using RSI version" line, which a kernel prints before it turns realm support on',
    });
    expect(d.trail).toEqual([
      ARM64,
      'kernel-log: a whole boot log without "RME: Using RSI version" (dmesg): not a realm',
    ]);
    expect(d.facts).toEqual(['cpuinfo CPU architecture', 'dmesg line 2']);
  });

  it('the refusal, alone or with arm64 cpuinfo: absent, with the warning that the machine is a realm', async () => {
    for (const parts of [{ log: REFUSED_LINE }, { log: REFUSED_LINE, cpuinfo: FVP_CPUINFO }]) {
      const d = await run(evidenceOf(parts));
      expect(d.result).toEqual({ verdict: 'absent', because: REFUSED_BECAUSE });
      expect(d.trail.at(-1)).toBe(
        `kernel-log: "RME: RMM doesn't support RSI version 1.0. Supported range: 2.0-2.0" (line 1 of dmesg): not a realm`,
      );
      expect(d.warnings).toEqual([
        `the firmware answers the Realm Service Interface, so this machine runs in a realm, but ${REFUSED_BECAUSE}; pages are not protected as a realm's`,
      ]);
    }
  });

  it('a failed realm configuration after the version line: the version accepted, then not a realm', async () => {
    const d = await run(
      evidenceOf({
        cpuinfo: FVP_CPUINFO,
        log: `[    0.000000] RME: Using RSI version 1.0\n${CONFIG_WARNING_LINE}`,
      }),
    );
    const because =
      'RSI_REALM_CONFIG failed at boot (line 2 of dmesg): arm64_rsi_init returned before turning realm support on';
    expect(d.result).toEqual({ verdict: 'absent', because });
    expect(d.trail).toEqual([
      ARM64,
      'kernel-log: "RME: Using RSI version 1.0" (line 1 of dmesg): the RMM accepted the version',
      `kernel-log: "${CONFIG_WARNING_LINE.slice(15)}" (line 2 of dmesg): not a realm`,
    ]);
    expect(d.facts).toEqual(['cpuinfo CPU architecture', 'dmesg line 1', 'dmesg line 2']);
    expect(d.warnings).toHaveLength(1);
  });

  it('no arm-cca-dev on each kernel from v6.14 to v6.19; before and after, it proves nothing', async () => {
    const at = (release: string) =>
      run(
        evidenceOf({
          cpuinfo: FVP_CPUINFO,
          files: [
            [ARM_CCA_DEV, false],
            [OSRELEASE, true, release],
          ],
        }),
      );
    for (const release of ['6.14.0-1-arm64\n', '6.19.0\n']) {
      const version = release.slice(0, 4);
      const d = await at(release);
      expect(d.result).toEqual({
        verdict: 'absent',
        because: `${ARM_CCA_DEV} does not exist, and kernel ${version} (from ${OSRELEASE} "${release.trim()}" (test)) registers it in every realm (v6.14 to v6.19)`,
      });
      expect(d.trail.at(-1)).toBe(
        `files: ${ARM_CCA_DEV} does not exist on kernel ${version} (test): not a realm`,
      );
      expect(d.facts.at(-1)).toBe(`file ${ARM_CCA_DEV}`);
    }
    for (const release of ['6.13.7\n', '6.20.0\n']) {
      const d = await at(release);
      expect(d.result).toEqual({
        verdict: 'unknown',
        because: `an arm64 machine, but the evidence does not show whether it is a realm: ${ARM_CCA_DEV} does not exist; no kernel log`,
        fix: FIX,
      });
      expect(d.trail).toEqual([
        ARM64,
        `files: ${ARM_CCA_DEV} does not exist: kernel ${release.slice(0, 4)} (from ${OSRELEASE} "${release.trim()}" (test)) is outside v6.14..v6.19, where the device is known, so this proves nothing`,
      ]);
      expect(d.facts).toEqual(['cpuinfo CPU architecture', `file ${ARM_CCA_DEV}`]);
    }
    const unknown = await run(evidenceOf({ cpuinfo: FVP_CPUINFO, files: [[ARM_CCA_DEV, false]] }));
    expect(unknown.trail).toEqual([
      ARM64,
      `files: ${ARM_CCA_DEV} does not exist: the kernel version is not in the evidence (the device exists from v6.14), so this proves nothing`,
    ]);
    expect(unknown.result).toMatchObject({
      because: `an arm64 machine, but the evidence does not show whether it is a realm: ${ARM_CCA_DEV} does not exist; no kernel log; the kernel version is not known`,
    });
  });

  it('the failed-device line outweighs a missing device on a v6.14+ kernel (it explains the absence)', async () => {
    const d = await run(
      evidenceOf({
        cpuinfo: FVP_CPUINFO,
        log: '[    0.031000] failed to register rsi platform device',
        files: [
          [ARM_CCA_DEV, false],
          [OSRELEASE, true, '6.18.2\n'],
        ],
      }),
    );
    expect(d.result).toEqual({ type: expect.stringMatching(/^Arm CCA realm/) });
    expect(d.sides).toEqual([]);
  });
});

describe('cannot tell', () => {
  it('says what the evidence lacks, piece by piece', async () => {
    const mod = await run(evidenceOf({ cpuinfo: FVP_CPUINFO, files: [[ARM_CCA_MODULE, false]] }));
    expect(mod.result).toEqual({
      verdict: 'unknown',
      because: `an arm64 machine, but the evidence does not show whether it is a realm: ${ARM_CCA_MODULE} does not exist (the module may be built in or not loaded); no kernel log; the kernel version is not known`,
      fix: FIX,
    });
    const partial = await run(
      evidenceOf({ cpuinfo: FVP_CPUINFO, log: '[    0.000000] psci: SMC Calling Convention v1.2' }),
    );
    expect(partial.result).toMatchObject({
      because:
        'an arm64 machine, but the evidence does not show whether it is a realm: the kernel log has no RSI line, and it is not a whole boot log (no "Linux version" banner); the kernel version is not known',
    });
    // A banner without the end of boot: the version is known, the log is not whole.
    const banner = HOST_BOOT_LOG.split('\n').slice(0, 3).join('\n');
    expect((await run(evidenceOf({ cpuinfo: FVP_CPUINFO, log: banner }))).result).toMatchObject({
      because:
        'an arm64 machine, but the evidence does not show whether it is a realm: the kernel log has no RSI line, and it is not a whole boot log',
    });
  });

  it('another configfs-tsm provider is told after the architecture, and a provider not read is none', async () => {
    const tdx = await run(evidenceOf({ cpuinfo: FVP_CPUINFO, files: [[PROVIDER, true, 'tdx_guest\n']] }));
    expect(tdx.trail).toEqual([
      ARM64,
      `files: ${PROVIDER} reads "tdx_guest": another provider, not a realm's`,
    ]);
    expect(tdx.facts).toEqual(['cpuinfo CPU architecture', `file ${PROVIDER}`]);
    const unread = await run(evidenceOf({ cpuinfo: FVP_CPUINFO, files: [[PROVIDER, true]] }));
    expect(unread.trail).toEqual([ARM64]);
    expect(unread.result).toMatchObject({ verdict: 'unknown' });
    // A file read with its text that is not a provider file is not a provider.
    const other = await run(
      evidenceOf({ cpuinfo: FVP_CPUINFO, files: [['/sys/kernel/config/tsm/report/r0/outblob', true, 'x']] }),
    );
    expect(other.trail).toEqual([ARM64]);
  });
});

describe('evidence of another architecture, or of none', () => {
  it('says nothing about a TDX guest’s configfs-tsm provider or a missing device (fixed: they were told first)', async () => {
    const d = await run(
      evidenceOf({
        cpuinfo: X86_CPUINFO,
        files: [
          [PROVIDER, true, 'tdx_guest\n'],
          [ARM_CCA_DEV, false],
        ],
      }),
    );
    expect(d.result).toBeNull();
    expect(d.trail).toEqual([
      'cpuinfo: cpuinfo has "flags" (from cpuinfo cpuinfo), which arm64 never prints: not arm64',
    ]);
    const bare = await run(evidenceOf({ files: [[PROVIDER, true, 'sev_guest\n']] }));
    expect(bare).toMatchObject({ result: null, trail: [] });
  });

  it('no evidence at all is not this backend’s', async () => {
    expect(await run(new EvidenceBuilder().build())).toMatchObject({ result: null, trail: [] });
  });

  it('a realm line on x86 cpuinfo: the conflict names both sides', async () => {
    const { detectArmCca } = await load();
    const r = recorder();
    detectArmCca(evidenceOf({ cpuinfo: X86_CPUINFO, log: LPA2_REALM_GREP }), r.context);
    expect(r.conflicts).toEqual(['the architecture of an Arm CCA realm']);
    const d = await run(evidenceOf({ cpuinfo: X86_CPUINFO, log: LPA2_REALM_GREP }));
    expect(d.result).toBeNull();
    expect(d.sides).toEqual([
      [
        {
          says: 'cpuinfo has "flags" (from cpuinfo cpuinfo), which arm64 never prints: not arm64',
          source: 'cpuinfo',
        },
        { says: '"RME: Using RSI version 1.0"', source: 'line 1 of dmesg' },
      ],
    ]);
  });

  it('a realm line beside a whole boot log: both sides of the conflict', async () => {
    const d = await run(
      evidenceOf({
        files: [
          [ARM_CCA_DEV, true],
          [OSRELEASE, true, '6.15.0\n'],
        ],
        log: HOST_BOOT_LOG,
      }),
    );
    expect(d.result).toBeNull();
    expect(d.sides).toEqual([
      [
        { says: `${ARM_CCA_DEV} exists`, source: 'test' },
        { says: 'a whole boot log without "RME: Using RSI version"', source: 'dmesg' },
      ],
    ]);
  });
});

describe('the arm64 readings', () => {
  it('reads the architecture from CPU architecture, or from a field arm64 never prints', async () => {
    const { readArch } = await load();
    const fields = (pairs: [string, string][]) => new EvidenceBuilder().addCpuinfo(pairs, 'c').build();
    expect(readArch(fields([['CPU architecture', '8']]))).toEqual({
      arm64: true,
      says: 'cpuinfo "CPU architecture: 8" from c: arm64',
      fact: 'cpuinfo CPU architecture',
    });
    // A snapshot's field as written, not trimmed by the evidence builder.
    expect(readArch(fields([['CPU architecture', '8 ']])).arm64).toBe(true);
    expect(readArch(fields([['CPU architecture', '7']]))).toEqual({
      arm64: false,
      says: 'cpuinfo "CPU architecture: 7" from c: not arm64 (arm64 prints 8)',
      fact: 'cpuinfo CPU architecture',
    });
    for (const field of ['flags', 'vendor_id', 'features', 'cpu', 'cpu family']) {
      expect(readArch(fields([[field, 'x']]))).toEqual({
        arm64: false,
        says: `cpuinfo has "${field}" (from c), which arm64 never prints: not arm64`,
        fact: `cpuinfo ${field}`,
      });
    }
    expect(readArch(new EvidenceBuilder().build())).toEqual({
      arm64: undefined,
      says: 'the evidence does not show the architecture',
    });
  });

  it('reads the kernel version from the banner first, else from osrelease at its start', async () => {
    const { readKernelVersion } = await load();
    expect(
      readKernelVersion(evidenceOf({ log: HOST_BOOT_LOG, files: [[OSRELEASE, true, '6.1.0\n']] })),
    ).toEqual({
      major: 6,
      minor: 15,
      from: 'the boot banner (line 2 of dmesg)',
      fact: 'dmesg line 2',
    });
    expect(readKernelVersion(evidenceOf({ files: [[OSRELEASE, true, '  6.14.0-1-arm64\n']] }))).toEqual({
      major: 6,
      minor: 14,
      from: `${OSRELEASE} "6.14.0-1-arm64" (test)`,
      fact: `file ${OSRELEASE}`,
    });
    expect(readKernelVersion(evidenceOf({ files: [[OSRELEASE, true, 'Linux 6.14\n']] }))).toBeNull();
    expect(readKernelVersion(evidenceOf({ files: [[OSRELEASE, true]] }))).toBeNull();
    expect(readKernelVersion(evidenceOf({}))).toBeNull();
  });
});

describe('the realm-config fact kind', () => {
  it('decodes only ipa-bits, an integer from 32 to 52, and encodes and describes it', async () => {
    const { REALM_CONFIG_FACT: kind } = await load();
    expect(kind.id).toBe('arm-cca.realm-config');
    expect(kind.decode(48, 'ipa-bits')).toBe(48);
    expect(kind.decode(32, 'ipa-bits')).toBe(32);
    expect(kind.decode(52, 'ipa-bits')).toBe(52);
    expect(() => kind.decode(48, 'pa-bits')).toThrow('unknown key "pa-bits" (only ipa-bits)');
    for (const bad of [31, 53, 48.5, '48', null])
      expect(() => kind.decode(bad, 'ipa-bits')).toThrow('ipa-bits must be an integer from 32 to 52');
    expect(kind.encode(48)).toBe(48);
    expect(kind.describeKey?.('ipa-bits')).toBe('realm config ipa-bits');
  });
});

describe('more of the trail (the first run’s survivors in the weighing)', () => {
  it('evidence without an architecture is this backend’s when it names the device, the module or the IPA width', async () => {
    const { REALM_CONFIG_FACT } = await load();
    const dev = await run(evidenceOf({ files: [[ARM_CCA_DEV, false]] }));
    expect(dev.result).toMatchObject({ verdict: 'unknown' });
    expect(dev.trail).toEqual([
      `files: ${ARM_CCA_DEV} does not exist: the kernel version is not in the evidence (the device exists from v6.14), so this proves nothing`,
    ]);
    expect((await run(evidenceOf({ files: [[ARM_CCA_MODULE, false]] }))).result).toMatchObject({
      verdict: 'unknown',
    });
    const ipa = await run(
      evidenceOf({ build: (b) => b.addFact(REALM_CONFIG_FACT, 'ipa-bits', 48, 'launch configuration') }),
    );
    expect(ipa.result).toMatchObject({ verdict: 'unknown' });
  });

  it('a realm line alone: no architecture step', async () => {
    const d = await run(evidenceOf({ log: LPA2_REALM_GREP }));
    expect(d.trail).toEqual([
      'kernel-log: "RME: Using RSI version 1.0" (line 1 of dmesg): a realm',
      `kernel-log: an Arm CCA realm; ${UNKNOWN_IPA}`,
    ]);
  });

  it('no warning when a missing device or a whole log proves the absence, and no conflict on x86 without a realm side', async () => {
    expect((await run(evidenceOf({ log: HOST_BOOT_LOG, cpuinfo: FVP_CPUINFO }))).warnings).toEqual([]);
    const x86 = await run(
      evidenceOf({ cpuinfo: X86_CPUINFO, files: [[ARM_CCA_DEV, false]], log: HOST_BOOT_LOG }),
    );
    expect([x86.result, x86.sides]).toEqual([null, []]);
  });
});

describe('systemd-detect-virt --cvm on arm64, step by step', () => {
  it('says what it read on each path', async () => {
    const { ARM64_CVM_PROCEDURE: cvm } = await load();
    const arm64 = 'cpuinfo "CPU architecture: 8" from cpuinfo cpuinfo: arm64';
    expect(cvm.read(evidenceOf({ cpuinfo: FVP_CPUINFO }))).toEqual({
      label: null,
      steps: [arm64, `access("${ARM_CCA_DEV}", F_OK): not in the evidence`],
      missing: `whether ${ARM_CCA_DEV} exists`,
    });
    expect(cvm.read(evidenceOf({ cpuinfo: FVP_CPUINFO, files: [[ARM_CCA_DEV, true]] }))).toEqual({
      label: 'cca',
      steps: [arm64, `access("${ARM_CCA_DEV}", F_OK) succeeds (test): cca`],
    });
    expect(cvm.read(evidenceOf({ cpuinfo: FVP_CPUINFO, files: [[ARM_CCA_DEV, false]] }))).toEqual({
      label: 'none',
      steps: [arm64, `access("${ARM_CCA_DEV}", F_OK) fails (test): none`],
    });
    expect(cvm.read(evidenceOf({ files: [[ARM_CCA_DEV, true]] }))).toEqual({
      label: 'cca',
      steps: [`${ARM_CCA_DEV} exists: an arm64 realm`, `access("${ARM_CCA_DEV}", F_OK) succeeds (test): cca`],
    });
    // Without the architecture, a missing device says nothing of arm64.
    expect(cvm.read(evidenceOf({ files: [[ARM_CCA_DEV, false]] }))).toBeNull();
  });

  it('the machine reader: the module or a CCA provider shows arm64 and names the interface; another provider does not', async () => {
    const { ARM64_MACHINE_READER: reader } = await load();
    expect(reader.id).toBe('arm64-machine');
    expect(reader.read(evidenceOf({ files: [[PROVIDER, true, 'arm_cca_guest\n']] }))).toEqual({
      attestation: ['configfs-tsm:arm_cca_guest'],
    });
    expect(
      reader.read(evidenceOf({ cpuinfo: FVP_CPUINFO, files: [[PROVIDER, true, 'tdx_guest\n']] })),
    ).toEqual({
      attestation: [],
    });
    expect(reader.read(evidenceOf({ files: [[PROVIDER, true, 'tdx_guest\n']] }))).toBeNull();
    expect(reader.read(evidenceOf({ files: [[ARM_CCA_DEV, true]] }))).toEqual({ attestation: [] });
    expect(reader.read(evidenceOf({ files: [[ARM_CCA_MODULE, false]] }))).toBeNull();
  });
});

describe('the RSI lines', () => {
  it('are read only whole, as rsi.c prints them', async () => {
    const {
      findRsiLines,
      ARM_CCA_LOG_PATTERNS,
      RSI_VERSION_LINE,
      RSI_REFUSED_LINE,
      RSI_DEVICE_FAILED_LINE,
      RSI_CONFIG_WARNING_LINE,
    } = await load();
    const { parseKernelLog } = await import('@coco/core');
    expect(ARM_CCA_LOG_PATTERNS).toEqual([
      RSI_VERSION_LINE,
      RSI_REFUSED_LINE,
      RSI_DEVICE_FAILED_LINE,
      RSI_CONFIG_WARNING_LINE,
    ]);
    const read = (text: string) => findRsiLines(parseKernelLog(text, { source: 'dmesg' }));
    expect(read('RME: Using RSI version 12.34').using[0]).toMatchObject({ major: 12, minor: 34 });
    expect(read('x RME: Using RSI version 1.0').using).toEqual([]);
    expect(
      read("RME: RMM doesn't support RSI version 10.20. Supported range: 30.40-50.60").refused[0],
    ).toMatchObject({ requested: '10.20', supported: '30.40-50.60' });
    expect(read("RME: RMM doesn't support RSI version 1.0. Supported range: 2.0-2.0 (x)").refused).toEqual(
      [],
    );
    expect(read('failed to register rsi platform device').deviceFailed).toHaveLength(1);
    for (const text of [
      'failed to register rsi platform devices',
      'x failed to register rsi platform device',
    ])
      expect(read(text).deviceFailed).toEqual([]);
    const warning = read(
      'WARNING: CPU: 12 PID: 1234 at arch/arm64/kernel/rsi.c:147 arm64_rsi_init+0x98/0x1d0',
    );
    expect(warning.configWarning[0]).toMatchObject({ fact: 'dmesg line 1', where: 'line 1 of dmesg' });
    expect(read('WARNING: CPU: 0 PID: 0 at x arm64_rsi_init+0x98/0x1d0').configWarning).toEqual([]);
    expect(read('x WARNING: CPU: 0 PID: 0 at arm64_rsi_init+0x98/0x1d0').configWarning).toEqual([]);
    // The four kinds, each on its own line, in the order found.
    const all = read(
      [
        'RME: Using RSI version 1.0',
        "RME: RMM doesn't support RSI version 1.0. Supported range: 2.0-2.0",
        'failed to register rsi platform device',
        'WARNING: CPU: 0 PID: 0 at arm64_rsi_init+0x98/0x1d0',
      ].join('\n'),
    );
    expect(
      [all.using, all.refused, all.deviceFailed, all.configWarning].map((l) => l.map((x) => x.fact)),
    ).toEqual([['dmesg line 1'], ['dmesg line 2'], ['dmesg line 3'], ['dmesg line 4']]);
  });
});

describe('the plugin, loaded in the test', () => {
  it('declares its id, variant, probes, fact kind and log patterns', async () => {
    const { armCcaBackend, ARM_CCA_LOG_PATTERNS, REALM_CONFIG_FACT, ARM64_MACHINE_READER } = await load();
    expect(armCcaBackend.id).toBe('arm-cca');
    expect(armCcaBackend.packageName).toBe('@coco/arm-cca');
    expect(armCcaBackend.variants).toEqual([
      { variant: null, title: 'Arm CCA realm', attributes: ['mem-encrypt'], cvm: 'cca' },
    ]);
    expect(armCcaBackend.logPatterns).toEqual(ARM_CCA_LOG_PATTERNS);
    expect(armCcaBackend.facts).toEqual([REALM_CONFIG_FACT]);
    expect(armCcaBackend.machine).toBe(ARM64_MACHINE_READER);
    expect(armCcaBackend.probes).toEqual({
      architectures: ['arm64'],
      files: [
        { path: ARM_CCA_DEV, read: 'exists' },
        { path: ARM_CCA_MODULE, read: 'exists' },
        { path: OSRELEASE, read: 'content' },
      ],
      cpuinfo: ['CPU architecture', 'Features'],
    });
  });
});

describe('the quirks, loaded in the test', () => {
  it('convert by break-before-make, the bit, a TLB flush and RSI_IPA_STATE_SET from the returned top', async () => {
    const { ARM_CCA_QUIRKS: q } = await load();
    const c = q.conversion;
    expect(c?.name).toBe('RSI IPA state change');
    expect(c?.mechanism).toBe(
      'SMC RSI_IPA_STATE_SET (0xc4000197): X1 start, X2 end, X3 RIPAS, X4 flags; returns X0 status, X1 top, X2 host response',
    );
    expect(c?.batchUnit).toMatch(
      /^bytes \(any range of whole 4 KiB granules; the RMM may change only a prefix\)$/,
    );
    expect(c?.retry).toMatch(/calls again from top until top reaches the end/);
    expect(c?.retry).toMatch(/RSI_ACCEPT \(-EPERM\).*outside \[start, end\] \(-EINVAL\)/);
    expect(c?.retry).toMatch(/"Failed to decrypt memory, %d pages will be leaked"/);
    expect(c?.toShared.map((s) => s.detail)).toEqual([
      expect.stringMatching(
        /^break-before-make: clear PTE_VALID .*__change_memory_common.*Synchronous External Abort$/,
      ),
      'set the shared bit PROT_NS_SHARED, BIT(ipa_bits - 1) of the IPA',
      'flush_tlb_kernel_range over the range',
      expect.stringMatching(
        /^RSI_IPA_STATE_SET\(start, end, RSI_RIPAS_EMPTY, RSI_CHANGE_DESTROYED\).*rsi_set_memory_range_shared/,
      ),
      'set PTE_VALID again; no TLB flush (an invalid entry is never cached)',
    ]);
    expect(c?.toPrivate.map((s) => s.detail)).toEqual([
      'break-before-make: clear PTE_VALID on the linear map, in the same update as the shared bit',
      'clear the shared bit PROT_NS_SHARED',
      'flush_tlb_kernel_range over the range',
      expect.stringMatching(
        /^RSI_IPA_STATE_SET\(start, end, RSI_RIPAS_RAM, RSI_CHANGE_DESTROYED\).*rsi_set_memory_range_protected/,
      ),
      'set PTE_VALID again; no TLB flush',
    ]);
    expect(q.flush).toEqual({
      toShared: { cache: false, tlb: true },
      toPrivate: { cache: false, tlb: true },
    });
    expect(q.unrollStringIo).toBe(false);
    expect(q.forceDmaUnencrypted).toBe(true);
    expect(q.extra).toEqual({
      'arm-cca:rsi-granule-bytes': 4096,
      'arm-cca:ripas-shared': 'EMPTY',
      'arm-cca:ripas-private': 'RAM',
    });
    expect(q.notes).toHaveLength(4);
    expect(q.notes[0]).toMatch(/^Only linear-map addresses convert .*-EINVAL.*non-page-aligned/);
    expect(q.notes[1]).toMatch(/RIPAS, asked of the RMM at each ioremap \(RSI_IPA_STATE_GET\)/);
    expect(q.notes[2]).toMatch(/8c6e9b60f5c7.*v6\.18\.2 and v6\.19 lack it/);
    expect(q.notes[3]).toMatch(/RSI_NO_CHANGE_DESTROYED/);
  });
});

describe('the type tables, loaded in the test', () => {
  it('the six arm64 descriptor formats, 48-bit first', async () => {
    const { ARM64_FORMATS, GRANULES } = await load();
    expect(GRANULES).toEqual([4096, 16384, 65536]);
    expect(ARM64_FORMATS).toEqual([
      { id: 'arm64-4k', title: 'arm64, 4 KiB granule', granule: 4096, pa52: false },
      { id: 'arm64-16k', title: 'arm64, 16 KiB granule', granule: 16384, pa52: false },
      { id: 'arm64-64k', title: 'arm64, 64 KiB granule', granule: 65536, pa52: false },
      { id: 'arm64-4k-lpa2', title: 'arm64, 4 KiB granule, LPA2', granule: 4096, pa52: true },
      { id: 'arm64-16k-lpa2', title: 'arm64, 16 KiB granule, LPA2', granule: 16384, pa52: true },
      { id: 'arm64-64k-lpa', title: 'arm64, 64 KiB granule, 52-bit PA (LPA)', granule: 65536, pa52: true },
    ]);
  });

  it('where each address bit sits in each format (Arm ARM VMSAv8-64; PTE_ADDR_HIGH)', async () => {
    const { entryBitOf } = await load();
    const lpa2 = { granule: 4096, pa52: true } as const;
    const lpa = { granule: 65536, pa52: true } as const;
    const k4 = { granule: 4096, pa52: false } as const;
    expect([0, 47, 48, 49, 50, 51].map((b) => entryBitOf(lpa2, b))).toEqual([0, 47, 48, 49, 8, 9]);
    expect([47, 48, 49, 50, 51].map((b) => entryBitOf(lpa, b))).toEqual([47, 12, 13, 14, 15]);
    expect([47, 48].map((b) => entryBitOf(k4, b))).toEqual([47, null]);
    for (const bad of [-1, 52, 47.5]) expect(entryBitOf(lpa2, bad)).toBeNull();
  });

  it('the parameters: IPA widths 32 to 52, the three granules', async () => {
    const { ARM_CCA_PARAMS: p, createArmCcaType } = await load();
    expect([p.ipaBits.min, p.ipaBits.max, p.granule.values]).toEqual([32, 52, [4096, 16384, 65536]]);
    expect(createArmCcaType({ ipaBits: 32 }).marking?.maskBit).toBe(31);
  });

  it('the details of a type with and without the IPA width', async () => {
    const { createArmCcaType, DEFAULT_MASK_UNKNOWN_REASON } = await load();
    expect(createArmCcaType({ ipaBits: 48, granule: 65536 }).details).toEqual([
      { name: 'IPA width', value: '48 bits' },
      { name: 'entry format', value: 'arm64, 64 KiB granule' },
      { name: 'shared bit', value: 'IPA bit 47, in place in the entry' },
    ]);
    // Parameters no other test builds: the type is built here, so under Stryker's per-test coverage
    // this test is the one that covers the detail (createTypeCache hands later tests the first type).
    expect(createArmCcaType({ ipaBits: 51, granule: 65536 }).details).toEqual([
      { name: 'IPA width', value: '51 bits' },
      { name: 'entry format', value: 'arm64, 64 KiB granule, 52-bit PA (LPA)' },
      { name: 'shared bit', value: 'IPA bit 50, at descriptor bit 14 in this format' },
    ]);
    expect(createArmCcaType().details).toEqual([
      { name: 'IPA width', value: `unknown: ${DEFAULT_MASK_UNKNOWN_REASON}` },
      { name: 'entry format', value: 'arm64, 4 KiB granule' },
    ]);
    expect(createArmCcaType({ maskUnknownReason: 'the VMM did not say' }).details[0]).toEqual({
      name: 'IPA width',
      value: 'unknown: the VMM did not say',
    });
    expect(createArmCcaType({ ipaBits: 48 })).toBe(createArmCcaType({ ipaBits: 48, granule: 4096 }));
  });
});

describe('the --force run’s survivors', () => {
  it('every refusal names the type’s parameters and says the fix', async () => {
    const { createArmCcaType } = await load();
    const refusal = (params: unknown) => {
      try {
        createArmCcaType(params as never);
      } catch (error) {
        const { input, fix } = error as { input?: unknown; fix?: unknown };
        return { input, fix };
      }
      return undefined;
    };
    expect(refusal({ ipaBits: 52, pa52: false })).toEqual({
      input: 'arm-cca params',
      fix: 'give pa52: true (LPA2 or LPA), or an ipaBits of at most 48',
    });
    expect(refusal({ ipaBits: 48, maskUnknownReason: 'x' })).toEqual({
      input: 'arm-cca params',
      fix: 'give maskUnknownReason only when ipaBits is unknown',
    });
    expect(refusal({ maskUnknownReason: ' ' })).toEqual({
      input: 'arm-cca params',
      fix: 'say why the IPA width is unknown',
    });
    expect(refusal({ ipaBits: 53 })?.input).toBe('arm-cca params.ipaBits');
  });

  it('the log patterns match whole lines only, so a snapshot keeps no line that merely quotes one', async () => {
    const { ARM_CCA_LOG_PATTERNS } = await load();
    const kept = (text: string) => ARM_CCA_LOG_PATTERNS.some((p) => p.test(text));
    for (const line of [
      'RME: Using RSI version 1.0',
      "RME: RMM doesn't support RSI version 1.0. Supported range: 2.0-2.0",
      'failed to register rsi platform device',
      'WARNING: CPU: 0 PID: 0 at arch/arm64/kernel/rsi.c:147 arm64_rsi_init+0x98/0x1d0',
    ]) {
      expect(kept(line)).toBe(true);
      expect(kept(`systemd[1]: echo: ${line}`)).toBe(false);
    }
  });

  it('a configfs-tsm provider is the provider file of one report directory', async () => {
    const { TSM_PROVIDER } = await load();
    expect(TSM_PROVIDER.test('/sys/kernel/config/tsm/report/r0/provider')).toBe(true);
    expect(TSM_PROVIDER.test('/mnt/sys/kernel/config/tsm/report/r0/provider')).toBe(false);
    expect(TSM_PROVIDER.test('/sys/kernel/config/tsm/report/r0/providers')).toBe(false);
    expect(TSM_PROVIDER.test('/sys/kernel/config/tsm/report/r0/provider/x')).toBe(false);
  });

  it('the realm-config fact kind has its title', async () => {
    const { REALM_CONFIG_FACT } = await load();
    expect(REALM_CONFIG_FACT.title).toBe('Arm CCA realm configuration');
  });
});
