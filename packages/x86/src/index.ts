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
