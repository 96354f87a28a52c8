import { createDetection, type Detection, type Evidence, type Registry } from '@coco/core';
import { AZURE_VTPM_HCL_REPORT, TPM_DEVICES } from '@coco/x86';

/** A configfs TSM report's `provider` file (see probe/tsm.ts). */
const TSM_PROVIDER_FILE = /^\/sys\/kernel\/config\/tsm\/report\/[^/]+\/provider$/;
const PROVIDER = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * The Confidential Containers TEE names of guests under Azure's paravisor: their attesters read the
 * HCL report from the vTPM (facts C3; guest-components az_snp_vtpm/mod.rs, az_tdx_vtpm/mod.rs).
 */
const AZURE_VTPM_TEES: readonly string[] = ['az-snp-vtpm', 'az-tdx-vtpm'];

/**
 * The attestation interfaces the machine shows: those the plugins' machine readers found, then every
 * configfs TSM report provider the evidence holds (`configfs-tsm:sev_guest`, `configfs-tsm:tdx_guest`,
 * `configfs-tsm:arm_cca_guest`), then Azure's vTPM HCL report when the detected guest runs under
 * Azure's paravisor and a TPM device is there (coco cannot read the NV index itself without a TPM
 * stack: `tpm2_nvread 0x01400001` does).
 */
export function attestationInterfaces(detection: Detection, evidence: Evidence): string[] {
  const found = new Set(detection.attestation);
  for (const [path, file] of evidence.files) {
    if (!file.value || file.content === undefined || !TSM_PROVIDER_FILE.test(path)) continue;
    const provider = file.content.trim();
    if (PROVIDER.test(provider)) found.add(`configfs-tsm:${provider}`);
  }
  if (
    detection.paravisor === true &&
    detection.tee !== null &&
    AZURE_VTPM_TEES.includes(detection.tee) &&
    TPM_DEVICES.some((path) => evidence.file(path)?.value === true)
  )
    found.add(AZURE_VTPM_HCL_REPORT);
  return [...found];
}

/** The detection with {@link attestationInterfaces} as its `attestation` (the same object when nothing is added). */
export function withAttestation(detection: Detection, evidence: Evidence): Detection {
  const attestation = attestationInterfaces(detection, evidence);
  if (attestation.length === detection.attestation.length) return detection;
  return createDetection({
    type: detection.type,
    confidential: detection.confidential,
    hypervisor: detection.hypervisor,
    paravisor: detection.paravisor,
    cvm: detection.cvm,
    trail: detection.trail,
    warnings: detection.warnings,
    conflicts: detection.conflicts,
    undetermined: detection.undetermined,
    attestation,
  });
}

/**
 * The registry with its `detect` answering {@link attestationInterfaces}: every command's detection
 * (detect, explain, fleet) names the same interfaces. Everything else is the registry's own.
 */
export function withAttestationInterfaces(registry: Registry): Registry {
  const detect = (evidence: Evidence) => withAttestation(registry.detect(evidence), evidence);
  // Each method bound once (detection calls registry.backend() many times per machine).
  const bound = new Map<PropertyKey, { readonly method: unknown; readonly call: unknown }>();
  return new Proxy(registry, {
    get(target, key) {
      if (key === 'detect') return detect;
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      const known = bound.get(key);
      if (known?.method === value) return known.call;
      const call = value.bind(target);
      bound.set(key, { method: value, call });
      return call;
    },
  });
}
