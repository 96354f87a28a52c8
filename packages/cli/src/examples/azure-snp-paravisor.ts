import { hypervIsolationLeaves } from './hyperv-leaves.js';
import { type BundledExample, HYPERVISOR_BIT, leaf, vendorRegs } from './model.js';

/** An Azure confidential VM on AMD SEV-SNP with Microsoft's paravisor (vTOM at bit 46). */
export const azureSnpParavisor: BundledExample = {
  name: 'azure-snp-paravisor',
  description: 'Azure confidential VM, AMD SEV-SNP under the paravisor: vTOM boundary at bit 46',
  sources: [
    'Hyper-V isolation leaf 0x4000000C: Group A 0x1 (paravisor), Group B 0xba2 (SNP, boundary bit 46), as Azure SNP guests print it in "Hyper-V: Isolation Config" (Linux arch/x86/kernel/cpu/mshyperv.c; public Azure boot logs)',
    'kernel log "Memory Encryption Features active: AMD SEV" and "SEV: Status: vTom" (Linux v6.9+ arch/x86/mm/mem_encrypt.c and arch/x86/coco/sev/core.c; hv_vtom_init in arch/x86/hyperv/ivm.c sets the status to exactly vTOM)',
    'SEV status MSR 0xc0010131 = 0x103df, the bits the Azure paravisor reports (SEV, SEV-ES, SEV-SNP, vTOM, ReflectVC, AI, DebugSwap, NoHostIBS, BTBIsol, VMSARegProt)',
    'CPUID 0x8000001F present (maximum extended leaf 0x80000021) and reading zeros: Azure blocks the leaf from SNP guests under its paravisor (systemd src/basic/confidential-virt.c comment in detect_sev, and systemd PR #28242), which is why systemd-detect-virt --cvm falls back to the Hyper-V isolation leaf and prints sev-snp',
    'leaf 1 is representative of an EPYC (family 19h) guest with the hypervisor bit (CPUID 1 ECX bit 31)',
  ],
  snapshot: {
    format: 'coco-snapshot/1',
    cpuid: [
      leaf(0x0, { eax: 0x10, ...vendorRegs('AuthenticAMD') }),
      leaf(0x1, { eax: 0x00a1_0f11, ebx: 0x0008_0800, ecx: 0xfed8_3203 | HYPERVISOR_BIT, edx: 0x178b_fbff }),
      ...hypervIsolationLeaves(0x1, 0xba2),
      leaf(0x8000_0000, { eax: 0x8000_0021, ...vendorRegs('AuthenticAMD') }),
      leaf(0x8000_0008, { eax: 0x3030 }),
      leaf(0x8000_001f, {}),
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
