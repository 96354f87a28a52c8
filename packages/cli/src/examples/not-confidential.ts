import { type BundledExample, HYPERVISOR_BIT, hypervisorRegs, leaf, vendorRegs } from './model.js';

/** An ordinary KVM guest on an Intel host: no confidential computing. */
export const notConfidential: BundledExample = {
  name: 'not-confidential',
  description: 'an ordinary KVM guest on Intel: not a confidential VM',
  sources: [
    'basic max leaf 0x1f (below 0x21, so no TDX leaf: Intel SDM vol. 2A CPUID), the KVM signature "KVMKVMKVM" (Linux Documentation/virt/kvm/x86/cpuid.rst), extended maximum 0x80000008 (no AMD memory-encryption leaf)',
    '"Hypervisor detected: KVM" and kvm-clock lines as an ordinary KVM guest prints them (Linux arch/x86/kernel/cpu/hypervisor.c, arch/x86/kernel/kvmclock.c); no sev/sev_es/sev_snp/tdx_guest flags, no guest devices; leaf 1 is representative',
  ],
  snapshot: {
    format: 'coco-snapshot/1',
    cpuid: [
      leaf(0x0, { eax: 0x1f, ...vendorRegs('GenuineIntel') }),
      leaf(0x1, { eax: 0x0008_06f8, ebx: 0x0080_0800, ecx: 0x7efa_3223 | HYPERVISOR_BIT, edx: 0x1f8b_fbff }),
      leaf(0x4000_0000, hypervisorRegs('KVMKVMKVM', 0x4000_0001)),
      leaf(0x4000_0001, { eax: 0x0100_7afb }),
      leaf(0x8000_0000, { eax: 0x8000_0008 }),
      leaf(0x8000_0008, { eax: 0x3030 }),
    ],
    kernelLog: [
      '[    0.000000] Hypervisor detected: KVM',
      '[    0.000000] kvm-clock: Using msrs 4b564d01 and 4b564d00',
    ],
    cpuinfoFlags: ['fpu', 'msr', 'pae', 'lm', 'hypervisor'],
    files: { '/dev/sev-guest': false, '/dev/tdx_guest': false, '/sys/kernel/config/tsm/report': false },
  },
};
