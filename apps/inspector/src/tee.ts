// The Confidential Containers TEE name of a detection.
//
// Another engineer is adding the same field to the CLI's JSON (`coco detect --json`); when that
// lands, the page should show the CLI's value and this function may be removed.

/** The TEE names CoCo's attesters use (guest-components' attestation agent), or `null` for none. */
export type CocoTee = 'tdx' | 'snp' | 'az-snp-vtpm' | 'az-tdx-vtpm' | 'se' | 'cca';

/** The parts of a detection the TEE name follows from. */
export interface TeeFacts {
  readonly confidential: boolean | null;
  readonly type: string | null;
  readonly variant: string | null;
  readonly hypervisor: string | null;
  readonly paravisor: boolean | null;
}

/**
 * The attester a CoCo guest would use: `tdx` and `snp` for guests the kernel runs itself,
 * `az-tdx-vtpm` and `az-snp-vtpm` for Azure guests under Microsoft's paravisor (the evidence is
 * the paravisor's vTPM), `se` (IBM Secure Execution) and `cca` (Arm CCA) for types of other
 * architectures, should a plugin register them. SEV and SEV-ES guests, SME hosts and anything
 * undecided have no attester: `null`.
 */
export function teeName(facts: TeeFacts): CocoTee | null {
  if (facts.confidential !== true || facts.type === null) return null;
  const azure = facts.hypervisor === 'hyperv' && facts.paravisor === true;
  switch (facts.type) {
    case 'tdx':
      return azure ? 'az-tdx-vtpm' : 'tdx';
    case 'amd-vtom':
      // vTOM exists only on SEV-SNP: under the paravisor it is Azure's vTPM, else a plain SNP guest.
      return azure ? 'az-snp-vtpm' : 'snp';
    case 'amd-cbit':
      if (facts.variant !== 'sev-snp') return null;
      return azure ? 'az-snp-vtpm' : 'snp';
    case 'se':
    case 's390x-se':
      return 'se';
    case 'cca':
    case 'arm-cca':
      return 'cca';
    default:
      return null;
  }
}
