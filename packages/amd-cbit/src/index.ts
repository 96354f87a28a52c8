export { amdCbitAttributes } from './attributes.js';
export { detectAmdCbit, SEV_GUEST_DEVICE } from './detect.js';
export { amdCbitBackend } from './plugin.js';
export type { AmdCbitQuirkInputs } from './quirks.js';
export {
  amdCbitQuirks,
  GHCB_MSR_PSC_REQ,
  KVM_HC_MAP_GPA_RANGE,
  PSC_KERNEL_BATCH,
  PSC_MAX_ENTRIES,
  SVM_VMGEXIT_PSC,
} from './quirks.js';
export type { MemEncryptLeaf, MemEncryptLeafResult } from './registers.js';
export {
  CPUID_HIGHEST_EXTENDED,
  CPUID_MEM_ENCRYPT,
  MSR_SYSCFG,
  readMemEncryptLeaf,
  SYSCFG_MEM_ENCRYPT_BIT,
} from './registers.js';
export type { AmdCbitParams } from './type.js';
export { AMD_CBIT_ID, AMD_CBIT_PARAMS, createAmdCbitType } from './type.js';
export type { AmdCbitVariant, AmdCbitVariantInfo } from './variants.js';
export { AMD_CBIT_VARIANTS, VARIANT_INFO } from './variants.js';
