import {
  type AttributeId,
  type CocoType,
  checkParams,
  createType,
  createTypeCache,
  type ParamSchema,
  type ParamsOf,
} from '@coco/core';
import { PPC_PEF_QUIRKS, UV_SHARE_PAGE, UV_UNSHARE_PAGE } from './quirks.js';

/** The type id this backend registers. */
export const PPC_PEF_ID = 'ppc-pef';

/** The type's human name. */
export const PPC_PEF_TITLE = 'IBM POWER secure VM (Protected Execution Facility)';

/**
 * Exactly what `cc_platform_has` answers true for a secure VM: `CC_ATTR_MEM_ENCRYPT` only
 * (arch/powerpc/platforms/pseries/cc_platform.c, v6.18; since v5.16).
 */
export const PPC_PEF_ATTRIBUTES: readonly AttributeId[] = Object.freeze(['mem-encrypt']);

/** How pages are shared without a page-table bit: one ultracall per range. */
export const PPC_PEF_MASK_NAME = `ultracalls UV_SHARE_PAGE (0x${UV_SHARE_PAGE.toString(16).toUpperCase()}) and UV_UNSHARE_PAGE (0x${UV_UNSHARE_PAGE.toString(16).toUpperCase()}), one per range of pages`;

/** What `systemd-detect-virt --cvm` prints: `none`, for systemd has no detection on powerpc. */
export const PPC_PEF_CVM = 'none';

/** Why {@link PPC_PEF_CVM} is `none`, as `describe()` and the variant say it. */
export const PPC_PEF_CVM_NOTE =
  'systemd-detect-virt --cvm prints none: systemd has no confidential-VM detection on powerpc';

/** The type takes no parameters. */
export const PPC_PEF_PARAMS = Object.freeze({}) satisfies ParamSchema;

/** Parameters of {@link createPpcPefType}: none. */
export type PpcPefParams = ParamsOf<typeof PPC_PEF_PARAMS>;

const cached = /* @__PURE__ */ createTypeCache(1);

/**
 * Builds the POWER secure VM type: `mem-encrypt` only, no page-table bit (`maskState` `none`),
 * pages shared by ultracalls, DMA forced unencrypted, systemd label `none`, no Confidential
 * Containers TEE name. `describe()` says why systemd prints `none`. Any parameter is refused with
 * `PARAMETER_INVALID`.
 */
export function createPpcPefType(params: PpcPefParams = {}): CocoType {
  checkParams(PPC_PEF_PARAMS, params, `${PPC_PEF_ID} params`);
  // No parameters: one type, built once and shared by every machine (types are immutable).
  return cached('', () =>
    createType({
      id: PPC_PEF_ID,
      variant: null,
      title: PPC_PEF_TITLE,
      attributes: PPC_PEF_ATTRIBUTES,
      maskBit: 'none',
      maskName: PPC_PEF_MASK_NAME,
      quirks: PPC_PEF_QUIRKS,
      cvm: PPC_PEF_CVM,
      tee: null,
      // describe() says why the systemd label is `none`.
      note: PPC_PEF_CVM_NOTE,
    }),
  );
}
