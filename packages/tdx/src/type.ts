import {
  CocoError,
  type CocoType,
  createType,
  createTypeCache,
  describeValue,
  type KernelAttributeId,
  type ParamSchema,
} from '@coco/core';
import { checkX86MaskBit, X86_ENTRY_FORMATS, X86_PA_BIT_MAX, X86_PA_BIT_MIN } from '@coco/x86';
import { TDX_QUIRKS } from './quirks.js';

/**
 * What {@link createTdxType} accepts. Give `gpaw` (the guest physical-address width TDG.VP.INFO
 * reports) or `maskBit` (the shared bit, as a composing hypervisor knows it), or neither for a
 * type whose mask is unknown.
 */
export interface TdxParams {
  /** Guest physical-address width, 48 or 52: the shared bit is `gpaw - 1`. */
  readonly gpaw?: 48 | 52 | undefined;
  /**
   * The shared bit itself, 12..51. Hyper-V TDX guests with a paravisor use the vTOM boundary bit,
   * which has TDX's polarity. When `gpaw` is given too, it must equal `gpaw - 1`.
   */
  readonly maskBit?: number | undefined;
  /** Why the mask is unknown; only without `gpaw` and `maskBit`. */
  readonly maskUnknownReason?: string | undefined;
}

/** The type id, also the plugin id. */
export const TDX_TYPE_ID = 'tdx';

/** Human name of the type. */
export const TDX_TITLE = 'Intel TDX';

/** What `systemd-detect-virt --cvm` prints for a TDX guest (src/basic/confidential-virt.c). */
export const TDX_CVM = 'tdx';

/** What `cc_platform_has` answers true for a TDX guest (arch/x86/coco/core.c, v6.18). */
export const TDX_ATTRIBUTES: readonly KernelAttributeId[] = Object.freeze([
  'mem-encrypt',
  'guest-mem-encrypt',
  'guest-unroll-string-io',
]);

/** The reason given when neither `gpaw` nor `maskBit` is known. */
export const TDX_MASK_UNKNOWN_REASON = 'GPAW unknown: give tdx.gpaw (snapshot) or --tdx-gpaw';

/** The parameters of {@link createTdxType}, for `coco pte --param` and the registry. */
export const TDX_PARAMS = Object.freeze({
  gpaw: {
    type: 'integer',
    min: 48,
    max: 52,
    values: [48, 52],
    description: 'the guest physical-address width TDG.VP.INFO reports; the shared bit is GPAW - 1',
  },
  maskBit: {
    type: 'integer',
    min: X86_PA_BIT_MIN,
    max: X86_PA_BIT_MAX,
    description: 'the shared bit itself',
  },
  maskUnknownReason: { type: 'string', description: 'why the shared bit is unknown, when neither is given' },
} as const satisfies ParamSchema);

const KEYS = Object.keys(TDX_PARAMS);

function fail(key: string, problem: string, fix: string): never {
  throw new CocoError('PARAMETER_INVALID', problem, { input: `tdx params${key && '.'}${key}`, fix });
}

function readParams(params: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let keys: string[] = [];
  try {
    // Plain objects only: null, primitives, arrays and class instances throw or fail here.
    const proto = params === undefined ? null : Object.getPrototypeOf(params);
    if (proto !== Object.prototype && proto !== null) throw 0;
    keys = Object.keys(params ?? {});
    // Only known keys are copied, so a "__proto__" key never reaches a prototype.
    for (const key of KEYS)
      out[key] = keys.includes(key) ? (params as Record<string, unknown>)[key] : undefined;
  } catch {
    fail(
      '',
      `${describeValue(params)} is not a parameter object`,
      'pass an object such as { gpaw: 52 } or {}',
    );
  }
  for (const key of keys)
    if (!KEYS.includes(key)) fail(key.slice(0, 40), 'unknown parameter', `use only ${KEYS.join(', ')}`);
  return out;
}

// One type per set of checked parameters (immutable, so shared by every machine that has them).
const cached = /* @__PURE__ */ createTypeCache();

/**
 * Builds the Intel TDX type: attributes `mem-encrypt`, `guest-mem-encrypt` and
 * `guest-unroll-string-io`; a page is encrypted (private) when the shared bit is clear.
 * Throws `PARAMETER_INVALID` naming the parameter, or core's `MASK_INVALID` (input
 * `type.maskBit`) for a bit outside 12..51.
 */
export function createTdxType(params?: TdxParams): CocoType {
  const { gpaw, maskBit, maskUnknownReason } = readParams(params);
  if (gpaw !== undefined && gpaw !== 48 && gpaw !== 52) {
    fail('gpaw', `gpaw ${describeValue(gpaw)} is not 48 or 52`, 'give the GPAW that TDG.VP.INFO reports');
  }
  const bit = (maskBit ?? (gpaw ? (gpaw as number) - 1 : null)) as number | null;
  checkX86MaskBit(bit);
  if (gpaw && bit !== (gpaw as number) - 1) {
    fail(
      'maskBit',
      `maskBit ${describeValue(bit)} disagrees with gpaw ${gpaw} (bit ${(gpaw as number) - 1})`,
      'give one of them',
    );
  }
  if (
    maskUnknownReason !== undefined &&
    (bit !== null || typeof maskUnknownReason !== 'string' || !maskUnknownReason.trim())
  ) {
    fail(
      'maskUnknownReason',
      'maskUnknownReason needs a text, and no gpaw or maskBit',
      'give it only without both',
    );
  }
  const key = `${gpaw}|${bit}|${JSON.stringify(maskUnknownReason)}`;
  return cached(key, () =>
    createType({
      id: TDX_TYPE_ID,
      variant: null,
      title: TDX_TITLE,
      attributes: TDX_ATTRIBUTES,
      encryptedWhen: 'clear',
      maskBit: bit,
      ...(bit === null
        ? { maskUnknownReason: (maskUnknownReason as string) ?? TDX_MASK_UNKNOWN_REASON }
        : {}),
      formats: X86_ENTRY_FORMATS,
      maskName: 'shared bit',
      quirks: TDX_QUIRKS,
      cvm: TDX_CVM,
      // The Confidential Containers attester for TDX guests (guest-components attestation-agent).
      tee: 'tdx',
      details: gpaw ? [{ name: 'GPAW', value: String(gpaw) }] : [],
    }),
  );
}
