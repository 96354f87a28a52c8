import { type BundledExample, HYPERVISOR_BIT, hypervisorRegs, leaf, vendorRegs } from './model.js';

/** A KVM/QEMU guest on plain AMD SEV (no SEV-ES) with the C-bit at 47 (an EPYC Rome host). */
export const sevPlain: BundledExample = {
  name: 'sev-plain',
  description:
    'KVM guest on plain AMD SEV (no SEV-ES), C-bit 47 (QEMU sev-guest cbitpos=47 on EPYC Rome/Milan)',
  sources: [
    'CPUID 0x8000001F: EAX 0x2 (SEV) and EBX 0x6f (C-bit 47, 1 reduced physical-address bit), as cpu_x86_cpuid in QEMU target/i386/cpu.c fills the leaf for cbitpos=47,reduced-phys-bits=1',
    'SEV status MSR 0xc0010131 = 0x1 (SEV only: AMD APM vol. 2 §15.34.10); kernel log "Memory Encryption Features active: AMD SEV" and "SEV: Status: SEV " (Linux v6.9+ arch/x86/mm/mem_encrypt.c, arch/x86/coco/sev/core.c)',
    'the KVM signature and leaf 1 are representative',
  ],
  snapshot: {
    format: 'coco-snapshot/1',
    cpuid: [
      leaf(0x0, { eax: 0x10, ...vendorRegs('AuthenticAMD') }),
      leaf(0x1, { eax: 0x0083_0f10, ebx: 0x0008_0800, ecx: 0x7ed8_3203 | HYPERVISOR_BIT, edx: 0x178b_fbff }),
      leaf(0x4000_0000, hypervisorRegs('KVMKVMKVM', 0x4000_0001)),
      leaf(0x4000_0001, { eax: 0x0100_7afb }),
      leaf(0x8000_0000, { eax: 0x8000_001f, ...vendorRegs('AuthenticAMD') }),
      leaf(0x8000_0008, { eax: 0x3030 }),
      leaf(0x8000_001f, { eax: 0x2, ebx: 0x6f }),
    ],
    msr: { '0xc0010131': '0x1' },
    kernelLog: [
      '[    0.130000] Memory Encryption Features active: AMD SEV',
      '[    0.130001] SEV: Status: SEV',
    ],
    cpuinfoFlags: ['fpu', 'msr', 'pae', 'lm', 'hypervisor', 'sev'],
    files: { '/dev/sev-guest': false, '/dev/tdx_guest': false },
  },
};
