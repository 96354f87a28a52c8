// systemd-detect-virt's CPUID table (src/basic/virt.c detect_vm_cpuid) with real signatures, and the
// x86 machine reader's attestation files. Each signature is written here as the 12 bytes the CPU
// returns, with where it comes from; none is taken from coco's own table.
import { type Evidence, EvidenceBuilder } from '@coco/core';
import { describe, expect, it } from 'vitest';
import {
  HYPERVISOR_SIGNATURES,
  readX86Machine,
  systemdVmX86,
  X86_ATTESTATION_FILES,
  X86_MACHINE_READER,
} from '../src/index.js';

/** The three registers of a 12-byte signature, little-endian, as CPUID 0x40000000 returns them. */
function registers(signature: string): { ebx: number; ecx: number; edx: number } {
  const bytes = new Uint8Array(12);
  for (let i = 0; i < signature.length; i++) bytes[i] = signature.charCodeAt(i);
  const word = (at: number) =>
    ((bytes[at] as number) |
      ((bytes[at + 1] as number) << 8) |
      ((bytes[at + 2] as number) << 16) |
      ((bytes[at + 3] as number) << 24)) >>>
    0;
  return { ebx: word(0), ecx: word(4), edx: word(8) };
}

function guest(
  signature: string | null,
  options: { hypervisorBit?: boolean; files?: Record<string, boolean> } = {},
): Evidence {
  const b = new EvidenceBuilder();
  b.addCpuid(
    1,
    0,
    { eax: 0, ebx: 0, ecx: options.hypervisorBit === false ? 0 : 0x8000_0000, edx: 0 },
    'cpuid',
  );
  if (signature !== null) b.addCpuid(0x4000_0000, 0, { eax: 0x4000_0010, ...registers(signature) }, 'cpuid');
  for (const [path, exists] of Object.entries(options.files ?? {})) b.setFile(path, exists, 'files');
  return b.build();
}

// [signature as the CPU returns it, systemd's name, where the signature is documented]
const REAL: readonly (readonly [string, string, string])[] = [
  ['KVMKVMKVM\0\0\0', 'kvm', 'systemd virt.c; Linux arch/x86/include/uapi/asm/kvm_para.h KVM_SIGNATURE'],
  ['Linux KVM Hv', 'kvm', 'systemd virt.c: KVM with Hyper-V enlightenments'],
  ['Microsoft Hv', 'microsoft', 'systemd virt.c; Hyper-V TLFS leaf 0x40000000'],
  ['XenVMMXenVMM', 'xen', 'systemd virt.c; Linux arch/x86/xen'],
  ['VMwareVMware', 'vmware', 'systemd virt.c; VMware KB 1009458; Linux arch/x86/kernel/cpu/vmware.c'],
  ['TCGTCGTCGTCG', 'qemu', 'systemd virt.c: QEMU without KVM'],
  ['bhyve bhyve ', 'bhyve', 'systemd virt.c; Linux arch/x86/kernel/cpu/bhyve.c'],
  [' lrpepyh  vr', 'parallels', 'Parallels: "prl hyperv  " with each register byte-reversed (CPUID tables)'],
  ['ACRNACRNACRN', 'acrn', 'systemd virt.c; Linux arch/x86/kernel/cpu/acrn.c'],
  ['QNXQVMBSQG\0\0', 'qnx', 'systemd virt.c'],
  ['SRESRESRESRE', 'sre', 'systemd virt.c: Lockheed Martin Hardened Security'],
  ['Apple VZ\0\0\0\0', 'apple', 'systemd virt.c: Apple Virtualization'],
];

describe('systemdVmX86: the name systemd-detect-virt prints, from CPUID', () => {
  for (const [signature, name, source] of REAL) {
    it(`names ${JSON.stringify(signature)} ${name} (${source})`, () => {
      expect(systemdVmX86(guest(signature)).name).toBe(name);
    });
  }

  it('prints none on bare metal (CPUID 1 ECX bit 31 clear), whatever 0x40000000 holds', () => {
    expect(systemdVmX86(guest('KVMKVMKVM\0\0\0', { hypervisorBit: false })).name).toBe('none');
    expect(systemdVmX86(guest(null, { hypervisorBit: false })).name).toBe('none');
  });

  it('compares all 12 bytes as systemd does: KVM padded with spaces or a truncated signature is vm-other', () => {
    expect(systemdVmX86(guest('KVMKVMKVM   ')).name).toBe('vm-other');
    expect(systemdVmX86(guest('Microsoft H\0')).name).toBe('vm-other');
    expect(systemdVmX86(guest('Jailhouse\0\0\0')).name).toBe('vm-other');
  });

  it('is null (unknown) when CPUID 1, or 0x40000000 under a hypervisor, is not in the evidence', () => {
    expect(systemdVmX86(new EvidenceBuilder().build()).name).toBeNull();
    expect(systemdVmX86(guest(null)).name).toBeNull();
  });

  it('keeps every table entry unique and 12 bytes long', () => {
    const signatures = HYPERVISOR_SIGNATURES.map((s) => s.signature);
    expect(new Set(signatures).size).toBe(signatures.length);
    for (const entry of HYPERVISOR_SIGNATURES) {
      expect(entry.signature.replaceAll('\\0', '\0')).toHaveLength(12);
    }
  });
});

describe('X86_MACHINE_READER', () => {
  it('lists the attestation files the evidence shows present, and only those', () => {
    const facts = readX86Machine(
      guest('Microsoft Hv', {
        files: {
          '/dev/sev-guest': true,
          '/dev/tdx_guest': false,
          '/sys/kernel/config/tsm/report': true,
          '/sys/devices/system/cpu/sev/vmpl': false,
        },
      }),
    );
    expect(facts).toEqual({
      hypervisor: 'microsoft',
      attestation: ['/dev/sev-guest', '/sys/kernel/config/tsm/report'],
    });
  });

  it('says nothing about a machine without CPUID or any of its files', () => {
    expect(readX86Machine(new EvidenceBuilder().build())).toBeNull();
    const onlyFiles = new EvidenceBuilder().setFile('/dev/tdx_guest', true, 'files').build();
    expect(readX86Machine(onlyFiles)).toEqual({ hypervisor: null, attestation: ['/dev/tdx_guest'] });
  });

  it('is one frozen object with one id, read the same way through the reader', () => {
    expect(Object.isFrozen(X86_MACHINE_READER)).toBe(true);
    expect(X86_MACHINE_READER.read(guest('KVMKVMKVM\0\0\0'))).toEqual({ hypervisor: 'kvm', attestation: [] });
    expect(X86_ATTESTATION_FILES).toContain('/dev/sev-guest');
  });
});
