import { hypervIsolationLeaves } from './hyperv-leaves.js';
import { ascii4, type BundledExample, HYPERVISOR_BIT, leaf, vendorRegs } from './model.js';

/** An Azure TDX guest without a paravisor (the 2023 preview): an ordinary TDX guest on Hyper-V. */
export const azureTdxNoParavisor: BundledExample = {
  name: 'azure-tdx-no-paravisor',
  description: 'Azure TDX guest without a paravisor (2023 preview): a fully enlightened TDX guest on Hyper-V',
  sources: [
    'Hyper-V isolation leaf 0x4000000C: EAX 0x0 (no paravisor), EBX 0x3 (TDX, no boundary), the 2023 Azure preview of fully enlightened TDX guests (Linux v6.6 "x86/hyperv: Add hv_isolation_type_tdx() to detect TDX guests", Dexuan Cui)',
    'CPUID 0x21 "IntelTDX    " with basic max leaf 0x21 (Linux arch/x86/coco/tdx/tdx.c tdx_early_init), the tdx_guest flag and "tdx: Guest detected" (v5.19+), /dev/tdx_guest (drivers/virt/coco/tdx-guest, v6.2+)',
    "GPAW 48 (shared bit 47): Azure TDX guests use boundary bit 47 with a paravisor, which is TDX's shared bit for GPAW 48; user space cannot read TDG.VP.INFO, so it is stated here",
  ],
  snapshot: {
    format: 'coco-snapshot/1',
    cpuid: [
      leaf(0x0, { eax: 0x21, ...vendorRegs('GenuineIntel') }),
      leaf(0x1, { eax: 0x0008_06f8, ebx: 0x0080_0800, ecx: 0x7efa_3223 | HYPERVISOR_BIT, edx: 0x1f8b_fbff }),
      leaf(0x21, { eax: 0x0, ebx: ascii4('Inte'), edx: ascii4('lTDX'), ecx: ascii4('    ') }),
      ...hypervIsolationLeaves(0x0, 0x3),
      leaf(0x8000_0000, { eax: 0x8000_0008 }),
      leaf(0x8000_0008, { eax: 0x3030 }),
    ],
    tdx: { gpaw: 48 },
    kernelLog: [
      '[    0.000000] tdx: Guest detected',
      '[    0.000000] Hyper-V: Isolation Config: Group A 0x0, Group B 0x3',
      '[    0.110000] Memory Encryption Features active: Intel TDX',
    ],
    cpuinfoFlags: ['fpu', 'msr', 'pae', 'lm', 'hypervisor', 'tdx_guest'],
    files: { '/dev/tdx_guest': true, '/dev/sev-guest': false },
  },
};
