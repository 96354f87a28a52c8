import {
  CocoError,
  CocoRangeError,
  type CocoType,
  createType,
  describeValue,
  type KernelAttributeId,
  MASK_BIT_MAX,
  MASK_BIT_MIN,
  type TypeDetail,
} from '@coco/core';
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

/** The guest physical-address widths a TD can have (TDG.VP.INFO RCX[5:0]; TDX module spec). */
export const TDX_GPAW_VALUES: readonly (48 | 52)[] = Object.freeze([48, 52]);

/** What `cc_platform_has` answers true for a TDX guest (arch/x86/coco/core.c, v6.18). */
export const TDX_ATTRIBUTES: readonly KernelAttributeId[] = Object.freeze([
  'mem-encrypt',
  'guest-mem-encrypt',
  'guest-unroll-string-io',
]);

/** The reason given when neither `gpaw` nor `maskBit` is known. */
export const TDX_MASK_UNKNOWN_REASON =
  'the shared bit is GPAW - 1 and the GPAW (48 or 52, from TDG.VP.INFO) is not known; give it as tdx.gpaw in a snapshot or with --tdx-gpaw';

const KEYS = ['gpaw', 'maskBit', 'maskUnknownReason'];

function bad(key: string, value: unknown, fix: string): never {
  throw new CocoError('PARAMETER_INVALID', `${key} ${describeValue(value)} is not valid`, {
    input: `tdx params.${key}`,
    fix,
  });
}

function readParams(params: unknown): Record<string, unknown> {
  if (params === undefined) return {};
  const proto = typeof params === 'object' && params !== null ? Object.getPrototypeOf(params) : undefined;
  if (proto !== Object.prototype && proto !== null) {
    throw new CocoError('PARAMETER_INVALID', `${describeValue(params)} is not a parameter object`, {
      input: 'tdx params',
      fix: 'pass a plain object such as { gpaw: 52 }, { maskBit: 47 } or {}',
    });
  }
  const out: Record<string, unknown> = {};
  try {
    for (const key of Object.keys(params as object)) {
      if (!KEYS.includes(key)) {
        throw new CocoError('PARAMETER_INVALID', `unknown parameter ${describeValue(key)}`, {
          input: `tdx params.${key.slice(0, 40)}`,
          fix: `use only ${KEYS.join(', ')}`,
        });
      }
      const value = (params as Record<string, unknown>)[key];
      if (value !== undefined) out[key] = value;
    }
  } catch (error) {
    if (error instanceof CocoError) throw error;
    throw new CocoError('PARAMETER_INVALID', 'reading the parameters threw', {
      input: 'tdx params',
      fix: 'pass a plain object with plain data properties',
    });
  }
  return out;
}

/**
 * Builds the Intel TDX type: attributes `mem-encrypt`, `guest-mem-encrypt` and
 * `guest-unroll-string-io`; a page is encrypted (private) when the shared bit is clear.
 * Throws `PARAMETER_INVALID` (or `MASK_INVALID` for a bit outside 12..51) naming the parameter.
 */
export function createTdxType(params?: TdxParams): CocoType {
  const p = readParams(params);
  const { gpaw, maskBit, maskUnknownReason } = p;
  if (gpaw !== undefined && gpaw !== 48 && gpaw !== 52) {
    bad('gpaw', gpaw, 'use the GPAW that TDG.VP.INFO reports: 48 (shared bit 47) or 52 (shared bit 51)');
  }
  if (
    maskBit !== undefined &&
    (typeof maskBit !== 'number' ||
      !Number.isInteger(maskBit) ||
      maskBit < MASK_BIT_MIN ||
      maskBit > MASK_BIT_MAX)
  ) {
    throw new CocoRangeError(
      `maskBit ${describeValue(maskBit)} is outside the physical-address field`,
      {
        input: 'tdx params.maskBit',
        fix: `use a bit from ${MASK_BIT_MIN} to ${MASK_BIT_MAX} (47 for GPAW 48, 51 for GPAW 52)`,
      },
      'MASK_INVALID',
    );
  }
  const fromGpaw = gpaw === undefined ? undefined : (gpaw as number) - 1;
  if (fromGpaw !== undefined && maskBit !== undefined && maskBit !== fromGpaw) {
    bad(
      'maskBit',
      maskBit,
      `gpaw ${gpaw} gives shared bit ${fromGpaw}: give maskBit ${fromGpaw}, or only one of gpaw and maskBit`,
    );
  }
  const bit = (maskBit as number | undefined) ?? fromGpaw ?? null;
  if (maskUnknownReason !== undefined) {
    if (typeof maskUnknownReason !== 'string' || maskUnknownReason.trim() === '') {
      bad('maskUnknownReason', maskUnknownReason, 'say in words why the shared bit is unknown');
    }
    if (bit !== null) {
      bad('maskUnknownReason', maskUnknownReason, 'give it only when neither gpaw nor maskBit is known');
    }
  }
  const details: TypeDetail[] = [];
  if (gpaw !== undefined) details.push({ name: 'GPAW', value: String(gpaw) });
  else if (bit !== null) details.push({ name: 'shared bit from', value: 'a composing hypervisor' });
  return createType({
    id: TDX_TYPE_ID,
    variant: null,
    title: TDX_TITLE,
    attributes: TDX_ATTRIBUTES,
    encryptedWhen: 'clear',
    maskBit: bit,
    ...(bit === null ? { maskUnknownReason: (maskUnknownReason as string) ?? TDX_MASK_UNKNOWN_REASON } : {}),
    maskName: 'shared bit',
    quirks: TDX_QUIRKS,
    cvm: TDX_CVM,
    details,
  });
}
