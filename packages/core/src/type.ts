import { type AttributeId, type AttributeSet, createAttributeSet } from './attributes.js';
import { CocoError, describeValue } from './errors.js';
import { createMarking, type EncryptedWhen, type EntryFormatSpec, type Marking } from './marking.js';
import { hasOwn, own } from './own.js';
import {
  applyQuirks,
  defineQuirks,
  NO_QUIRKS,
  type Quirks,
  type QuirksPatch,
  type QuirksSpec,
} from './quirks.js';

/** A named fact about a type instance, such as a decoded register (`SEV status`: `SEV SEV-ES SNP`). */
export interface TypeDetail {
  readonly name: string;
  readonly value: string;
}

/**
 * One confidential guest type, fully parameterised: which attributes it has, how it marks memory,
 * its quirks. Immutable; build with {@link createType}, change with {@link deriveType}.
 */
export interface CocoType {
  /** The registered type id (`tdx`, `amd-cbit`, a third party's id). */
  readonly id: string;
  /** The sub-type (`sev-snp` for amd-cbit), or `null` for a type without variants. */
  readonly variant: string | null;
  /** Human name: `AMD SEV-SNP`, `Intel TDX`. */
  readonly title: string;
  /** False for a memory-encryption host (SME), which is not a confidential guest. */
  readonly guest: boolean;
  /** Exactly what the kernel's `cc_platform_has` answers true for this guest. */
  readonly attributes: AttributeSet;
  /** How pages are marked; `null` when the type has no page-table bit or the evidence did not determine it. */
  readonly marking: Marking | null;
  /**
   * `known`: `marking` holds the bit. `none`: the type has no page-table bit and shares pages by a
   * call to the firmware or hypervisor (see `quirks.conversion`). `unknown`: it has a bit, which the
   * evidence did not determine (`maskUnknownReason` says why). "Unknown" is never "none".
   */
  readonly maskState: MaskState;
  /** Why the bit is unknown; `null` when it is known or there is none. */
  readonly maskUnknownReason: string | null;
  /** The polarity, known from the type even when the bit is not; `null` for a type without a bit. */
  readonly encryptedWhen: EncryptedWhen | null;
  /** What the bit is called for this type: `C-bit`, `shared bit`, `vTOM bit`. */
  readonly maskName: string;
  readonly quirks: Quirks;
  /** What `systemd-detect-virt --cvm` prints for this guest. */
  readonly cvm: string;
  /**
   * The Confidential Containers TEE name of this guest (`tdx`, `snp`, `az-snp-vtpm`, `az-tdx-vtpm`,
   * `se`, `cca`): the vocabulary of their attesters and key broker; `null` when they have none.
   */
  readonly tee: string | null;
  /** Decoded facts worth showing (registers, boundaries). */
  readonly details: readonly TypeDetail[];
  /** One line: `AMD SEV-SNP, C-bit 51, encrypted when set`. */
  describe(): string;
}

/** Whether a type's page-table bit is known, unknown, or does not exist. */
export type MaskState = 'known' | 'unknown' | 'none';

/** Everything {@link createType} needs. */
export interface TypeSpec {
  readonly id: string;
  readonly variant?: string | null;
  readonly title: string;
  readonly guest?: boolean;
  readonly attributes: Iterable<AttributeId>;
  /** The polarity; required unless `maskBit` is `'none'`. */
  readonly encryptedWhen?: EncryptedWhen;
  /**
   * The address bit; `null` with `maskUnknownReason` when the evidence does not determine it;
   * `'none'` for a type that has no page-table bit (it shares pages by a call).
   */
  readonly maskBit: number | null | 'none';
  readonly maskUnknownReason?: string;
  /** The entry formats and where each stores the bit, the default first; without it, one format stores it in place. */
  readonly formats?: readonly EntryFormatSpec[];
  /** What the bit is called (`C-bit`, `shared bit`), or for a type without one, how it shares pages (`ultravisor call`). */
  readonly maskName: string;
  readonly quirks?: QuirksSpec;
  readonly cvm: string;
  /** The Confidential Containers TEE name; `null` or absent when there is none. */
  readonly tee?: string | null;
  readonly details?: readonly TypeDetail[];
  /** A sentence `describe()` appends (what a label means on this architecture, say). */
  readonly note?: string;
}

/** What {@link deriveType} may change. Attributes never change: they come from the type. */
export interface TypeChanges {
  readonly maskBit?: number | null | 'none';
  readonly maskUnknownReason?: string;
  readonly quirks?: QuirksPatch;
  readonly cvm?: string;
  readonly tee?: string | null;
  readonly title?: string;
  readonly details?: readonly TypeDetail[];
}

/** Type ids and variants: lower-case words with dashes, optionally namespaced (`acme:realm`). */
export const TYPE_ID_PATTERN = /^[a-z][a-z0-9-]{0,62}(?::[a-z][a-z0-9-]{0,62})?$/;

function invalid(field: string, value: unknown, fix: string): never {
  throw new CocoError('PARAMETER_INVALID', `${field} ${describeValue(value)} is not valid`, {
    input: `type.${field}`,
    fix,
  });
}

// Shared through Symbol.for so a type built by one copy of core can be derived by another copy.
const SPEC = Symbol.for('@coco/core/type-spec');
type Internal = CocoType & { readonly [SPEC]: TypeSpec };

const SPEC_KEYS = [
  'id',
  'variant',
  'title',
  'guest',
  'attributes',
  'encryptedWhen',
  'maskBit',
  'maskUnknownReason',
  'formats',
  'maskName',
  'quirks',
  'cvm',
  'tee',
  'details',
  'note',
] as const;

/** The spec's own fields only: a field polluted onto `Object.prototype` is never read. */
function ownSpec(spec: TypeSpec): TypeSpec {
  const out: Record<string, unknown> = Object.create(null);
  for (const key of SPEC_KEYS) if (hasOwn(spec, key)) out[key] = own(spec, key);
  return out as unknown as TypeSpec;
}

/** Builds an immutable type, validating every field with a typed error. */
export function createType(input: TypeSpec): CocoType {
  const spec = ownSpec(input);
  if (typeof spec?.id !== 'string' || !TYPE_ID_PATTERN.test(spec.id)) {
    invalid(
      'id',
      spec?.id,
      'use lower-case letters, digits and dashes, such as "acme-realm" or "acme:realm"',
    );
  }
  const variant = spec.variant ?? null;
  if (variant !== null && (typeof variant !== 'string' || !TYPE_ID_PATTERN.test(variant))) {
    invalid('variant', variant, 'use lower-case letters, digits and dashes, such as "v2", or null');
  }
  if (typeof spec.title !== 'string' || spec.title === '') invalid('title', spec.title, 'give a human name');
  if (typeof spec.cvm !== 'string' || spec.cvm === '')
    invalid('cvm', spec.cvm, 'give the systemd-detect-virt --cvm label');
  const tee = spec.tee ?? null;
  if (tee !== null && (typeof tee !== 'string' || !TYPE_ID_PATTERN.test(tee)))
    invalid('tee', tee, 'give a Confidential Containers TEE name, or null');
  const none = spec.maskBit === 'none';
  const marking =
    spec.maskBit === null || none
      ? null
      : createMarking(
          {
            maskBit: spec.maskBit,
            encryptedWhen: spec.encryptedWhen as EncryptedWhen,
            ...(spec.formats !== undefined && { formats: spec.formats }),
          },
          'type',
        );
  if (typeof spec.maskName !== 'string' || spec.maskName === '')
    invalid('maskName', spec.maskName, 'name the bit ("shared bit") or, without one, how pages are shared');
  const maskState: MaskState = marking ? 'known' : none ? 'none' : 'unknown';
  if (!none && spec.encryptedWhen !== 'set' && spec.encryptedWhen !== 'clear')
    invalid('encryptedWhen', spec.encryptedWhen, 'use "set" or "clear" (a type without a bit gives none)');
  const encryptedWhen = none ? null : (spec.encryptedWhen as EncryptedWhen);
  if (maskState === 'unknown' && !spec.maskUnknownReason) {
    invalid('maskUnknownReason', spec.maskUnknownReason, 'say why the mask is unknown when maskBit is null');
  }
  const attributes = createAttributeSet(spec.attributes, `type ${spec.id} attributes`);
  const quirks = defineQuirks(spec.quirks ?? NO_QUIRKS);
  const details = Object.freeze(
    (spec.details ?? []).map((d) => Object.freeze({ name: d.name, value: d.value })),
  );
  const frozenSpec: TypeSpec = Object.freeze({
    ...spec,
    variant,
    attributes: attributes.ids,
    quirks,
    details,
  });
  if (spec.note !== undefined && (typeof spec.note !== 'string' || spec.note.length > 300))
    invalid('note', spec.note, 'give one sentence, or leave it out');
  const note = spec.note ? `; ${spec.note}` : '';
  const type: Internal = {
    id: spec.id,
    variant,
    title: spec.title,
    guest: spec.guest ?? true,
    attributes,
    marking,
    maskState,
    maskUnknownReason: maskState === 'unknown' ? (spec.maskUnknownReason ?? null) : null,
    encryptedWhen,
    maskName: spec.maskName,
    quirks,
    cvm: spec.cvm,
    tee,
    details,
    describe: () =>
      (marking
        ? `${spec.title}, ${spec.maskName} ${marking.maskBit}, encrypted when ${encryptedWhen}`
        : none
          ? `${spec.title}, no page-table bit (pages are shared by ${spec.maskName})`
          : `${spec.title}, ${spec.maskName} unknown (${spec.maskUnknownReason}), encrypted when ${encryptedWhen}`) +
      note,
    [SPEC]: frozenSpec,
  };
  return Object.freeze(type);
}

/**
 * A cache of types by key, for a backend's type factory: a type is immutable, so the one built for
 * the same checked parameters can be handed out again instead of being built for every machine
 * (`createTypeCache()` once per factory; `cache(key, () => createType(...))` after the parameters
 * are checked, `key` naming every parameter the type depends on). Holds at most `limit` types and
 * starts over when full, so parameters that vary from machine to machine cost memory only up to it.
 */
export function createTypeCache(limit = 256): (key: string, build: () => CocoType) => CocoType {
  let types = new Map<string, CocoType>();
  return (key, build) => {
    let type = types.get(key);
    if (type === undefined) {
      type = build();
      if (types.size >= limit) types = new Map();
      types.set(key, type);
    }
    return type;
  };
}

/**
 * A new type with some parameters changed, as a composing hypervisor needs (a boundary as the mask,
 * its quirks on top). The original is left untouched.
 */
export function deriveType(type: CocoType, input: TypeChanges): CocoType {
  const changes: TypeChanges = Object.create(null);
  for (const key of ['maskBit', 'maskUnknownReason', 'quirks', 'cvm', 'tee', 'title', 'details'] as const) {
    if (hasOwn(input, key)) Object.assign(changes, { [key]: own(input, key) });
  }
  const spec = own(type, SPEC) as TypeSpec | undefined;
  if (!spec) {
    throw new CocoError('PARAMETER_INVALID', 'the type was not built by createType', {
      input: 'type',
      fix: 'build types with createType from @coco/core',
    });
  }
  const maskBit = changes.maskBit === undefined ? spec.maskBit : changes.maskBit;
  return createType({
    ...spec,
    maskBit,
    ...(maskBit === null
      ? { maskUnknownReason: changes.maskUnknownReason ?? spec.maskUnknownReason ?? '' }
      : {}),
    ...(spec.formats !== undefined && { formats: spec.formats }),
    quirks: changes.quirks ? applyQuirks(type.quirks, changes.quirks) : type.quirks,
    cvm: changes.cvm ?? spec.cvm,
    tee: changes.tee === undefined ? (spec.tee ?? null) : changes.tee,
    title: changes.title ?? spec.title,
    details: changes.details ?? spec.details ?? [],
  });
}
