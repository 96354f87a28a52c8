import { type BundledExample, HYPERVISOR_BIT, hypervisorRegs, leaf, vendorRegs } from './model.js';

/** A KVM/QEMU guest on AMD SEV-SNP with the C-bit at 51 (an EPYC Genoa host). */
export const snpCbit51: BundledExample = {
  name: 'snp-cbit-51',
  description: 'KVM guest on AMD SEV-SNP, C-bit 51 (QEMU sev-snp-guest cbitpos=51 on EPYC Genoa)',
  sources: [
    'CPUID 0x8000001F: EAX 0x1a (SEV, SEV-ES, SNP) and EBX 0x73 (C-bit 51, 1 reduced physical-address bit), as cpu_x86_cpuid in QEMU target/i386/cpu.c fills the leaf for cbitpos=51,reduced-phys-bits=1',
    'SEV status MSR 0xc0010131 = 0x7 (SEV, SEV-ES, SEV-SNP: AMD APM vol. 2 §15.34.10)',
    'kernel log lines of an SNP guest (Linux arch/x86/coco/sev/core.c, arch/x86/mm/mem_encrypt.c), /dev/sev-guest (drivers/virt/coco/sev-guest, v5.19+) and configfs-tsm (v6.7+); the KVM signature and leaf 1 are representative',
  ],
  snapshot: {
    format: 'coco-snapshot/1',
    cpuid: [
      leaf(0x0, { eax: 0x10, ...vendorRegs('AuthenticAMD') }),
      leaf(0x1, { eax: 0x00a1_0f11, ebx: 0x0008_0800, ecx: 0x7ed8_3203 | HYPERVISOR_BIT, edx: 0x178b_fbff }),
      leaf(0x4000_0000, hypervisorRegs('KVMKVMKVM', 0x4000_0001)),
      leaf(0x4000_0001, { eax: 0x0100_7afb }),
      leaf(0x8000_0000, { eax: 0x8000_0021, ...vendorRegs('AuthenticAMD') }),
      leaf(0x8000_0008, { eax: 0x3034 }),
      leaf(0x8000_001f, { eax: 0x1a, ebx: 0x73 }),
    ],
    msr: { '0xc0010131': '0x7' },
    kernelLog: [
      '[    0.000000] SEV: Using SNP CPUID table, 29 entries present.',
      '[    0.000000] SEV: SNP running at VMPL0.',
      '[    0.140000] Memory Encryption Features active: AMD SEV SEV-ES SEV-SNP',
      '[    0.140001] SEV: Status: SEV SEV-ES SEV-SNP',
    ],
    cpuinfoFlags: ['fpu', 'msr', 'pae', 'lm', 'hypervisor', 'sev', 'sev_es', 'sev_snp'],
    files: {
      '/dev/sev-guest': true,
      '/dev/tdx_guest': false,
      '/sys/kernel/config/tsm/report': true,
      '/sys/devices/system/cpu/sev/vmpl': true,
    },
  },
};
