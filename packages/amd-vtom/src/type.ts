import {
  type AttributeId,
  CocoError,
  CocoRangeError,
  type CocoType,
  createType,
  describeValue,
  MASK_BIT_MAX,
  MASK_BIT_MIN,
  type TypeDetail,
} from '@coco/core';
import { SEV_STATUS_VTOM_BIT, sevStatusNames } from './log.js';
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

const KEYS = ['maskBit', 'boundary', 'sevStatus', 'maskUnknownReason'] as const;
const U64_MAX = (1n << 64n) - 1n;
const BIT_RANGE = `${MASK_BIT_MIN} to ${MASK_BIT_MAX}`;

function input(key: string): string {
  return `${AMD_VTOM_ID} params.${key}`;
}

function invalid(key: string, problem: string, fix: string): never {
  throw new CocoError('PARAMETER_INVALID', problem, { input: input(key), fix });
}

function outOfRange(key: string, problem: string, fix: string): never {
  throw new CocoRangeError(problem, { input: input(key), fix }, 'MASK_INVALID');
}

function bitOfBoundary(boundary: unknown): number {
  if (typeof boundary !== 'bigint') {
    invalid(
      'boundary',
      `boundary ${describeValue(boundary)} is not a bigint`,
      'pass the vTOM boundary address as a bigint, such as 0x400000000000n (bit 46)',
    );
  }
  if (boundary <= 0n || (boundary & (boundary - 1n)) !== 0n) {
    outOfRange(
      'boundary',
      `boundary ${describeValue(boundary)} is not a power of two`,
      `the vTOM boundary is used as one bit: pass a power of two from 0x1000n (bit ${MASK_BIT_MIN}) to 0x8000000000000n (bit ${MASK_BIT_MAX})`,
    );
  }
  const bit = boundary.toString(2).length - 1;
  if (bit < MASK_BIT_MIN || bit > MASK_BIT_MAX) {
    outOfRange(
      'boundary',
      `boundary ${describeValue(boundary)} (bit ${bit}) is outside the physical-address field`,
      `pass a power of two from 0x1000n (bit ${MASK_BIT_MIN}) to 0x8000000000000n (bit ${MASK_BIT_MAX})`,
    );
  }
  return bit;
}

function checkMaskBit(maskBit: unknown): number {
  if (typeof maskBit !== 'number' || !Number.isInteger(maskBit)) {
    invalid(
      'maskBit',
      `maskBit ${describeValue(maskBit)} is not an integer`,
      `pass the vTOM bit position as a number from ${BIT_RANGE}, such as 46`,
    );
  }
  if (maskBit < MASK_BIT_MIN || maskBit > MASK_BIT_MAX) {
    outOfRange(
      'maskBit',
      `maskBit ${maskBit} is outside the physical-address field`,
      `use a bit from ${BIT_RANGE}`,
    );
  }
  return maskBit;
}

function checkStatus(status: unknown): bigint {
  if (typeof status !== 'bigint') {
    invalid(
      'sevStatus',
      `sevStatus ${describeValue(status)} is not a bigint`,
      'pass the SEV status MSR (0xC0010131) value as a bigint, such as 0x103dfn',
    );
  }
  if (status < 0n || status > U64_MAX) {
    throw new CocoRangeError(`sevStatus ${describeValue(status)} is not a 64-bit MSR value`, {
      input: input('sevStatus'),
      fix: 'pass a value from 0x0n to 0xffffffffffffffffn',
    });
  }
  if (((status >> BigInt(SEV_STATUS_VTOM_BIT)) & 1n) === 0n) {
    invalid(
      'sevStatus',
      `sevStatus ${describeValue(status)} has bit ${SEV_STATUS_VTOM_BIT} (vTOM) clear, so the guest does not use vTOM`,
      'pass a status with bit 3 set (such as 0x103dfn), or use the amd-cbit type for a C-bit guest',
    );
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
  if (status === null || (status & 4n) !== 0n || (status & 3n) === 0n) return 'sev-snp';
  return (status & 2n) !== 0n ? 'sev-es' : 'sev';
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
  if (params === undefined || params === null)
    return { maskBit: null, reason: DEFAULT_MASK_UNKNOWN_REASON, sevStatus: null };
  if (typeof params !== 'object' || Array.isArray(params)) {
    throw new CocoError('PARAMETER_INVALID', `${describeValue(params)} is not a parameter object`, {
      input: `${AMD_VTOM_ID} params`,
      fix: `pass an object with any of ${KEYS.join(', ')}`,
    });
  }
  const p = params as Record<string, unknown>;
  for (const key of Object.keys(p)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      const name = JSON.stringify(key.slice(0, 40));
      invalid(name, `${name} is not a parameter of ${AMD_VTOM_ID}`, `use only ${KEYS.join(', ')}`);
    }
  }
  const fromBit = given(p.maskBit) ? checkMaskBit(p.maskBit) : null;
  const fromBoundary = given(p.boundary) ? bitOfBoundary(p.boundary) : null;
  if (fromBit !== null && fromBoundary !== null && fromBit !== fromBoundary) {
    invalid(
      'maskBit',
      `maskBit ${fromBit} and boundary ${describeValue(p.boundary)} (bit ${fromBoundary}) disagree`,
      `give one of them, or both for the same bit (maskBit ${fromBoundary} with that boundary)`,
    );
  }
  const maskBit = fromBit ?? fromBoundary;
  let reason = DEFAULT_MASK_UNKNOWN_REASON;
  if (given(p.maskUnknownReason)) {
    if (typeof p.maskUnknownReason !== 'string' || p.maskUnknownReason.trim() === '') {
      invalid(
        'maskUnknownReason',
        `maskUnknownReason ${describeValue(p.maskUnknownReason)} is not a reason`,
        'say in words why the vTOM boundary is unknown',
      );
    }
    if (maskBit !== null) {
      invalid(
        'maskUnknownReason',
        `maskUnknownReason is given although the boundary is known (bit ${maskBit})`,
        'give maskUnknownReason only without maskBit and boundary',
      );
    }
    reason = p.maskUnknownReason;
  }
  const sevStatus = given(p.sevStatus) ? checkStatus(p.sevStatus) : null;
  return { maskBit, reason, sevStatus };
}

function hex(value: bigint): string {
  return `0x${value.toString(16)}`;
}

function detailsOf(checked: Checked): TypeDetail[] {
  const details: TypeDetail[] = [];
  if (checked.sevStatus !== null) {
    details.push({
      name: 'SEV status',
      value: `${hex(checked.sevStatus)}: ${sevStatusNames(checked.sevStatus).join(' ')}`,
    });
    details.push({ name: 'vTOM (SEV status bit 3)', value: 'set' });
  }
  details.push({
    name: 'vTOM boundary',
    value:
      checked.maskBit === null
        ? `unknown: ${checked.reason}`
        : `${hex(1n << BigInt(checked.maskBit))} (bit ${checked.maskBit}); addresses at or above it are shared`,
  });
  return details;
}

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
  const checked = checkParams(params);
  return createType({
    id: AMD_VTOM_ID,
    variant: null,
    title: AMD_VTOM_TITLE,
    attributes: AMD_VTOM_ATTRIBUTES,
    encryptedWhen: 'clear',
    maskBit: checked.maskBit,
    maskUnknownReason: checked.reason,
    maskName: 'vTOM bit',
    quirks: AMD_VTOM_QUIRKS,
    cvm: cvmOf(checked.sevStatus),
    details: detailsOf(checked),
  });
}
