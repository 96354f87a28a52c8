// Evidence of real and real-looking machines, written by hand for the tests.
import { type Evidence, parseKernelLogEvidence, parseSnapshot } from '@coco/core';
import { X86EvidenceBuilder } from '@coco/x86';

export const SEV_STATUS_MSR = 0xc0010131;

/** The SEV status a real Azure SNP guest with a paravisor reads (lkml, February 2024). */
export const AZURE_SNP_STATUS = 0x103dfn;

export function msrEvidence(value: bigint, source = 'test msr'): Evidence {
  return new X86EvidenceBuilder().addMsr(SEV_STATUS_MSR, value, source).build();
}

export function logEvidence(text: string, source = 'dmesg.txt'): Evidence {
  return parseKernelLogEvidence(text, { source });
}

/** dmesg of a guest whose kernel reads the MSR for its status line (the "Dump SEV_STATUS" format). */
export const DMESG_SNP_VTOM = [
  '[    0.542753] Memory Encryption Features active: AMD SEV',
  '[    0.544425] SEV: Status: SEV SEV-ES SEV-SNP vTom ReflectVC AI DebugSwap NoHostIBS BTBIsol VMSARegProt ',
].join('\n');

/** Mainline on Azure: Hyper-V sets the kernel's sev_status to exactly vTOM; printk caller ids on. */
export const DMESG_MAINLINE_AZURE = [
  '[    0.000000] [    T0] Hyper-V: Isolation Config: Group A 0x1, Group B 0xba2',
  '[    0.394817] [    T0] Memory Encryption Features active: AMD SEV',
  '[    0.394819] [    T0] SEV: Status: vTom ',
].join('\n');

/** The line an Azure SNP guest printed with the first posting of the patch (multi-word names). */
export const SYSLOG_OLD_SPELLING =
  'Feb 14 16:16:55 vm kernel: SEV: Status: SEV SEV-ES SEV-SNP vTom Reflect VC AI DebugSwap No HostIBS BTB Isol VMSA reg prot';

/** The architecture page's example snapshot of an Azure SNP guest. */
export const AZURE_SNAPSHOT = parseSnapshot(
  JSON.stringify({
    format: 'coco-snapshot/1',
    cpuid: [{ leaf: '0x4000000c', subleaf: '0x0', eax: '0x1', ebx: '0xba2', ecx: '0x0', edx: '0x0' }],
    msr: { '0xc0010131': '0x103df' },
    kernelLog: ['Memory Encryption Features active: AMD SEV', 'SEV: Status: vTom'],
  }),
);

/** A TDX guest: CPUID 0 max leaf 0x21 and leaf 0x21 "IntelTDX    " (EBX, EDX, ECX), plus its log. */
export function tdxEvidence(): Evidence {
  const b = new X86EvidenceBuilder()
    .addCpuid(0, 0, { eax: 0x21, ebx: 0x756e6547, ecx: 0x6c65746e, edx: 0x49656e69 }, 'cpuid')
    .addCpuid(0x21, 0, { eax: 0, ebx: 0x65746e49, ecx: 0x20202020, edx: 0x5844546c }, 'cpuid');
  b.merge(
    logEvidence(
      '[    0.000000] tdx: Guest detected\n[    0.401000] Memory Encryption Features active: Intel TDX',
    ),
  );
  return b.build();
}
