import {
  type AttributeId,
  CocoError,
  type CocoType,
  checkParams,
  createType,
  createTypeCache,
  type EntryFormatSpec,
  type ParamSchema,
  type ParamsOf,
  type TypeDetail,
} from '@coco/core';
import { IPA_BITS_MAX, IPA_BITS_MIN } from './facts.js';
import { ARM_CCA_QUIRKS } from './quirks.js';

/** The type id this backend registers. */
export const ARM_CCA_ID = 'arm-cca';

/** The type's human name. */
export const ARM_CCA_TITLE = 'Arm CCA realm';

/**
 * Exactly what arm64's `cc_platform_has()` answers true in a realm: `CC_ATTR_MEM_ENCRYPT` only
 * (`return is_realm_world()`; every other attribute, `CC_ATTR_GUEST_MEM_ENCRYPT` included, is false):
 * arch/arm64/kernel/rsi.c, v6.13 to v6.19.
 */
export const ARM_CCA_ATTRIBUTES: readonly AttributeId[] = Object.freeze(['mem-encrypt']);

/** The translation granules (page sizes) arm64 kernels run with. */
export const GRANULES = [4096, 16384, 65536] as const;
export type Granule = (typeof GRANULES)[number];

/** The parameters of {@link createArmCcaType}, with their types and ranges. */
export const ARM_CCA_PARAMS = {
  ipaBits: {
    type: 'integer',
    min: IPA_BITS_MIN,
    max: IPA_BITS_MAX,
    description:
      'the realm IPA width RSI_REALM_CONFIG reports (ipa_bits); the shared bit is the top IPA bit, ipaBits - 1',
  },
  granule: {
    type: 'integer',
    min: 4096,
    max: 65536,
    values: [...GRANULES],
    description: "the guest kernel's translation granule (page size) in bytes; default 4096",
  },
  pa52: {
    type: 'boolean',
    description:
      'descriptors hold 52-bit output addresses (FEAT_LPA2 with TCR_EL1.DS=1 for 4 KiB and 16 KiB granules, FEAT_LPA for 64 KiB); default: true exactly when ipaBits is above 48',
  },
  maskUnknownReason: {
    type: 'string',
    description: 'why the IPA width is unknown (only without ipaBits)',
  },
} as const satisfies ParamSchema;

/** Parameters of {@link createArmCcaType}. */
export type ArmCcaParams = ParamsOf<typeof ARM_CCA_PARAMS>;

/** Why the shared bit is unknown when no IPA width is given. */
export const DEFAULT_MASK_UNKNOWN_REASON =
  "the realm's IPA width (RSI_REALM_CONFIG ipa_bits) is not in the evidence: the kernel never prints it; give ipaBits";

/** One arm64 stage-1 descriptor format: its granule and whether it holds 52-bit output addresses. */
export interface Arm64Format {
  readonly id: string;
  readonly title: string;
  readonly granule: Granule;
  readonly pa52: boolean;
}

const KIB = { 4096: '4 KiB', 16384: '16 KiB', 65536: '64 KiB' } as const;

/**
 * The arm64 descriptor formats, in the order a type lists the ones that can hold its bit (after its
 * default): 48-bit output addresses for each granule, then 52-bit (LPA2 for 4K and 16K, LPA for 64K).
 */
export const ARM64_FORMATS: readonly Arm64Format[] = Object.freeze(
  (
    [
      [4096, false, 'arm64-4k', ''],
      [16384, false, 'arm64-16k', ''],
      [65536, false, 'arm64-64k', ''],
      [4096, true, 'arm64-4k-lpa2', ', LPA2'],
      [16384, true, 'arm64-16k-lpa2', ', LPA2'],
      [65536, true, 'arm64-64k-lpa', ', 52-bit PA (LPA)'],
    ] as const
  ).map(([granule, pa52, id, suffix]) =>
    Object.freeze({ id, title: `arm64, ${KIB[granule]} granule${suffix}`, granule, pa52 }),
  ),
);

/**
 * The descriptor bit that holds output-address bit `bit` in `format`, or `null` when the format cannot
 * hold it. Output-address bits up to 47 sit in place in every format. With 52-bit output addresses:
 * for 4 KiB and 16 KiB granules (FEAT_LPA2, TCR_ELx.DS = 1) bits 49:48 sit in place and bits 51:50
 * live at descriptor bits 9:8; for the 64 KiB granule (FEAT_LPA) bits 51:48 live at descriptor bits
 * 15:12. Sources: the Arm ARM's VMSAv8-64 block and page descriptor formats; the kernel's
 * `PTE_ADDR_HIGH` (`0x3 << 8`, shift 42; 64K: `0xf << 12`, shift 36) and `__phys_to_pte_val()` in
 * arch/arm64/include/asm/pgtable-hwdef.h and pgtable.h (v6.18.2); QEMU's `get_phys_addr_lpae()`
 * (target/arm/ptw.c), which reads OA[51:50] from bits 9:8 with DS and OA[51:48] from bits 15:12 otherwise.
 */
export function entryBitOf(format: Pick<Arm64Format, 'granule' | 'pa52'>, bit: number): number | null {
  if (!Number.isInteger(bit) || bit < 0 || bit > 51) return null;
  if (bit <= 47) return bit;
  if (!format.pa52) return null;
  if (format.granule === 65536) return 12 + (bit - 48);
  return bit >= 50 ? 8 + (bit - 50) : bit;
}

/** The format a granule and `pa52` name. */
export function formatOf(granule: Granule, pa52: boolean): Arm64Format {
  return ARM64_FORMATS.find((f) => f.granule === granule && f.pa52 === pa52) as Arm64Format;
}

/** The formats that can hold address bit `bit`, the default first, each with its entry bit. */
export function formatsFor(bit: number, first: Arm64Format): EntryFormatSpec[] {
  const out: EntryFormatSpec[] = [];
  for (const f of [first, ...ARM64_FORMATS.filter((f) => f.id !== first.id)]) {
    const entryBit = entryBitOf(f, bit);
    if (entryBit !== null) out.push({ id: f.id, title: f.title, entryBit });
  }
  return out;
}

function refuse(problem: string, fix: string): never {
  throw new CocoError('PARAMETER_INVALID', problem, { input: `${ARM_CCA_ID} params`, fix });
}

// One type per set of checked parameters (immutable, so shared by every machine that has them).
const cached = /* @__PURE__ */ createTypeCache();

/**
 * Builds the Arm CCA realm type. The shared bit is the top IPA bit (`BIT(ipa_bits - 1)`, rsi.c), set
 * on a shared page, so a page is **encrypted when the bit is clear**; attributes are exactly
 * `mem-encrypt`. Without `ipaBits` the bit is unknown (`maskState` `unknown`, with a reason), never
 * "none". The marking works on entries of the format `granule` and `pa52` name, and lists every other
 * arm64 format that can hold the bit. Throws `PARAMETER_INVALID` naming the parameter for a value out
 * of range, an unknown key, an IPA wider than 48 bits with `pa52: false`, or a reason with `ipaBits`.
 *
 * @example
 * const type = createArmCcaType({ ipaBits: 48 });
 * type.marking?.decrypt(0x0060000081234f43n); // 0x0060800081234f43n: bit 47 set, shared
 */
export function createArmCcaType(params: ArmCcaParams = {}): CocoType {
  const p = checkParams(ARM_CCA_PARAMS, params, `${ARM_CCA_ID} params`);
  const granule = (p.granule ?? 4096) as Granule;
  const ipaBits = p.ipaBits ?? null;
  const pa52 = p.pa52 ?? (ipaBits !== null && ipaBits > 48);
  if (ipaBits !== null && ipaBits > 48 && !pa52)
    refuse(
      `ipaBits ${ipaBits} needs 52-bit descriptors, but pa52 is false`,
      'give pa52: true (LPA2 or LPA), or an ipaBits of at most 48',
    );
  if (ipaBits !== null && p.maskUnknownReason !== undefined)
    refuse('maskUnknownReason is given with ipaBits', 'give maskUnknownReason only when ipaBits is unknown');
  if (p.maskUnknownReason !== undefined && p.maskUnknownReason.trim() === '')
    refuse('maskUnknownReason is empty', 'say why the IPA width is unknown');
  const key = `${granule}|${ipaBits}|${pa52}|${JSON.stringify(p.maskUnknownReason)}`;
  return cached(key, () => buildType(granule, ipaBits, pa52, p.maskUnknownReason));
}

function buildType(
  granule: Granule,
  ipaBits: number | null,
  pa52: boolean,
  maskUnknownReason: string | undefined,
): CocoType {
  const p = { maskUnknownReason };
  const format = formatOf(granule, pa52);
  const maskBit = ipaBits === null ? null : ipaBits - 1;
  const details: TypeDetail[] = [
    {
      name: 'IPA width',
      value:
        ipaBits === null
          ? `unknown: ${p.maskUnknownReason ?? DEFAULT_MASK_UNKNOWN_REASON}`
          : `${ipaBits} bits`,
    },
    { name: 'entry format', value: format.title },
  ];
  let formats: EntryFormatSpec[] | undefined;
  if (maskBit !== null) {
    formats = formatsFor(maskBit, format);
    const entryBit = formats[0]?.entryBit ?? maskBit;
    details.push({
      name: 'shared bit',
      value:
        entryBit === maskBit
          ? `IPA bit ${maskBit}, in place in the entry`
          : `IPA bit ${maskBit}, at descriptor bit ${entryBit} in this format`,
    });
  }
  return createType({
    id: ARM_CCA_ID,
    variant: null,
    title: ARM_CCA_TITLE,
    attributes: ARM_CCA_ATTRIBUTES,
    encryptedWhen: 'clear',
    maskBit,
    maskUnknownReason: p.maskUnknownReason ?? DEFAULT_MASK_UNKNOWN_REASON,
    ...(formats && { formats }),
    maskName: 'shared bit',
    quirks: ARM_CCA_QUIRKS,
    cvm: 'cca',
    tee: 'cca',
    details,
  });
}
