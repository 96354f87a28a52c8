export type { AttributeDefinition, AttributeId, AttributeSet, KernelAttributeId } from './attributes.js';
export { ATTRIBUTES, assertAttributeId, createAttributeSet, isKernelAttribute } from './attributes.js';
export type {
  ClassifierOptions,
  MarkingClassification,
  MarkingClassifier,
  MarkingRun,
  MarkingRunList,
} from './classify.js';
export { classifyEntries, createClassifier } from './classify.js';
export { CVM_NONE, detectWith } from './detect.js';
export type {
  Detection,
  DetectionConflict,
  DetectionEvidenceJson,
  DetectionJson,
  Undetermined,
} from './detection.js';
export {
  aggregateTrail,
  appendStep,
  createDetection,
  DETECTION_SCHEMA_URL,
  describeConflict,
} from './detection.js';
export type { AnyCocoError, CocoErrorCode, CocoErrorDetails } from './errors.js';
export { CocoError, CocoRangeError, describeValue, isCocoError } from './errors.js';
export type { BootLogShape } from './evidence/boot-log.js';
export { CORE_LOG_PATTERNS, ELISION, kernelAtLeast, readBootLog } from './evidence/boot-log.js';
export { parseCpuidDump } from './evidence/cpuid-dump.js';
export { parseCpuinfo } from './evidence/cpuinfo.js';
export { parseHex, parseHex32 } from './evidence/hex.js';
export {
  normaliseKernelLog,
  normaliseKernelLogLine,
  parseKernelLog,
  parseKernelLogEvidence,
} from './evidence/kernel-log.js';
export type {
  KernelLogReader,
  KernelLogReaderOptions,
  KernelLogReading,
} from './evidence/kernel-log-reader.js';
export {
  createKernelLogReader,
  MAX_KEPT_CHARS,
  MAX_KEPT_LINES,
  MAX_PHYSICAL_LINE,
  readKernelLog,
} from './evidence/kernel-log-reader.js';
export type {
  CpuidRecord,
  CpuidRegisters,
  Evidence,
  EvidenceConflict,
  EvidenceKind,
  LogLine,
  MachineIdentity,
  Sourced,
  UnavailableSource,
} from './evidence/model.js';
export { EVIDENCE_KINDS, EvidenceBuilder, emptyEvidence, mergeEvidence } from './evidence/model.js';
export { parseMsrAssignment, tdxGpawEvidence } from './evidence/registers.js';
export type {
  ParseOptions,
  SnapshotCpuidJson,
  SnapshotJson,
  SnapshotOptions,
  SnapshotUnavailableJson,
} from './evidence/snapshot.js';
export {
  LEFT_OUT,
  parseSnapshot,
  SNAPSHOT_FORMAT,
  SNAPSHOT_MAX_BYTES,
  SNAPSHOT_SCHEMA_URL,
  toSnapshot,
} from './evidence/snapshot.js';
export type { EncryptedWhen, Marking, MarkingCount, MarkingSpec } from './marking.js';
export {
  assertU64,
  createMarking,
  createMarkingFromMask,
  MASK_BIT_MAX,
  MASK_BIT_MIN,
  maskBitOf,
} from './marking.js';
export type {
  BackendClaim,
  BackendPlugin,
  BackendResult,
  CocoPlugin,
  CvmProcedure,
  CvmReading,
  DetectContext,
  HypervisorClaim,
  HypervisorContext,
  HypervisorPlugin,
  HypervisorResult,
  MachineFacts,
  MachineReader,
  NoClaim,
  PluginBase,
  TrailStep,
  TypeParams,
  VariantInfo,
} from './plugin.js';
export {
  absent,
  cannotTell,
  defineBackend,
  defineHypervisor,
  PLUGIN_INTERFACE_VERSION,
  SUPPORTED_INTERFACE_VERSIONS,
} from './plugin.js';
export type {
  ConversionDirection,
  ConversionProtocol,
  ConversionStep,
  ConversionStepKind,
  FlushRule,
  MmioRange,
  Quirks,
  QuirksPatch,
} from './quirks.js';
export { applyQuirks, defineQuirks, flushRule, NO_QUIRKS, privateMmioAt } from './quirks.js';
export type { Registry } from './registry.js';
export { CORE_MAJOR, createRegistry, defaultRegistry, detect, use } from './registry.js';
export type { CocoType, TypeChanges, TypeDetail, TypeSpec } from './type.js';
export { createType, deriveType, TYPE_ID_PATTERN } from './type.js';
