import { CocoError, describeValue } from './errors.js';
import type { JsonValue } from './evidence/facts.js';
import { hasOwn, own } from './own.js';

/** A conversion of memory between private (encrypted) and shared (decrypted). */
export type ConversionDirection = 'to-shared' | 'to-private';

/** Whether caches and TLBs must be flushed around a conversion in one direction. */
export interface FlushRule {
  readonly cache: boolean;
  readonly tlb: boolean;
}

/**
 * One step of a conversion, in order. `page-table-change` is the kernel's generic change of the
 * encryption bit; the steps before it are the type's "prepare" work, the steps after it "finish".
 * Backends may use their own kinds (namespaced is kindest) besides the common ones.
 */
export type ConversionStepKind =
  | 'flush-cache'
  | 'flush-tlb'
  | 'page-table-change'
  | 'notify-host'
  | 'validate'
  | 'rescind-validation'
  | 'accept'
  | 'mark-not-present'
  | 'mark-present'
  | 'firmware-call'
  | (string & {});

/** A step of a conversion protocol. */
export interface ConversionStep {
  readonly kind: ConversionStepKind;
  /** What exactly happens, naming the hypercall, instruction or rule. */
  readonly detail: string;
}

/** How the guest tells the host (and the hardware) that pages change state. */
export interface ConversionProtocol {
  /** Short name: `TDX MapGPA`, `SNP page state change`. */
  readonly name: string;
  /** The hypercall or request used, with its number where it has one. */
  readonly mechanism: string;
  /** Most entries or pages one request may carry; `null` when unbounded. */
  readonly batchLimit: number | null;
  /** What `batchLimit` counts: `pages`, `entries`. */
  readonly batchUnit: string;
  /** Page sizes one request entry may describe, in bytes. */
  readonly pageSizes: readonly number[];
  /** Retry semantics, or `null` when the protocol does not retry. */
  readonly retry: string | null;
  /** Ordered steps for private -> shared (decrypt). */
  readonly toShared: readonly ConversionStep[];
  /** Ordered steps for shared -> private (encrypt). */
  readonly toPrivate: readonly ConversionStep[];
}

/** A physical-address range that must be mapped private even though it is MMIO. */
export interface MmioRange {
  readonly name: string;
  readonly start: bigint;
  readonly size: bigint;
  /** Why it is private. */
  readonly reason: string;
}

/** Hardware and hypervisor quirks of one type, as data. */
export interface Quirks {
  readonly privateMmio: readonly MmioRange[];
  readonly flush: { readonly toShared: FlushRule; readonly toPrivate: FlushRule };
  readonly conversion: ConversionProtocol | null;
  /** True when INS/OUTS must be unrolled into IN/OUT. */
  readonly unrollStringIo: boolean;
  /**
   * True when the kernel's `force_dma_unencrypted()` answers true: DMA buffers are shared with the
   * host (bounced through swiotlb), whatever the attributes say. On some architectures this is
   * the only trace of the guest in the kernel's predicates (`cc_platform_has` answers nothing).
   */
  readonly forceDmaUnencrypted: boolean;
  /** Other behaviour worth knowing, one sentence each. */
  readonly notes: readonly string[];
  /**
   * A backend's own quirks, by namespaced key (`acme:doorbell-page`), as JSON values: kept through
   * `applyQuirks` and shown by tools, never dropped.
   */
  readonly extra: Readonly<Record<string, JsonValue>>;
}

/** The quirks of a type that needs nothing special. */
export const NO_QUIRKS: Quirks = Object.freeze({
  privateMmio: Object.freeze([]),
  flush: Object.freeze({
    toShared: Object.freeze({ cache: false, tlb: false }),
    toPrivate: Object.freeze({ cache: false, tlb: false }),
  }),
  conversion: null,
  unrollStringIo: false,
  forceDmaUnencrypted: false,
  notes: Object.freeze([]),
  extra: Object.freeze({}),
});

/** The flush rule for one direction. */
export function flushRule(quirks: Quirks, direction: ConversionDirection): FlushRule {
  return direction === 'to-shared' ? quirks.flush.toShared : quirks.flush.toPrivate;
}

/** The private MMIO range holding `address`, if any. */
export function privateMmioAt(quirks: Quirks, address: bigint): MmioRange | undefined {
  return quirks.privateMmio.find((r) => address >= r.start && address < r.start + r.size);
}

/** A change to some quirks, as a composing hypervisor applies it on top of a backend's type. */
export interface QuirksPatch {
  readonly privateMmio?: readonly MmioRange[];
  readonly flush?: { readonly toShared?: FlushRule; readonly toPrivate?: FlushRule };
  readonly conversion?: ConversionProtocol | null;
  readonly unrollStringIo?: boolean;
  readonly forceDmaUnencrypted?: boolean;
  readonly notes?: readonly string[];
  /** Namespaced extra quirks to add or replace, key by key. */
  readonly extra?: Readonly<Record<string, JsonValue>>;
}

const EXTRA_KEY = /^[a-z][a-z0-9-]{0,62}:[a-z][a-z0-9-]{0,62}$/;

function extraOf(from: unknown): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = Object.create(null);
  const extra = own(from, 'extra');
  if (extra === null || typeof extra !== 'object') return out;
  for (const key of Object.keys(extra)) {
    if (!EXTRA_KEY.test(key)) {
      throw new CocoError('PARAMETER_INVALID', `extra quirk ${describeValue(key)} is not namespaced`, {
        input: 'quirks.extra',
        fix: 'name extra quirks "<namespace>:<name>", such as "acme:doorbell-page"',
      });
    }
    const value = own(extra, key) as JsonValue;
    try {
      JSON.stringify(value);
    } catch {
      throw new CocoError('PARAMETER_INVALID', `extra quirk ${key} is not a JSON value`, {
        input: 'quirks.extra',
        fix: 'give JSON values (strings, numbers, booleans, arrays, objects)',
      });
    }
    out[key] = JSON.parse(JSON.stringify(value)) as JsonValue;
  }
  return out;
}

function freezeDeep<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) freezeDeep(v);
    Object.freeze(value);
  }
  return value;
}

/** Returns new quirks with `patch` applied; `notes` are appended, everything else replaced. */
export function applyQuirks(base: Quirks, patch: QuirksPatch): Quirks {
  // Own fields only: a field polluted onto Object.prototype never reaches a type's quirks.
  const field = <T>(from: unknown, key: string, fallback: T): T =>
    hasOwn(from, key) ? (own(from, key) as T) : fallback;
  const flush = own(patch, 'flush');
  const rule = (dir: 'toShared' | 'toPrivate'): FlushRule => {
    const r = field<FlushRule>(flush, dir, field(own(base, 'flush'), dir, { cache: false, tlb: false }));
    return { cache: own(r, 'cache') === true, tlb: own(r, 'tlb') === true };
  };
  return freezeDeep({
    privateMmio: [...field<readonly MmioRange[]>(patch, 'privateMmio', field(base, 'privateMmio', []))],
    flush: { toShared: rule('toShared'), toPrivate: rule('toPrivate') },
    conversion: field<ConversionProtocol | null>(patch, 'conversion', field(base, 'conversion', null)),
    unrollStringIo:
      field<boolean>(patch, 'unrollStringIo', field<boolean>(base, 'unrollStringIo', false)) === true,
    forceDmaUnencrypted:
      field<boolean>(patch, 'forceDmaUnencrypted', field<boolean>(base, 'forceDmaUnencrypted', false)) ===
      true,
    notes: [...field<readonly string[]>(base, 'notes', []), ...field<readonly string[]>(patch, 'notes', [])],
    extra: Object.freeze({ ...extraOf(base), ...extraOf(patch) }),
  });
}

/** Quirks as a backend writes them: `forceDmaUnencrypted` (default false) and `extra` (default none) may be left out. */
export type QuirksSpec = Omit<Quirks, 'forceDmaUnencrypted' | 'extra'> & {
  readonly forceDmaUnencrypted?: boolean;
  readonly extra?: Readonly<Record<string, JsonValue>>;
};

/** Freezes quirks built by a backend so no consumer can edit them. */
export function defineQuirks(quirks: QuirksSpec): Quirks {
  return freezeDeep(applyQuirks(quirks as Quirks, {}));
}
