import { hypervIsolationLeaves } from './hyperv-leaves.js';
import { type BundledExample, HYPERVISOR_BIT, leaf, vendorRegs } from './model.js';

/** An Azure confidential VM on Intel TDX with Microsoft's paravisor (shared bit = boundary 47). */
export const azureTdxParavisor: BundledExample = {
  name: 'azure-tdx-paravisor',
  description: 'Azure confidential VM, Intel TDX under the paravisor: boundary bit 47 as the shared bit',
  sources: [
    'Hyper-V isolation leaf 0x4000000C: Group A 0x1 (paravisor), Group B 0xbe3 (TDX, boundary bit 47), as Azure TDX guests log it (facts §6)',
    'no tdx_guest cpuinfo flag: Azure TDX with a paravisor does not set it (facts §7)',
    'kernel log "Memory Encryption Features active: Intel TDX" (facts §7); basic max leaf 0x20 and leaf 1 are representative of a Sapphire Rapids guest',
  ],
  snapshot: {
    format: 'coco-snapshot/1',
    cpuid: [
      leaf(0x0, { eax: 0x20, ...vendorRegs('GenuineIntel') }),
      leaf(0x1, { eax: 0x0008_06f8, ebx: 0x0080_0800, ecx: 0x7efa_3223 | HYPERVISOR_BIT, edx: 0x1f8b_fbff }),
      ...hypervIsolationLeaves(0x1, 0xbe3),
      leaf(0x8000_0000, { eax: 0x8000_0008 }),
      leaf(0x8000_0008, { eax: 0x3030 }),
    ],
    kernelLog: [
      '[    0.000000] Hyper-V: Isolation Config: Group A 0x1, Group B 0xbe3',
      '[    0.110000] Memory Encryption Features active: Intel TDX',
    ],
    cpuinfoFlags: ['fpu', 'msr', 'pae', 'lm', 'hypervisor'],
    files: { '/dev/tdx_guest': false, '/dev/sev-guest': false },
  },
};
