/**
 * The TPM device nodes of a guest. Azure's paravisor gives its confidential VMs a vTPM whose NV index
 * 0x01400001 holds the HCL report (the SNP or TDX report with the vTPM key's runtime data): the
 * Confidential Containers attesters az-snp-vtpm and az-tdx-vtpm read it there
 * (confidential-containers/guest-components attestation-agent/attester/src/az_snp_vtpm/mod.rs
 * @07b7c1a05dd9 and az_tdx_vtpm/mod.rs @26056ba14495 call `is_snp_cvm()` / `is_tdx_cvm()`;
 * kinvolk/azure-cvm-tooling az-snp-vtpm/src/vtpm.rs @23be83a6cbda reads `VTPM_HCL_REPORT_NV_INDEX =
 * 0x01400001` through tss-esapi's device TCTI, whose default device is `/dev/tpm0`:
 * parallaxsecond/rust-tss-esapi tss-esapi/src/tcti_ldr.rs @100f272d9271). tpm2-tools reach the same
 * TPM through the resource manager `/dev/tpmrm0` first. Reading an NV index needs a TPM stack, so
 * coco records only whether the devices exist.
 */
export const TPM_DEVICES: readonly string[] = Object.freeze(['/dev/tpm0', '/dev/tpmrm0']);

/** The vTPM NV index that holds Azure's HCL report. */
export const AZURE_HCL_REPORT_NV_INDEX = 0x0140_0001;

/** The attestation interface name of that report, in `coco-detection/1` `attestation`. */
export const AZURE_VTPM_HCL_REPORT = 'azure-vtpm-hcl-report';
