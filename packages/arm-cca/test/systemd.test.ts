import { emptyEvidence } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { ARM64_CVM_PROCEDURE, ARM64_MACHINE_READER, armCcaBackend } from '../src/index.js';
import { ARM_CCA_DEV, ARM_CCA_MODULE, evidenceOf, FVP_CPUINFO, X86_CPUINFO } from './evidence.js';

// systemd src/basic/confidential-virt.c (@10f208097f4b), aarch64: `cca` when
// access("/sys/devices/platform/arm-cca-dev", F_OK) succeeds, else `none` (PR systemd#35984).
describe('systemd-detect-virt --cvm on arm64', () => {
  it('the plugin carries the arm64 procedure', () => {
    expect(armCcaBackend.cvm).toBe(ARM64_CVM_PROCEDURE);
    expect(ARM64_CVM_PROCEDURE.id).toBe('systemd-arm64');
  });

  it('prints cca when arm-cca-dev exists', () => {
    const r = ARM64_CVM_PROCEDURE.read(evidenceOf({ cpuinfo: FVP_CPUINFO, files: [[ARM_CCA_DEV, true]] }));
    expect(r?.label).toBe('cca');
  });

  it('prints none when it does not, whatever else the evidence says', () => {
    const r = ARM64_CVM_PROCEDURE.read(
      evidenceOf({
        cpuinfo: FVP_CPUINFO,
        log: '[    0.000000] RME: Using RSI version 1.0',
        files: [[ARM_CCA_DEV, false]],
      }),
    );
    expect(r?.label).toBe('none');
  });

  it('cannot run on arm64 evidence that did not read the device', () => {
    const r = ARM64_CVM_PROCEDURE.read(evidenceOf({ cpuinfo: FVP_CPUINFO }));
    expect(r?.label).toBeNull();
    expect(r?.missing).toContain(ARM_CCA_DEV);
  });

  it('is not the procedure of another architecture, or of no evidence', () => {
    expect(
      ARM64_CVM_PROCEDURE.read(evidenceOf({ cpuinfo: X86_CPUINFO, files: [[ARM_CCA_DEV, false]] })),
    ).toBeNull();
    expect(ARM64_CVM_PROCEDURE.read(emptyEvidence())).toBeNull();
  });

  it('the device alone says arm64', () => {
    expect(ARM64_CVM_PROCEDURE.read(evidenceOf({ files: [[ARM_CCA_DEV, true]] }))?.label).toBe('cca');
  });
});

describe('the arm64 machine reader', () => {
  it('names configfs-tsm:arm_cca_guest when a report provider reads arm_cca_guest', () => {
    const facts = ARM64_MACHINE_READER.read(
      evidenceOf({
        cpuinfo: FVP_CPUINFO,
        files: [['/sys/kernel/config/tsm/report/coco/provider', true, 'arm_cca_guest\n']],
      }),
    );
    expect(facts).toEqual({ attestation: ['configfs-tsm:arm_cca_guest'] });
  });

  it('names it when the arm_cca_guest module is loaded', () => {
    expect(ARM64_MACHINE_READER.read(evidenceOf({ files: [[ARM_CCA_MODULE, true]] }))?.attestation).toEqual([
      'configfs-tsm:arm_cca_guest',
    ]);
  });

  it('names none on an arm64 machine without either, and gives no hypervisor name', () => {
    const facts = ARM64_MACHINE_READER.read(
      evidenceOf({ cpuinfo: FVP_CPUINFO, files: [[ARM_CCA_DEV, true]] }),
    );
    expect(facts).toEqual({ attestation: [] });
  });

  it('is not the reader of another architecture', () => {
    expect(ARM64_MACHINE_READER.read(evidenceOf({ cpuinfo: X86_CPUINFO }))).toBeNull();
    expect(ARM64_MACHINE_READER.read(emptyEvidence())).toBeNull();
  });
});
