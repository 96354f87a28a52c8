import type { CvmProcedure, CvmReading, Evidence } from '@coco/core';
import {
  CPUID_EXTENDED,
  CPUID_FEATURES,
  CPUID_MEM_ENCRYPT,
  CPUID_TDX,
  CPUID_VENDOR,
  HYPERVISOR_PRESENT_BIT,
  registerText,
} from './cpuid.js';
import { CPUID_FACT, cpuidOf, hasCpuid, hasMsr, MSR_FACT, msrOf } from './facts.js';
import {
  HYPERV_FEATURES,
  HYPERV_ISOLATION_CONFIG,
  HYPERV_ISOLATION_TYPES,
  isHypervLeaf,
  isIsolatedPartition,
} from './hyperv-leaves.js';
import { SEV_BIT, SEV_STATUS_MSR } from './sev-status.js';

const hex = (n: number) => `0x${n.toString(16)}`;
const TDX_SIGNATURE = 'IntelTDX    ';

/** An input the procedure needs is not in the evidence: it stops without a label. */
class Missing extends Error {}

/**
 * `systemd-detect-virt --cvm` on x86-64, step by step as the newest systemd takes them
 * (src/basic/confidential-virt.c; systemd PR #33872 added the Hyper-V TDX fallback, PR #42697 made an
 * unreadable SEV status MSR print `sev`). Written from that source, not copied:
 *
 * 1. CPUID 1 ECX bit 31 clear (bare metal): `none`.
 * 2. The vendor of CPUID 0 (EBX, EDX, ECX): `AuthenticAMD` goes to 3, `GenuineIntel` to 4, any other
 *    (a Hygon guest too) prints `none`.
 * 3. AMD: CPUID 0x80000000 EAX below 0x8000001F prints `none`, before any Hyper-V fallback. CPUID
 *    0x8000001F EAX bit 1 (SEV) clear: the Hyper-V fallback with isolation type 2 prints `sev-snp`,
 *    else `none`. Otherwise the SEV status MSR: bit 2 `sev-snp`, bit 1 `sev-es`, bit 0 `sev`, none of
 *    them `none`; an MSR that cannot be read prints `sev`.
 * 4. Intel: CPUID 0 EAX below 0x21 prints `none`. Leaf 0x21 (EBX, EDX, ECX) "IntelTDX    " prints
 *    `tdx`; else the Hyper-V fallback with isolation type 3 prints `tdx`, else `none`.
 *
 * The Hyper-V fallback: CPUID 0x40000000 with a maximum leaf in 0x40000005..0x4000FFFF and the
 * signature "Microsoft Hv"; CPUID 0x40000003 EBX bit 22 set and bit 12 clear; CPUID 0x4000000C EBX[3:0]
 * equal to the type. systemd reads 0x4000000C without checking the maximum leaf.
 */
export function systemdCvmX86(evidence: Evidence): CvmReading | null {
  const unreadable = new Set(evidence.unavailable.map((n) => n.kind));
  if (!hasCpuid(evidence) && !unreadable.has(CPUID_FACT.id) && !hasMsr(evidence)) return null;
  const steps: string[] = [];
  const leaf = (index: number) => {
    const record = cpuidOf(evidence, index);
    if (!record) throw new Missing(`CPUID ${hex(index)}`);
    return record;
  };
  const hyperv = (type: number, name: string): boolean => {
    const vendor = leaf(0x4000_0000);
    if (!isHypervLeaf(vendor)) {
      steps.push(
        'Hyper-V fallback: CPUID 0x40000000 is not Hyper-V ("Microsoft Hv", max 0x40000005..0x4000ffff)',
      );
      return false;
    }
    const privileges = leaf(HYPERV_FEATURES).ebx;
    if (!isIsolatedPartition(privileges)) {
      steps.push(`Hyper-V fallback: CPUID 0x40000003 EBX ${hex(privileges)} is not an isolated guest`);
      return false;
    }
    const code = leaf(HYPERV_ISOLATION_CONFIG).ebx & 0xf;
    steps.push(
      `Hyper-V fallback: isolation type ${code}${code === type ? ` (${name})` : `, not ${type} (${name})`}`,
    );
    return code === type;
  };
  const run = (): string => {
    if (((leaf(CPUID_FEATURES).ecx >>> HYPERVISOR_PRESENT_BIT) & 1) === 0) {
      steps.push('CPUID 1 ECX bit 31 clear: bare metal');
      return 'none';
    }
    const zero = leaf(CPUID_VENDOR);
    const vendor = registerText(zero.ebx, zero.edx, zero.ecx);
    if (vendor === 'AuthenticAMD') {
      const max = leaf(CPUID_EXTENDED).eax >>> 0;
      if (max < CPUID_MEM_ENCRYPT) {
        steps.push(`AuthenticAMD, maximum extended leaf ${hex(max)} below 0x8000001f`);
        return 'none';
      }
      if ((leaf(CPUID_MEM_ENCRYPT).eax & 0b10) === 0) {
        steps.push('AuthenticAMD, CPUID 0x8000001f EAX bit 1 (SEV) clear');
        return hyperv(HYPERV_ISOLATION_TYPES.snp, 'SNP') ? 'sev-snp' : 'none';
      }
      const msr = msrOf(evidence, SEV_STATUS_MSR);
      if (!msr) {
        if (!unreadable.has(MSR_FACT.id)) throw new Missing('MSR 0xc0010131');
        steps.push('AuthenticAMD with SEV in CPUID, SEV status MSR unreadable: a SEV guest of unknown kind');
        return 'sev';
      }
      const bit = (n: number) => ((msr.value >> BigInt(n)) & 1n) === 1n;
      steps.push(`AuthenticAMD with SEV in CPUID, SEV status MSR ${hex(Number(msr.value & 0xffff_ffffn))}`);
      return bit(SEV_BIT.sevSnp)
        ? 'sev-snp'
        : bit(SEV_BIT.sevEs)
          ? 'sev-es'
          : bit(SEV_BIT.sev)
            ? 'sev'
            : 'none';
    }
    if (vendor === 'GenuineIntel') {
      const max = zero.eax >>> 0;
      if (max < CPUID_TDX) {
        steps.push(`GenuineIntel, maximum basic leaf ${hex(max)} below 0x21`);
        return 'none';
      }
      const tdx = leaf(CPUID_TDX);
      if (registerText(tdx.ebx, tdx.edx, tdx.ecx) === TDX_SIGNATURE) {
        steps.push('GenuineIntel, CPUID 0x21 "IntelTDX    "');
        return 'tdx';
      }
      steps.push('GenuineIntel, no TDX signature in CPUID 0x21');
      return hyperv(HYPERV_ISOLATION_TYPES.tdx, 'TDX') ? 'tdx' : 'none';
    }
    steps.push(`vendor "${vendor}" is neither AuthenticAMD nor GenuineIntel`);
    return 'none';
  };
  try {
    const label = run();
    return { label, steps };
  } catch (error) {
    if (!(error instanceof Missing)) throw error;
    return { label: null, steps, missing: `${error.message} is not in the evidence` };
  }
}

/** systemd's x86 procedure as a plugin's `cvm` field: every x86 plugin carries this one object. */
export const X86_CVM_PROCEDURE: CvmProcedure = Object.freeze({
  id: 'systemd-x86_64',
  read: systemdCvmX86,
});
