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
export { CVM_NONE, detectWith, typeProblem } from './detect.js';
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
export { createEntryTable, ENTRY_TABLE_SIMD_MAX, isSimdTable } from './entry-table.js';
export type { AnyCocoError, CocoErrorCode, CocoErrorDetails, CoreErrorCode } from './errors.js';
export { CocoError, CocoRangeError, describeValue, isCocoError } from './errors.js';
export type { BootLogShape } from './evidence/boot-log.js';
export { CORE_LOG_PATTERNS, ELISION, kernelAtLeast, readBootLog } from './evidence/boot-log.js';
export { parseCpuinfo } from './evidence/cpuinfo.js';
export type { FactDifference, FactKind, JsonValue } from './evidence/facts.js';
export { canonicalJson, describeFactKey, FACT_KEY_PATTERN, FACT_KIND_PATTERN } from './evidence/facts.js';
export { parseHex, parseHex32 } from './evidence/hex.js';
export { SNAPSHOT_MAX_DEPTH } from './evidence/json-depth.js';
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
  LEFT_OUT_TEXT,
  MAX_KEPT_CHARS,
  MAX_KEPT_LINES,
  MAX_PHYSICAL_LINE,
  readKernelLog,
} from './evidence/kernel-log-reader.js';
export type {
  Evidence,
  EvidenceConflict,
  EvidenceKind,
  FileFact,
  LogLine,
  MachineIdentity,
  Sourced,
  UnavailableSource,
} from './evidence/model.js';
export {
  checkFacts,
  EVIDENCE_KINDS,
  EvidenceBuilder,
  emptyEvidence,
  FILE_CONTENT_MAX,
  isEvidenceKind,
  mergeEvidence,
  resolveLegacy,
} from './evidence/model.js';
export type {
  ParseOptions,
  SnapshotFileJson,
  SnapshotJson,
  SnapshotOptions,
  SnapshotParseOptions,
  SnapshotUnavailableJson,
  SnapshotV1Json,
} from './evidence/snapshot.js';
export {
  LEFT_OUT,
  parseSnapshot,
  readMachineIdentity,
  readSnapshotJson,
  SNAPSHOT_FORMAT,
  SNAPSHOT_FORMAT_V1,
  SNAPSHOT_MAX_BYTES,
  SNAPSHOT_MAX_ENTRIES,
  SNAPSHOT_SCHEMA_URL,
  SNAPSHOT_V1_SCHEMA_URL,
  toSnapshot,
} from './evidence/snapshot.js';
export type {
  EncryptedWhen,
  EntryFormat,
  EntryFormatSpec,
  Marking,
  MarkingCount,
  MarkingSpec,
} from './marking.js';
export {
  assertU64,
  createMarking,
  createMarkingFromMask,
  MASK_BIT_MAX,
  MASK_BIT_MIN,
  maskBitOf,
} from './marking.js';
export type {
  BigintParam,
  BooleanParam,
  EnumParam,
  IntegerParam,
  ParamSchema,
  ParamSpec,
  ParamsOf,
  ParamValue,
  StringParam,
} from './params.js';
export { checkParamSchema, checkParams, expected as describeParam, parseParam } from './params.js';
export type {
  BackendClaim,
  BackendPlugin,
  BackendResult,
  CocoPlugin,
  CvmProcedure,
  CvmReading,
  DetectContext,
  FactProbe,
  FileProbe,
  HypervisorClaim,
  HypervisorContext,
  HypervisorPlugin,
  HypervisorResult,
  InterfaceAdapter,
  MachineFacts,
  MachineReader,
  NoClaim,
  PluginBase,
  PluginProbes,
  ProbeIO,
  ProbeRead,
  ProbeSink,
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
  QuirksSpec,
} from './quirks.js';
export { applyQuirks, defineQuirks, flushRule, NO_QUIRKS, privateMmioAt } from './quirks.js';
export type { ProbePlan, Registry } from './registry.js';
export { CORE_MAJOR, createRegistry, defaultRegistry, detect, use } from './registry.js';
export type { CocoType, MaskState, TypeChanges, TypeDetail, TypeSpec } from './type.js';
export { createType, createTypeCache, deriveType, TYPE_ID_PATTERN } from './type.js';
