/**
 * Stable error codes. A code never changes meaning within a major version; messages may improve.
 * Plugins add their own (upper-case words with underscores) for the inputs they parse.
 */
export type CocoErrorCode = CoreErrorCode | (string & {});

/** The error codes core itself throws. */
export type CoreErrorCode =
  | 'VALUE_OUT_OF_RANGE'
  | 'MASK_INVALID'
  | 'PARAMETER_INVALID'
  | 'ATTRIBUTE_INVALID'
  | 'SNAPSHOT_INVALID'
  | 'CPUINFO_INVALID'
  | 'KERNEL_LOG_INVALID'
  | 'EVIDENCE_INVALID'
  | 'PLUGIN_INVALID'
  | 'PLUGIN_VERSION_UNSUPPORTED'
  | 'PLUGIN_DUPLICATE'
  | 'REGISTRY_SEALED'
  | 'BACKEND_MISSING';

/** Details every coco error carries besides its message. */
export interface CocoErrorDetails {
  /** What was wrong: a file, a parameter, a plugin id, a JSON path. */
  readonly input: string;
  /** Where inside the input, when known: `line 12`, `$.cpuid[3].eax`. */
  readonly location?: string | undefined;
  /** What the user can do about it. */
  readonly fix: string;
}

const MARKER = Symbol.for('@coco/core/error');

function compose(problem: string, details: CocoErrorDetails): string {
  const where = details.location ? `${details.input} (${details.location})` : details.input;
  return `${where}: ${problem}. Fix: ${details.fix}`;
}

/**
 * The base of every error coco throws on purpose. Check with {@link isCocoError}, which works
 * across duplicate copies of `@coco/core` where `instanceof` would not.
 */
export class CocoError extends Error {
  readonly code: CocoErrorCode;
  readonly input: string;
  readonly location: string | undefined;
  readonly fix: string;
  /** The bare problem, without input and fix, for renderers that lay them out themselves. */
  readonly problem: string;

  constructor(code: CocoErrorCode, problem: string, details: CocoErrorDetails, options?: ErrorOptions) {
    super(compose(problem, details), options);
    this.name = 'CocoError';
    this.code = code;
    this.problem = problem;
    this.input = details.input;
    this.location = details.location;
    this.fix = details.fix;
    Object.defineProperty(this, MARKER, { value: true });
  }
}

/**
 * A value outside the range its register or field can hold. It is a `RangeError` too, so code
 * that already catches `RangeError` keeps working.
 */
export class CocoRangeError extends RangeError {
  readonly code: 'VALUE_OUT_OF_RANGE' | 'MASK_INVALID' = 'VALUE_OUT_OF_RANGE';
  readonly input: string;
  readonly location: string | undefined;
  readonly fix: string;
  readonly problem: string;

  constructor(
    problem: string,
    details: CocoErrorDetails,
    code: 'VALUE_OUT_OF_RANGE' | 'MASK_INVALID' = 'VALUE_OUT_OF_RANGE',
  ) {
    super(compose(problem, details));
    this.name = 'CocoRangeError';
    this.code = code;
    this.problem = problem;
    this.input = details.input;
    this.location = details.location;
    this.fix = details.fix;
    Object.defineProperty(this, MARKER, { value: true });
  }
}

/** Any error thrown on purpose by any copy of `@coco/core` or a coco package. */
export type AnyCocoError = CocoError | CocoRangeError;

/** True for every coco error, whichever copy of `@coco/core` created it. */
export function isCocoError(value: unknown): value is AnyCocoError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
}

/** Describes a value for an error message without ever throwing (hostile getters, symbols, cycles). */
export function describeValue(value: unknown): string {
  try {
    if (typeof value === 'bigint')
      return `${value < 0n ? '-' : ''}0x${(value < 0n ? -value : value).toString(16)}`;
    if (typeof value === 'string')
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    if (value === null || typeof value !== 'object') return String(value);
    return Array.isArray(value) ? 'an array' : 'an object';
  } catch {
    return 'an unprintable value';
  }
}
