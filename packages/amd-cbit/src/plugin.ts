import { type BackendPlugin, defineBackend, PLUGIN_INTERFACE_VERSION, type TypeParams } from '@coco/core';
import { X86_CVM_PROCEDURE, X86_LOG_PATTERNS, X86_MACHINE_READER } from '@coco/x86';
import { amdCbitAttributes } from './attributes.js';
import { detectAmdCbit } from './detect.js';
import { AMD_CBIT_ID, type AmdCbitParams, createAmdCbitType } from './type.js';
import { AMD_CBIT_VARIANTS, VARIANT_INFO } from './variants.js';

const SNP_CONDITIONAL = Object.freeze([
  Object.freeze({ attribute: 'guest-snp-secure-tsc' as const, when: 'SEV status bit 11 (SecureTSC) is set' }),
  Object.freeze({ attribute: 'snp-secure-avic' as const, when: 'SEV status bit 18 (SecureAVIC) is set' }),
]);

/**
 * The amd-cbit backend: AMD machines whose pages are encrypted when the C-bit is set, as an SME
 * host or a SEV, SEV-ES or SEV-SNP guest. Register it with `use(amdCbitBackend)`.
 */
export const amdCbitBackend: BackendPlugin = defineBackend({
  kind: 'backend',
  interfaceVersion: PLUGIN_INTERFACE_VERSION,
  id: AMD_CBIT_ID,
  packageName: '@coco/amd-cbit',
  variants: Object.freeze(
    AMD_CBIT_VARIANTS.map((variant) => {
      const info = VARIANT_INFO[variant];
      return Object.freeze({
        variant,
        title: info.title,
        attributes: Object.freeze(amdCbitAttributes(info.status)),
        ...(variant === 'sev-snp' ? { conditional: SNP_CONDITIONAL } : {}),
        cvm: info.cvm,
      });
    }),
  ),
  createType: (params: TypeParams) => createAmdCbitType(params as AmdCbitParams),
  detect: detectAmdCbit,
  cvm: X86_CVM_PROCEDURE,
  logPatterns: X86_LOG_PATTERNS,
  machine: X86_MACHINE_READER,
});
