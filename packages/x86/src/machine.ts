import type { Evidence, MachineFacts, MachineReader } from '@coco/core';
import { CPUID_FEATURES, CPUID_HYPERVISOR, HYPERVISOR_PRESENT_BIT, hypervisorSignature } from './cpuid.js';
import { cpuidOf, hasCpuid } from './facts.js';

/** One CPUID hypervisor signature and the name `systemd-detect-virt` prints for it. */
export interface HypervisorSignature {
  /** The 12 bytes of CPUID 0x40000000 EBX, ECX, EDX, NUL bytes written `\0`. */
  readonly signature: string;
  /** What `systemd-detect-virt --vm` prints. */
  readonly name: string;
}

const entry = (signature: string, name: string): HypervisorSignature => Object.freeze({ signature, name });

/**
 * CPUID hypervisor signatures and the names `systemd-detect-virt` prints, written from systemd's
 * `src/basic/virt.c` (`detect_vm_cpuid`'s table and the `virtualization_table` names), not copied.
 * systemd compares all 12 bytes, a shorter signature padded with NUL bytes: `KVMKVMKVM` matches
 * only `KVMKVMKVM\0\0\0`. The Linux kernel's `arch/x86/kernel/cpu/hypervisor.c` knows the same
 * hypervisors by these signatures (its Xen, VMware, Hyper-V, KVM, ACRN and bhyve entries).
 *
 * One entry is not in systemd's CPUID table: Parallels, which systemd names from DMI
 * (`Parallels` in `/sys/class/dmi/id/*`), because coco has no DMI evidence; its CPUID signature is
 * "prl hyperv  " with each register byte-reversed, as CPU-identification tables list it.
 */
export const HYPERVISOR_SIGNATURES: readonly HypervisorSignature[] = Object.freeze([
  entry('XenVMMXenVMM', 'xen'),
  entry('KVMKVMKVM\\0\\0\\0', 'kvm'), // QEMU with KVM; Linux kvm_para.h KVM_SIGNATURE
  entry('Linux KVM Hv', 'kvm'), // KVM with Hyper-V enlightenments
  entry('TCGTCGTCGTCG', 'qemu'), // QEMU without KVM
  entry('VMwareVMware', 'vmware'), // VMware KB 1009458
  entry('Microsoft Hv', 'microsoft'), // Hyper-V TLFS
  entry('bhyve bhyve ', 'bhyve'), // FreeBSD bhyve
  entry('QNXQVMBSQG\\0\\0', 'qnx'),
  entry('ACRNACRNACRN', 'acrn'), // projectacrn.org
  entry('SRESRESRESRE', 'sre'), // Lockheed Martin Hardened Security
  entry('Apple VZ\\0\\0\\0\\0', 'apple'), // Apple Virtualization
  entry(' lrpepyh  vr', 'parallels'), // not systemd's CPUID table: systemd names Parallels from DMI
]);

/** What systemd prints for a hypervisor whose signature its table does not know. */
export const VM_OTHER = 'vm-other';

/** What {@link systemdVmX86} read. */
export interface VmReading {
  /** `none` on bare metal, a name from {@link HYPERVISOR_SIGNATURES}, `vm-other`, or `null` when unknown. */
  readonly name: string | null;
  /** The CPUID 0x40000000 signature, when read (NUL bytes written `\0`). */
  readonly signature?: string;
}

/**
 * What `systemd-detect-virt --vm` prints on x86, from CPUID alone, as systemd's `detect_vm_cpuid`
 * decides it: CPUID 1 ECX bit 31 clear is bare metal (`none`); set, the signature of CPUID
 * 0x40000000 (EBX, ECX, EDX) names the hypervisor, `vm-other` when unknown. `name` is `null` when
 * the leaves it needs are not in the evidence.
 *
 * systemd looks at DMI first for VirtualBox, Xen, Amazon EC2, Parallels and Google Compute Engine,
 * and on a "Microsoft Hv" signature also at DMI (QEMU can show Hyper-V's signature); coco has no
 * DMI evidence, so an EC2 Nitro or GCE guest is `kvm` here where systemd prints `amazon` or `google`.
 */
export function systemdVmX86(evidence: Evidence): VmReading {
  const features = cpuidOf(evidence, CPUID_FEATURES);
  if (!features) return { name: null };
  // CPUID 1 ECX bit 31 clear: no hypervisor (bare metal).
  if (((features.ecx >>> HYPERVISOR_PRESENT_BIT) & 1) === 0) return { name: 'none' };
  // systemd reads 0x40000000 without checking a maximum leaf: any hypervisor defines it.
  const head = cpuidOf(evidence, CPUID_HYPERVISOR);
  if (!head) return { name: null };
  const signature = hypervisorSignature(head);
  const known = HYPERVISOR_SIGNATURES.find((s) => s.signature === signature);
  return { name: known ? known.name : VM_OTHER, signature };
}

/**
 * Device nodes and configfs/sysfs entries that show an attestation interface of an x86
 * confidential guest: where a verifier's quote or report comes from.
 */
export const X86_ATTESTATION_FILES: readonly string[] = Object.freeze([
  /** The SEV-SNP guest request device (Linux 5.19). */
  '/dev/sev-guest',
  /** The TDX guest device for TDREPORT (Linux 6.2). */
  '/dev/tdx_guest',
  /** configfs TSM reports: sev_guest or tdx_guest (Linux 6.7). */
  '/sys/kernel/config/tsm/report',
  /** The VMPL an SNP guest runs at (sysfs ABI, 2024). */
  '/sys/devices/system/cpu/sev/vmpl',
]);

/**
 * The machine facts of an x86 guest: the hypervisor name of {@link systemdVmX86} and the
 * attestation files of {@link X86_ATTESTATION_FILES} the evidence shows present. `null` when the
 * evidence has neither CPUID nor any of those files.
 */
export function readX86Machine(evidence: Evidence): MachineFacts | null {
  const attestation = X86_ATTESTATION_FILES.filter((path) => evidence.file(path)?.value === true);
  const known = X86_ATTESTATION_FILES.some((path) => evidence.file(path) !== undefined);
  if (!hasCpuid(evidence) && !known) return null;
  return { hypervisor: systemdVmX86(evidence).name, attestation };
}

/** The machine reader every x86 plugin carries as its `machine` field (one id, read once). */
export const X86_MACHINE_READER: MachineReader = Object.freeze({
  id: 'x86-machine',
  read: readX86Machine,
});
