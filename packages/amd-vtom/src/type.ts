import {
  type AttributeId,
  CocoError,
  CocoRangeError,
  type CocoType,
  createType,
  createTypeCache,
  describeValue,
  isCocoError,
  type ParamSchema,
  type TypeDetail,
} from '@coco/core';
import { SEV_BIT, X86_ENTRY_FORMATS, X86_PA_BIT_MAX, X86_PA_BIT_MIN, x86MaskBitOf } from '@coco/x86';

const SEV_STATUS_VTOM_BIT = SEV_BIT.vtom;

import { AMD_VTOM_QUIRKS } from './quirks.js';

/** The type id this backend registers. */
export const AMD_VTOM_ID = 'amd-vtom';

/** The type's human name. */
export const AMD_VTOM_TITLE = 'AMD SEV-SNP with vTOM';

/**
 * Exactly what `cc_platform_has` answers true for a vTOM guest: the vTOM check comes before every
 * other SEV status bit, so nothing else ever applies (arch/x86/coco/core.c `amd_cc_platform_vtom`, v6.18).
 */
export const AMD_VTOM_ATTRIBUTES: readonly AttributeId[] = Object.freeze([
  'guest-mem-encrypt',
  'mem-encrypt',
]);

/** Why the mask is unknown when no boundary is given. */
export const DEFAULT_MASK_UNKNOWN_REASON =
  'the vTOM boundary comes from the platform; on Hyper-V the isolation configuration leaf 0x4000000C gives it: register @coco/hyperv';

/** Parameters of {@link createAmdVtomType}. `undefined` (and `null`) mean "not given". */
export interface AmdVtomParams {
  /**
   * The vTOM boundary as a bit position, 12..51: what a composing hypervisor passes (Hyper-V's
   * shared-GPA-boundary bits). The same thing as `boundary`; give either, or both when they agree.
   */
  readonly maskBit?: number | undefined;
  /** The vTOM boundary as an address: a power of two from `0x1000n` (bit 12) to `0x8000000000000n` (bit 51). */
  readonly boundary?: bigint | undefined;
  /** The SEV status MSR (0xC0010131) value, when known; it must have bit 3 (vTOM) set. */
  readonly sevStatus?: bigint | undefined;
  /** Why the boundary is unknown; only without `maskBit` and `boundary`. */
  readonly maskUnknownReason?: string | undefined;
}

/** The parameters of {@link createAmdVtomType}, for `coco pte --param` and the registry. */
export const AMD_VTOM_PARAMS = Object.freeze({
  maskBit: {
    type: 'integer',
    min: X86_PA_BIT_MIN,
    max: X86_PA_BIT_MAX,
    description: 'the vTOM boundary as a bit position (Hyper-V shared-GPA boundary bits)',
  },
  boundary: {
    type: 'bigint',
    min: 1n << BigInt(X86_PA_BIT_MIN),
    max: 1n << BigInt(X86_PA_BIT_MAX),
    description: 'the vTOM boundary as an address, a power of two',
  },
  sevStatus: { type: 'bigint', description: 'the SEV status MSR (0xC0010131) value, with bit 3 (vTOM) set' },
  maskUnknownReason: {
    type: 'string',
    description: 'why the boundary is unknown, without maskBit and boundary',
  },
} as const satisfies ParamSchema);

const KEYS = Object.keys(AMD_VTOM_PARAMS);
const ONLY_KEYS = `use an object with only ${KEYS.join(', ')}`;

function fail(
  key: string,
  problem: string,
  fix: string,
  code: 'PARAMETER_INVALID' | 'MASK_INVALID' | 'VALUE_OUT_OF_RANGE' = 'PARAMETER_INVALID',
): never {
  const details = { input: `${AMD_VTOM_ID} params${key && `.${key}`}`, fix };
  const text = `${key} ${problem}`.trim();
  throw code === 'PARAMETER_INVALID'
    ? new CocoError(code, text, details)
    : new CocoRangeError(text, details, code);
}

function checkMaskBit(maskBit: unknown): number {
  const isNumber = typeof maskBit === 'number';
  if (!isNumber || !Number.isInteger(maskBit) || maskBit < X86_PA_BIT_MIN || maskBit > X86_PA_BIT_MAX) {
    fail(
      'maskBit',
      `${describeValue(maskBit)} is outside the physical-address field`,
      `use an integer from ${X86_PA_BIT_MIN} to ${X86_PA_BIT_MAX}`,
      isNumber ? 'MASK_INVALID' : 'PARAMETER_INVALID',
    );
  }
  return maskBit as number;
}

function checkStatus(status: unknown): bigint {
  const fix = 'use the status MSR value, a 64-bit bigint with bit 3 (vTOM) set such as 0x103dfn';
  const isBigint = typeof status === 'bigint';
  if (!isBigint || status < 0n || status >> 64n) {
    fail(
      'sevStatus',
      `${describeValue(status)} is not a 64-bit value`,
      fix,
      isBigint ? 'VALUE_OUT_OF_RANGE' : 'PARAMETER_INVALID',
    );
  }
  if (!((status >> BigInt(SEV_STATUS_VTOM_BIT)) & 1n)) {
    fail('sevStatus', `${describeValue(status)} has bit 3 (vTOM) clear`, `${fix}, or amd-cbit`);
  }
  return status;
}

/**
 * What `systemd-detect-virt --cvm` prints: with a readable status MSR it tests bit 2 (sev-snp), then
 * bit 1 (sev-es), then bit 0 (sev) (systemd src/basic/virt.c `detect_sev`). Without a status, or with
 * one that has none of those bits (the kernel's own view on Hyper-V is exactly bit 3, which systemd
 * never reads), `sev-snp`: vTOM is an SEV-SNP feature, so a real vTOM guest's MSR has bit 2 set, and
 * where Azure hides CPUID 0x8000001F systemd's Hyper-V fallback (isolation type 2) says `sev-snp` too.
 */
function cvmOf(status: bigint | null): string {
  if (status === null || status & 4n || !(status & 3n)) return 'sev-snp';
  return status & 2n ? 'sev-es' : 'sev';
}

interface Checked {
  readonly maskBit: number | null;
  readonly reason: string;
  readonly sevStatus: bigint | null;
}

function given(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function checkParams(params: unknown): Checked {
  const input = (params ?? {}) as Record<string, unknown>;
  if (typeof input !== 'object' || Array.isArray(input)) {
    fail('', `${describeValue(params)} is not an object`, ONLY_KEYS);
  }
  // Own fields only: a parameter polluted onto Object.prototype is never read.
  const p: Record<string, unknown> = Object.create(null);
  for (const key of KEYS) if (Object.hasOwn(input, key)) p[key] = input[key];
  for (const key of Object.keys(input)) {
    if (!KEYS.includes(key)) {
      fail(JSON.stringify(key.slice(0, 40)), 'is not a parameter', ONLY_KEYS);
    }
  }
  const fromBit = given(p.maskBit) ? checkMaskBit(p.maskBit) : null;
  // The boundary is used as one bit: core's check of a one-bit mask, then x86's 12..51.
  const fromBoundary = given(p.boundary) ? x86MaskBitOf(p.boundary, `${AMD_VTOM_ID} params.boundary`) : null;
  if (fromBit !== null && fromBoundary !== null && fromBit !== fromBoundary) {
    fail(
      'maskBit',
      `${fromBit} and boundary ${describeValue(p.boundary)} (bit ${fromBoundary}) disagree`,
      'give one of them, or both for the same bit',
    );
  }
  const maskBit = fromBit ?? fromBoundary;
  let reason = DEFAULT_MASK_UNKNOWN_REASON;
  const why = p.maskUnknownReason;
  if (given(why)) {
    if (typeof why !== 'string' || why.trim() === '' || maskBit !== null) {
      fail(
        'maskUnknownReason',
        `${describeValue(why)} is not valid here`,
        'give a non-empty reason, and only without maskBit and boundary',
      );
    }
    reason = why;
  }
  return { maskBit, reason, sevStatus: given(p.sevStatus) ? checkStatus(p.sevStatus) : null };
}

function detailsOf(checked: Checked): TypeDetail[] {
  const { maskBit, sevStatus } = checked;
  const details: TypeDetail[] = [
    {
      name: 'vTOM boundary',
      value:
        maskBit === null
          ? `unknown: ${checked.reason}`
          : `${describeValue(1n << BigInt(maskBit))} (bit ${maskBit})`,
    },
  ];
  if (sevStatus !== null) {
    details.unshift({
      name: 'SEV status',
      value: `${describeValue(sevStatus)}, vTOM (bit 3) set`,
    });
  }
  return details;
}

// One type per set of checked parameters (immutable, so shared by every machine that has them).
const cached = /* @__PURE__ */ createTypeCache();

/**
 * Builds the AMD vTOM type. Attributes are always exactly `mem-encrypt` and `guest-mem-encrypt`;
 * a page is encrypted when the vTOM bit is clear. Throws a typed `PARAMETER_INVALID` or `MASK_INVALID`
 * error naming the parameter for a boundary that is not a power of two inside bits 12..51, a maskBit
 * outside 12..51, the two disagreeing, a status without bit 3, or an unknown key.
 *
 * @example
 * const type = createAmdVtomType({ boundary: 0x400000000000n });
 * type.marking?.decrypt(0x8000000123456063n); // 0x8000400123456063n
 */
export function createAmdVtomType(params: AmdVtomParams = {}): CocoType {
  let checked: Checked;
  try {
    checked = checkParams(params);
  } catch (error) {
    if (isCocoError(error)) throw error;
    // A hostile object (a throwing getter or proxy) is bad input too, not a crash.
    throw new CocoError('PARAMETER_INVALID', 'reading them threw', {
      input: `${AMD_VTOM_ID} params`,
      fix: 'pass a plain object',
    });
  }
  const key = `${checked.maskBit}|${checked.sevStatus}|${JSON.stringify(checked.reason)}`;
  return cached(key, () =>
    createType({
      id: AMD_VTOM_ID,
      variant: null,
      title: AMD_VTOM_TITLE,
      attributes: AMD_VTOM_ATTRIBUTES,
      encryptedWhen: 'clear',
      maskBit: checked.maskBit,
      maskUnknownReason: checked.reason,
      formats: X86_ENTRY_FORMATS,
      maskName: 'vTOM bit',
      quirks: AMD_VTOM_QUIRKS,
      cvm: cvmOf(checked.sevStatus),
      details: detailsOf(checked),
    }),
  );
}
