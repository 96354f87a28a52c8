import {
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
import {
  bitSet,
  formatSevStatus,
  SEV_BIT,
  statusInconsistency,
  variantOfStatus,
  X86_ENTRY_FORMATS,
  X86_PA_BIT_MAX,
  X86_PA_BIT_MIN,
} from '@coco/x86';
import { amdCbitAttributes } from './attributes.js';
import { amdCbitQuirks } from './quirks.js';
import { AMD_CBIT_VARIANTS, type AmdCbitVariant, isAmdCbitVariant, VARIANT_INFO } from './variants.js';

/** The type id amd-cbit registers. */
export const AMD_CBIT_ID = 'amd-cbit';

/** What {@link createAmdCbitType} accepts. Every key is optional, but a variant or a status is needed. */
export interface AmdCbitParams {
  /** `sme` (a host), `sev`, `sev-es` or `sev-snp`; follows from `sevStatus` when that is given. */
  readonly variant?: AmdCbitVariant;
  /** The SEV status MSR (0xC0010131) value; 0 means no SEV (an SME host). Bit 3 (vTOM) is amd-vtom's. */
  readonly sevStatus?: bigint;
  /** The C-bit position, CPUID 0x8000001F EBX[5:0] (47 or 51 on EPYC); `null` or absent when unknown. */
  readonly maskBit?: number | null;
  /** Why the C-bit is unknown; only with no `maskBit`. */
  readonly maskUnknownReason?: string;
  /** CPUID 0x8000001F EAX bit 10: caches stay coherent across a C-bit change, so no cache flush. */
  readonly smeCoherent?: boolean;
  /** CPUID 0x8000001F EBX[11:6]: physical-address bits lost while memory encryption is on (0..63). */
  readonly physicalAddressReduction?: number;
  /** CPUID 0x8000001F EBX[15:12]: the number of VM permission levels (0..15). */
  readonly vmpls?: number;
}

/** The parameters of {@link createAmdCbitType}, for `coco pte --param` and the registry. */
export const AMD_CBIT_PARAMS = Object.freeze({
  variant: {
    type: 'enum',
    values: ['sme', 'sev', 'sev-es', 'sev-snp'],
    description: 'the sub-type; follows from sevStatus when that is given',
  },
  sevStatus: { type: 'bigint', description: 'the SEV status MSR (0xC0010131) value' },
  maskBit: {
    type: 'integer',
    min: X86_PA_BIT_MIN,
    max: X86_PA_BIT_MAX,
    description: 'the C-bit position, CPUID 0x8000001F EBX[5:0]',
  },
  maskUnknownReason: { type: 'string', description: 'why the C-bit is unknown, without maskBit' },
  smeCoherent: {
    type: 'boolean',
    description: 'CPUID 0x8000001F EAX bit 10: no cache flush on a C-bit change',
  },
  physicalAddressReduction: {
    type: 'integer',
    min: 0,
    max: 63,
    description: 'CPUID 0x8000001F EBX[11:6]: physical-address bits lost to memory encryption',
  },
  vmpls: {
    type: 'integer',
    min: 0,
    max: 15,
    description: 'CPUID 0x8000001F EBX[15:12]: VM permission levels',
  },
} as const satisfies ParamSchema);

const KEYS = Object.keys(AMD_CBIT_PARAMS);

/** Throws `PARAMETER_INVALID` for parameter `name`: "`name` `value` `problem`. Fix: `fix`". */
function invalid(name: string, value: unknown, problem: string, fix: string): never {
  throw new CocoError('PARAMETER_INVALID', `${name} ${describeValue(value)} ${problem}`, {
    input: `amd-cbit parameter ${name}`,
    fix,
  });
}

const isInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

function smallInt(params: Record<string, unknown>, name: string, max: number): number | undefined {
  const v = params[name];
  if (v !== undefined && !isInt(v, 0, max))
    invalid(name, v, 'is out of range', `use an integer from 0 to ${max}`);
  return v as number | undefined;
}

function checkStatus(value: unknown): bigint | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'bigint' || value < 0n || value >> 64n !== 0n) {
    invalid('sevStatus', value, 'is not a 64-bit MSR value', 'pass MSR 0xc0010131 as a bigint');
  }
  if (bitSet(value, SEV_BIT.vtom)) {
    invalid(
      'sevStatus',
      value,
      "has bit 3 (vTOM) set: that guest is amd-vtom's",
      'use @coco/amd-vtom, or clear bit 3',
    );
  }
  const why = statusInconsistency(value);
  if (why) invalid('sevStatus', value, `is impossible: ${why}`, 'pass the value read from MSR 0xc0010131');
  return value;
}

/** Checks the parameters; every problem is a `PARAMETER_INVALID` or `MASK_INVALID` naming the parameter. */
function readParams(input: unknown) {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    invalid('params', input, 'is not an object', `pass an object with ${KEYS.join(', ')}`);
  }
  // Own fields only: a parameter polluted onto Object.prototype is never read.
  const given = input as Record<string, unknown>;
  const params: Record<string, unknown> = Object.create(null);
  for (const key of KEYS) if (Object.hasOwn(given, key)) params[key] = given[key];
  for (const key of Object.keys(given)) {
    if (!KEYS.includes(key)) {
      throw new CocoError('PARAMETER_INVALID', `${JSON.stringify(key.slice(0, 40))} is not a parameter`, {
        input: 'amd-cbit parameters',
        fix: `use ${KEYS.join(', ')}`,
      });
    }
  }
  const { variant, maskBit, maskUnknownReason: reason, smeCoherent } = params;
  if (variant !== undefined && !isAmdCbitVariant(variant)) {
    invalid('variant', variant, 'is not a variant', `use ${AMD_CBIT_VARIANTS.join(', ')}`);
  }
  const sevStatus = checkStatus(params.sevStatus);
  const chosen = sevStatus === undefined ? variant : (variantOfStatus(sevStatus) ?? 'sme');
  if (chosen === undefined) invalid('variant', variant, 'is missing', 'give variant or sevStatus');
  if (variant !== undefined && variant !== chosen) {
    invalid(
      'variant',
      variant,
      `contradicts sevStatus ${describeValue(sevStatus)} (${chosen})`,
      'omit variant',
    );
  }
  if (maskBit != null && !isInt(maskBit, X86_PA_BIT_MIN, X86_PA_BIT_MAX)) {
    throw new CocoRangeError(
      `maskBit ${describeValue(maskBit)} is outside the physical-address field`,
      {
        input: 'amd-cbit parameter maskBit',
        fix: `use CPUID 0x8000001F EBX[5:0], ${X86_PA_BIT_MIN} to ${X86_PA_BIT_MAX}, or null when unknown`,
      },
      'MASK_INVALID',
    );
  }
  if (reason !== undefined && (typeof reason !== 'string' || !reason.trim() || maskBit != null)) {
    invalid('maskUnknownReason', reason, 'is not valid', 'give a reason only when maskBit is null');
  }
  if (smeCoherent !== undefined && typeof smeCoherent !== 'boolean') {
    invalid(
      'smeCoherent',
      smeCoherent,
      'is not a boolean',
      'use true or false (CPUID 0x8000001F EAX bit 10)',
    );
  }
  return {
    variant: chosen as AmdCbitVariant,
    sevStatus,
    maskBit: (maskBit ?? null) as number | null,
    maskUnknownReason: reason as string | undefined,
    smeCoherent: smeCoherent as boolean | undefined,
    physicalAddressReduction: smallInt(params, 'physicalAddressReduction', 63),
    vmpls: smallInt(params, 'vmpls', 15),
  };
}

// One type per set of checked parameters (immutable, so shared by every machine that has them).
const cached = /* @__PURE__ */ createTypeCache();

/**
 * Builds an amd-cbit type: an SME host or a SEV, SEV-ES or SEV-SNP guest whose pages are encrypted
 * when the C-bit is set. Attributes follow the kernel's `amd_cc_platform_has()` from `sevStatus`, or
 * the variant's own set when no status is given.
 */
export function createAmdCbitType(params: AmdCbitParams): CocoType {
  let p: ReturnType<typeof readParams>;
  try {
    p = readParams(params);
  } catch (error) {
    if (isCocoError(error)) throw error;
    invalid('params', params, 'could not be read', 'pass a plain object without throwing getters');
  }
  const key = `${p.variant}|${p.sevStatus}|${p.maskBit}|${p.smeCoherent}|${p.physicalAddressReduction}|${p.vmpls}|${JSON.stringify(p.maskUnknownReason)}`;
  return cached(key, () => buildType(p));
}

function buildType(p: ReturnType<typeof readParams>): CocoType {
  const info = VARIANT_INFO[p.variant];
  const status = p.sevStatus ?? info.status;
  const details: TypeDetail[] = [];
  if (p.sevStatus !== undefined) details.push({ name: 'SEV status', value: formatSevStatus(p.sevStatus) });
  details.push({ name: 'C-bit', value: p.maskBit === null ? 'unknown' : String(p.maskBit) });
  if (p.physicalAddressReduction !== undefined)
    details.push({ name: 'Physical address reduction', value: `${p.physicalAddressReduction} bits` });
  if (p.vmpls !== undefined) details.push({ name: 'VMPLs', value: String(p.vmpls) });
  if (p.smeCoherent !== undefined)
    details.push({ name: 'SME coherent', value: p.smeCoherent ? 'yes' : 'no' });
  return createType({
    id: AMD_CBIT_ID,
    variant: p.variant,
    title: info.title,
    guest: info.guest,
    attributes: amdCbitAttributes(status),
    encryptedWhen: 'set',
    maskBit: p.maskBit,
    maskUnknownReason: p.maskUnknownReason ?? 'the C-bit position (CPUID 0x8000001F EBX[5:0]) was not given',
    formats: X86_ENTRY_FORMATS,
    maskName: 'C-bit',
    quirks: amdCbitQuirks({ variant: p.variant, smeCoherent: p.smeCoherent }),
    cvm: info.cvm,
    // Confidential Containers attests SEV-SNP guests ("snp"); it has no attester for SEV or SEV-ES.
    tee: p.variant === 'sev-snp' ? 'snp' : null,
    details,
  });
}
