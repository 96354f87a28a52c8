export {
  ARM_CCA_DEV,
  ARM_CCA_MODULE,
  CCA_TSM_PROVIDER,
  OSRELEASE,
  readArch,
  readKernelVersion,
  TSM_PROVIDER,
} from './arm64.js';
export { detectArmCca } from './detect.js';
export { IPA_BITS_KEY, IPA_BITS_MAX, IPA_BITS_MIN, REALM_CONFIG_FACT } from './facts.js';
export type { RsiLine, RsiLines, RsiRefusedLine, RsiVersionLine } from './log.js';
export {
  ARM_CCA_LOG_PATTERNS,
  findRsiLines,
  RSI_CONFIG_WARNING_LINE,
  RSI_DEVICE_FAILED_LINE,
  RSI_REFUSED_LINE,
  RSI_VERSION_LINE,
} from './log.js';
export { armCcaBackend } from './plugin.js';
export { ARM_CCA_QUIRKS, RSI_GRANULE_SIZE, SMC_RSI_IPA_STATE_SET } from './quirks.js';
export { ARM64_CVM_PROCEDURE, ARM64_MACHINE_READER } from './systemd.js';
export type { Arm64Format, ArmCcaParams, Granule } from './type.js';
export {
  ARM_CCA_ATTRIBUTES,
  ARM_CCA_ID,
  ARM_CCA_PARAMS,
  ARM_CCA_TITLE,
  ARM64_FORMATS,
  createArmCcaType,
  DEFAULT_MASK_UNKNOWN_REASON,
  entryBitOf,
  formatsFor,
  GRANULES,
} from './type.js';
