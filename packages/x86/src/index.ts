export { cpuinfoShowsX86, notX86 } from './architecture.js';
export type { LeafReading } from './cpuid.js';
export {
  CPUID_EXTENDED,
  CPUID_FEATURES,
  CPUID_HYPERVISOR,
  CPUID_MEM_ENCRYPT,
  CPUID_TDX,
  CPUID_VENDOR,
  cpuidUnreadable,
  cpuVendor,
  HYPERVISOR_PRESENT_BIT,
  hypervisorPresent,
  hypervisorSignature,
  readLeaf,
  registerText,
} from './cpuid.js';
export { parseCpuidDump } from './cpuid-dump.js';
export type { CpuidRange } from './device-probes.js';
export {
  AMD_PROBED_MSRS,
  CPUID_DEVICE,
  CPUID_PROBE,
  CPUID_RANGES,
  CPUID_SUBLEAVES,
  cpuidOffset,
  deviceReadFailure,
  MSR_DEVICE,
  MSR_PROBE,
  X86_FACT_PROBES,
} from './device-probes.js';
export type { CpuidRecord, CpuidRegisters, SnapshotCpuidJson } from './facts.js';
export {
  addCpuid,
  addMsr,
  CPUID_FACT,
  cpuidKey,
  cpuidOf,
  cpuidRecordsOf,
  MSR_FACT,
  msrOf,
  msrsOf,
  X86_FACTS,
  X86EvidenceBuilder,
} from './facts.js';
export {
  HYPERV_CPU_MANAGEMENT_BIT,
  HYPERV_FEATURES,
  HYPERV_ISOLATION_BIT,
  HYPERV_ISOLATION_CONFIG,
  HYPERV_ISOLATION_TYPES,
  HYPERV_MAX_LEAF_MAX,
  HYPERV_MAX_LEAF_MIN,
  HYPERV_SIGNATURE,
  isHypervLeaf,
  isIsolatedPartition,
} from './hyperv-leaves.js';
export type { Interface1Evidence } from './interface-1.js';
export { INTERFACE_1_ADAPTER, interface1Evidence } from './interface-1.js';
export { X86_LOG_PATTERNS } from './log-patterns.js';
export type { HypervisorSignature, VmReading } from './machine.js';
export {
  HYPERVISOR_SIGNATURES,
  readX86Machine,
  systemdVmX86,
  VM_OTHER,
  X86_ATTESTATION_FILES,
  X86_MACHINE_READER,
} from './machine.js';
export type { AmdMemEncryptMode, ContinuationTest, LogFinding, MemEncryptLine } from './mem-encrypt-log.js';
export { findMemEncryptLines, findSplitLines, parseMemEncryptLine, whereOf } from './mem-encrypt-log.js';
export { parseMsrAssignment } from './msr-assignment.js';
export type { X86ComposedParams } from './plugin-parts.js';
export {
  checkX86MaskBit,
  X86_ARCHITECTURES,
  X86_ENTRY_FORMATS,
  X86_PA_BIT_MAX,
  X86_PA_BIT_MIN,
  X86_PLUGIN_PARTS,
  X86_PROBES,
  x86MaskBitOf,
} from './plugin-parts.js';
export type { DecodedSevStatus, SevStatusBit } from './sev-status.js';
export {
  bitSet,
  decodeSevStatus,
  formatSevStatus,
  SEV_BIT,
  SEV_STATUS_BITS,
  SEV_STATUS_MSR,
  SEV_STATUS_SPELLINGS,
  sevStatusBitName,
  snpUnsupportedBits,
  statusInconsistency,
  variantOfStatus,
} from './sev-status.js';
export type { SevStatusLine } from './sev-status-log.js';
export { findSevStatusLines, parseSevStatusLine } from './sev-status-log.js';
export { systemdCvmX86, X86_CVM_PROCEDURE } from './systemd.js';
export { AZURE_HCL_REPORT_NV_INDEX, AZURE_VTPM_HCL_REPORT, TPM_DEVICES } from './vtpm.js';
