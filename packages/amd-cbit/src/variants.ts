/** The sub-types of amd-cbit: an SME host, or a SEV, SEV-ES or SEV-SNP guest. */
export type AmdCbitVariant = 'sme' | 'sev' | 'sev-es' | 'sev-snp';

/** The variants, in the order the hardware added them. */
export const AMD_CBIT_VARIANTS: readonly AmdCbitVariant[] = Object.freeze([
  'sme',
  'sev',
  'sev-es',
  'sev-snp',
]);

/** What each variant is called, what `systemd-detect-virt --cvm` prints for it, and its minimal status. */
export interface AmdCbitVariantInfo {
  /** As the kernel prints it after "Memory Encryption Features active:". */
  readonly title: string;
  readonly cvm: string;
  readonly guest: boolean;
  /** The SEV status bits the variant always has (0 for the SME host). */
  readonly status: bigint;
}

/**
 * Each variant's title (as arch/x86/mm/mem_encrypt.c prints it), `systemd-detect-virt --cvm` label
 * (systemd src/basic/confidential-virt.c, facts §8) and minimal SEV status.
 */
export const VARIANT_INFO: Readonly<Record<AmdCbitVariant, AmdCbitVariantInfo>> = Object.freeze({
  sme: Object.freeze({ title: 'AMD SME', cvm: 'none', guest: false, status: 0n }),
  sev: Object.freeze({ title: 'AMD SEV', cvm: 'sev', guest: true, status: 0b1n }),
  'sev-es': Object.freeze({ title: 'AMD SEV-ES', cvm: 'sev-es', guest: true, status: 0b11n }),
  'sev-snp': Object.freeze({ title: 'AMD SEV-SNP', cvm: 'sev-snp', guest: true, status: 0b111n }),
});

/** True for one of the four variant ids. */
export function isAmdCbitVariant(value: unknown): value is AmdCbitVariant {
  return typeof value === 'string' && Object.hasOwn(VARIANT_INFO, value);
}
