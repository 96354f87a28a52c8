import type { KernelAttributeId } from '@coco/core';
import { bitSet, SEV_BIT } from '@coco/x86';

/**
 * The attributes the newest kernel's `amd_cc_platform_has()` (arch/x86/coco/core.c, v6.18) answers
 * true for a C-bit machine: `sme_me_mask` is non-zero (the type exists only then) and vTOM is clear
 * (a vTOM status belongs to amd-vtom). HOST_SEV_SNP is set by a host at boot and never follows
 * from a guest's status, so it is never listed.
 */
export function amdCbitAttributes(status: bigint): KernelAttributeId[] {
  const sev = bitSet(status, SEV_BIT.sev);
  const es = bitSet(status, SEV_BIT.sevEs);
  const ids: KernelAttributeId[] = ['mem-encrypt'];
  if (!sev) ids.push('host-mem-encrypt');
  if (sev) ids.push('guest-mem-encrypt');
  if (es) ids.push('guest-state-encrypt');
  if (sev && !es) ids.push('guest-unroll-string-io');
  if (bitSet(status, SEV_BIT.sevSnp)) ids.push('guest-sev-snp');
  if (bitSet(status, SEV_BIT.secureTsc)) ids.push('guest-snp-secure-tsc');
  if (bitSet(status, SEV_BIT.secureAvic)) ids.push('snp-secure-avic');
  return ids;
}
