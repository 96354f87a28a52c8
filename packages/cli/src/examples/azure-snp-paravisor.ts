import { hypervIsolationLeaves } from './hyperv-leaves.js';
import { type BundledExample, HYPERVISOR_BIT, leaf, vendorRegs } from './model.js';

/** An Azure confidential VM on AMD SEV-SNP with Microsoft's paravisor (vTOM at bit 46). */
export const azureSnpParavisor: BundledExample = {
  name: 'azure-snp-paravisor',
  description: 'Azure confidential VM, AMD SEV-SNP under the paravisor: vTOM boundary at bit 46',
  sources: [
    'Hyper-V isolation leaf 0x4000000C: Group A 0x1 (paravisor), Group B 0xba2 (SNP, boundary bit 46), as Azure SNP guests log it (facts §6)',
    'kernel log "Memory Encryption Features active: AMD SEV" and "SEV: Status: vTom" (facts §7)',
    "SEV status MSR 0xc0010131 = 0x103df (the architecture page's snapshot example)",
    'CPUID 0x80000000 max 0x80000008: Azure hides leaf 0x8000001F from guests under its paravisor (facts §3); leaf 1 is representative of an EPYC (family 19h) with the hypervisor bit',
  ],
  snapshot: {
    format: 'coco-snapshot/1',
    cpuid: [
      leaf(0x0, { eax: 0x10, ...vendorRegs('AuthenticAMD') }),
      leaf(0x1, { eax: 0x00a1_0f11, ebx: 0x0008_0800, ecx: 0xfed8_3203 | HYPERVISOR_BIT, edx: 0x178b_fbff }),
      ...hypervIsolationLeaves(0x1, 0xba2),
      leaf(0x8000_0000, { eax: 0x8000_0008, ...vendorRegs('AuthenticAMD') }),
      leaf(0x8000_0008, { eax: 0x3030 }),
    ],
    msr: { '0xc0010131': '0x103df' },
    kernelLog: [
      '[    0.000000] Hyper-V: Isolation Config: Group A 0x1, Group B 0xba2',
      '[    0.120000] Memory Encryption Features active: AMD SEV',
      '[    0.120001] SEV: Status: vTom',
    ],
    cpuinfoFlags: ['fpu', 'msr', 'pae', 'lm', 'hypervisor'],
    files: { '/dev/sev-guest': false, '/dev/tdx_guest': false },
  },
};
