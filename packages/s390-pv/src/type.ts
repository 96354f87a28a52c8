import {
  type AttributeId,
  type CocoType,
  checkParams,
  createType,
  createTypeCache,
  type ParamSchema,
  type ParamsOf,
} from '@coco/core';
import { S390_PV_QUIRKS, UVC_CMD_REMOVE_SHARED_ACCESS, UVC_CMD_SET_SHARED_ACCESS } from './quirks.js';

/** The type id this backend registers. */
export const S390_PV_ID = 's390-pv';

/** The type's human name. */
export const S390_PV_TITLE = 'IBM Secure Execution (s390x Protected Virtualization)';

/**
 * Exactly what `cc_platform_has` answers true for a Protected Virtualization guest: nothing. s390
 * does not select ARCH_HAS_CC_PLATFORM, so the kernel's stub answers false for every attribute
 * (arch/s390/Kconfig, include/linux/cc_platform.h, v6.18); DMA is unencrypted through
 * `force_dma_unencrypted()` instead (see the quirks).
 */
export const S390_PV_ATTRIBUTES: readonly AttributeId[] = Object.freeze([]);

/** How pages are shared without a page-table bit: one ultravisor call per page. */
export const S390_PV_MASK_NAME = `ultravisor calls UVC_CMD_SET_SHARED_ACCESS (0x${UVC_CMD_SET_SHARED_ACCESS.toString(16)}) and UVC_CMD_REMOVE_SHARED_ACCESS (0x${UVC_CMD_REMOVE_SHARED_ACCESS.toString(16)}), one per 4 KiB page`;

/** What `systemd-detect-virt --cvm` prints in a PV guest (systemd src/basic/confidential-virt.c). */
export const S390_PV_CVM = 'protvirt';

/** The Confidential Containers TEE name: their `se` attester (guest-components attester/src/se). */
export const S390_PV_TEE = 'se';

/** The type takes no parameters: a PV guest has no bit, boundary or variant to give. */
export const S390_PV_PARAMS = Object.freeze({}) satisfies ParamSchema;

/** Parameters of {@link createS390PvType}: none. */
export type S390PvParams = ParamsOf<typeof S390_PV_PARAMS>;

const cached = /* @__PURE__ */ createTypeCache(1);

/**
 * Builds the s390x Protected Virtualization type: no attributes, no page-table bit (`maskState`
 * `none`), pages shared by ultravisor calls, DMA forced unencrypted. Any parameter is refused with
 * `PARAMETER_INVALID`.
 *
 * @example
 * createS390PvType().describe();
 * // 'IBM Secure Execution (s390x Protected Virtualization), no page-table bit (pages are shared by ultravisor calls ...)'
 */
export function createS390PvType(params: S390PvParams = {}): CocoType {
  checkParams(S390_PV_PARAMS, params, `${S390_PV_ID} params`);
  // No parameters: one type, built once and shared by every machine (types are immutable).
  return cached('', () =>
    createType({
      id: S390_PV_ID,
      variant: null,
      title: S390_PV_TITLE,
      attributes: S390_PV_ATTRIBUTES,
      maskBit: 'none',
      maskName: S390_PV_MASK_NAME,
      quirks: S390_PV_QUIRKS,
      cvm: S390_PV_CVM,
      tee: S390_PV_TEE,
    }),
  );
}
