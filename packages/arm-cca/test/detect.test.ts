import { createRegistry, type Evidence } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { armCcaBackend, REALM_CONFIG_FACT } from '../src/index.js';
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

const detect = (evidence: Evidence) => createRegistry().use(armCcaBackend).detect(evidence);
const steps = (d: ReturnType<typeof detect>) => d.trail.filter((s) => s.by === 'arm-cca');

describe('detectArmCca: a realm', () => {
  it('from a realm boot log (RME: Using RSI version 1.0)', () => {
    const d = detect(evidenceOf({ log: REALM_BOOT_LOG, cpuinfo: FVP_CPUINFO }));
    expect(d.type?.id).toBe('arm-cca');
    expect(d.confidential).toBe(true);
    expect(d.type?.attributes.ids).toEqual(['mem-encrypt']);
    expect(d.type?.maskState).toBe('unknown');
    expect(d.type?.maskUnknownReason).toContain('ipa_bits');
    expect(d.tee).toBe('cca');
    // The RSI line is line 7 of the log; every step names the fact it read.
    expect(
      steps(d).some((s) => s.fact === 'dmesg line 7' && s.says.includes('RME: Using RSI version 1.0')),
    ).toBe(true);
    expect(steps(d).every((s) => typeof s.fact === 'string')).toBe(true);
  });

  it('from the RSI line alone (a grep of dmesg, no cpuinfo)', () => {
    const d = detect(evidenceOf({ log: LPA2_REALM_GREP }));
    expect(d.type?.id).toBe('arm-cca');
    // systemd's procedure cannot run without arm-cca-dev: the label for the type, cca.
    expect(d.cvm).toBe('cca');
  });

  it('from /sys/devices/platform/arm-cca-dev (v6.14 and later)', () => {
    const d = detect(evidenceOf({ cpuinfo: FVP_CPUINFO, files: [[ARM_CCA_DEV, true]] }));
    expect(d.type?.id).toBe('arm-cca');
    expect(d.cvm).toBe('cca');
    expect(steps(d).some((s) => s.fact === `file ${ARM_CCA_DEV}`)).toBe(true);
  });

  it('from the loaded arm_cca_guest module, which names the attestation interface', () => {
    const d = detect(evidenceOf({ cpuinfo: FVP_CPUINFO, files: [[ARM_CCA_MODULE, true]] }));
    expect(d.type?.id).toBe('arm-cca');
    expect(d.attestation).toEqual(['configfs-tsm:arm_cca_guest']);
  });

  it('from a configfs-tsm report whose provider is arm_cca_guest', () => {
    const provider = '/sys/kernel/config/tsm/report/report0/provider';
    const d = detect(evidenceOf({ cpuinfo: FVP_CPUINFO, files: [[provider, true, 'arm_cca_guest\n']] }));
    expect(d.type?.id).toBe('arm-cca');
    expect(d.attestation).toEqual(['configfs-tsm:arm_cca_guest']);
  });

  it('from "failed to register rsi platform device" (printed only in a realm)', () => {
    const d = detect(
      evidenceOf({
        cpuinfo: FVP_CPUINFO,
        log: '[    0.031000] failed to register rsi platform device',
        files: [
          [ARM_CCA_DEV, false],
          [OSRELEASE, true, '6.18.2\n'],
        ],
      }),
    );
    expect(d.type?.id).toBe('arm-cca');
    // systemd reads only the device: none.
    expect(d.cvm).toBe('none');
  });

  it('knows the shared bit when the evidence carries the realm IPA width', () => {
    const d = detect(
      evidenceOf({
        log: LPA2_REALM_GREP,
        build: (b) => b.addFact(REALM_CONFIG_FACT, 'ipa-bits', 48, 'launch configuration'),
      }),
    );
    expect(d.type?.maskState).toBe('known');
    expect(d.type?.marking?.maskBit).toBe(47);
    expect(d.toJSON().maskBit).toBe(47);
  });
});

describe('detectArmCca: not a realm', () => {
  it('a whole arm64 host boot log without the RSI line', () => {
    const d = detect(evidenceOf({ log: HOST_BOOT_LOG, cpuinfo: FVP_CPUINFO }));
    expect(d.type).toBeNull();
    expect(d.confidential).toBe(false);
    expect(d.trail.some((s) => s.says.startsWith('arm-cca rules its type out'))).toBe(true);
  });

  it('no arm-cca-dev on kernel 6.15 (from osrelease)', () => {
    const d = detect(
      evidenceOf({
        cpuinfo: FVP_CPUINFO,
        files: [
          [ARM_CCA_DEV, false],
          [OSRELEASE, true, '6.15.0-rc1-g916aeec68dd4\n'],
        ],
      }),
    );
    expect(d.confidential).toBe(false);
    expect(d.cvm).toBe('none');
  });

  it('the RMM refused the RSI version: absent, with a warning that the machine is a realm', () => {
    const d = detect(evidenceOf({ cpuinfo: FVP_CPUINFO, log: REFUSED_LINE }));
    expect(d.type).toBeNull();
    expect(d.confidential).toBe(false);
    expect(d.warnings.some((w) => w.includes('runs in a realm'))).toBe(true);
  });

  it('RSI_REALM_CONFIG failed after the version line: absent, not a conflict', () => {
    const d = detect(
      evidenceOf({
        cpuinfo: FVP_CPUINFO,
        log: `[    0.000000] RME: Using RSI version 1.0\n${CONFIG_WARNING_LINE}`,
      }),
    );
    expect(d.conflicts).toEqual([]);
    expect(d.confidential).toBe(false);
  });

  it('x86 evidence is not this backend’s: nothing said', () => {
    const d = detect(evidenceOf({ cpuinfo: X86_CPUINFO }));
    expect(d.type).toBeNull();
    expect(d.confidential).toBeNull();
    expect(d.undetermined).toEqual([]);
    expect(d.cvm).toBeNull();
  });
});

describe('detectArmCca: cannot tell', () => {
  it('arm64 without arm-cca-dev on kernel 6.13 (before the device existed)', () => {
    const d = detect(
      evidenceOf({
        cpuinfo: FVP_CPUINFO,
        files: [
          [ARM_CCA_DEV, false],
          [OSRELEASE, true, '6.13.7\n'],
        ],
      }),
    );
    expect(d.confidential).toBeNull();
    expect(d.undetermined[0]?.by).toBe('arm-cca');
    expect(d.undetermined[0]?.fix).toContain('RME: Using RSI version 1.0');
  });

  it('arm64 cpuinfo alone', () => {
    const d = detect(evidenceOf({ cpuinfo: FVP_CPUINFO }));
    expect(d.confidential).toBeNull();
    expect(d.undetermined[0]?.because).toContain('no kernel log');
  });

  it('a newer kernel than the ones checked (the device may be renamed) proves nothing', () => {
    const d = detect(
      evidenceOf({
        cpuinfo: FVP_CPUINFO,
        files: [
          [ARM_CCA_DEV, false],
          [OSRELEASE, true, '7.1.0\n'],
        ],
      }),
    );
    expect(d.confidential).toBeNull();
  });

  it('a partial log without the RSI line', () => {
    const d = detect(
      evidenceOf({ cpuinfo: FVP_CPUINFO, log: '[    0.000000] psci: SMC Calling Convention v1.2' }),
    );
    expect(d.confidential).toBeNull();
  });
});

describe('detectArmCca: contradictions', () => {
  it('the RSI line on x86 cpuinfo is a conflict', () => {
    const d = detect(evidenceOf({ cpuinfo: X86_CPUINFO, log: LPA2_REALM_GREP }));
    expect(d.type).toBeNull();
    expect(d.conflicts.length).toBeGreaterThan(0);
  });

  it('the RSI line with no arm-cca-dev on kernel 6.18 is a conflict', () => {
    const d = detect(
      evidenceOf({
        cpuinfo: FVP_CPUINFO,
        log: LPA2_REALM_GREP,
        files: [
          [ARM_CCA_DEV, false],
          [OSRELEASE, true, '6.18.2\n'],
        ],
      }),
    );
    expect(d.type).toBeNull();
    expect(d.confidential).toBeNull();
    expect(d.conflicts[0]?.what).toContain('Arm CCA realm');
  });

  it('the version accepted and refused in one log is a conflict', () => {
    const d = detect(evidenceOf({ log: `${LPA2_REALM_GREP}\n${REFUSED_LINE}` }));
    expect(d.type).toBeNull();
    expect(d.conflicts.length).toBe(1);
  });
});

describe('detect through the plugin', () => {
  it('declares every log line it reads', () => {
    for (const line of [
      'RME: Using RSI version 1.0',
      "RME: RMM doesn't support RSI version 1.0. Supported range: 2.0-2.0",
      'failed to register rsi platform device',
      'WARNING: CPU: 0 PID: 0 at arch/arm64/kernel/rsi.c:147 arm64_rsi_init+0x98/0x1d0',
    ])
      expect(armCcaBackend.logPatterns.some((p) => p.test(line))).toBe(true);
  });

  it('probes arm64 only: arm-cca-dev, the module and osrelease, CPU architecture and Features', () => {
    const plan = createRegistry().use(armCcaBackend).probes('arm64');
    expect(plan.files.map((f) => f.path)).toEqual([ARM_CCA_DEV, ARM_CCA_MODULE, OSRELEASE]);
    expect(plan.cpuinfo).toEqual(['CPU architecture', 'Features']);
    expect(createRegistry().use(armCcaBackend).probes('x64').files).toEqual([]);
  });
});
