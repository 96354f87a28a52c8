import { hypervIsolationLeaves } from './hyperv-leaves.js';
import { type BundledExample, HYPERVISOR_BIT, leaf, vendorRegs } from './model.js';

/** An Azure confidential VM on Intel TDX with Microsoft's paravisor (shared bit = boundary 47). */
export const azureTdxParavisor: BundledExample = {
  name: 'azure-tdx-paravisor',
  description: 'Azure confidential VM, Intel TDX under the paravisor: boundary bit 47 as the shared bit',
  sources: [
    'Hyper-V isolation leaf 0x4000000C: Group A 0x1 (paravisor), Group B 0xbe3 (TDX, boundary bit 47), as Azure TDX guests print it in "Hyper-V: Isolation Config" (Linux arch/x86/kernel/cpu/mshyperv.c; public Azure boot logs)',
    'CPUID 0x21 reading zeros under a basic maximum leaf of 0x21: "current Azure now blocks that leaf in the paravisor" (systemd PR #33872, which added the Hyper-V isolation-type-3 fallback that prints tdx)',
    'no tdx_guest cpuinfo flag and no "tdx: Guest detected": the paravisor runs the guest as a TD-partitioning L2 without X86_FEATURE_TDX_GUEST (Linux arch/x86/hyperv/ivm.c hv_vtom_init, v6.6+)',
    'kernel log "Memory Encryption Features active: Intel TDX" (Linux v6.9+ arch/x86/mm/mem_encrypt.c prints it from cc_vendor); leaf 1 is representative of a Sapphire Rapids guest',
  ],
  snapshot: {
    format: 'coco-snapshot/1',
    cpuid: [
      leaf(0x0, { eax: 0x21, ...vendorRegs('GenuineIntel') }),
      leaf(0x1, { eax: 0x0008_06f8, ebx: 0x0080_0800, ecx: 0x7efa_3223 | HYPERVISOR_BIT, edx: 0x1f8b_fbff }),
      leaf(0x21, {}),
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
