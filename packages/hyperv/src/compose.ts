import {
  type CocoType,
  CVM_NONE,
  deriveType,
  type HypervisorClaim,
  type HypervisorContext,
  MASK_BIT_MAX,
  MASK_BIT_MIN,
  type TypeDetail,
} from '@coco/core';
import {
  describeIsolation,
  formatIsolationGroups,
  ISOLATION_TYPE_NAMES,
  type IsolationConfig,
  type IsolationType,
} from './isolation.js';
import { HYPERV_VTOM_QUIRKS } from './quirks.js';

/** A backend Hyper-V composes, by registry id, with the package that provides it. */
interface BackendRef {
  readonly id: string;
  readonly packageName: string;
}

const AMD_VTOM: BackendRef = { id: 'amd-vtom', packageName: '@coco/amd-vtom' };
const AMD_CBIT: BackendRef = { id: 'amd-cbit', packageName: '@coco/amd-cbit' };
const TDX: BackendRef = { id: 'tdx', packageName: '@coco/tdx' };

/**
 * What `systemd-detect-virt --cvm` prints for a Hyper-V guest under the vTOM scheme: it never reads
 * the paravisor bit and falls back to the isolation type, 2 -> sev-snp, 3 -> tdx; a VBS guest is
 * none (src/basic/confidential-virt.c, `detect_hyperv_cvm`).
 */
const VTOM_CVM: Readonly<Record<Exclude<IsolationType, 'none'>, string>> = {
  vbs: CVM_NONE,
  snp: 'sev-snp',
  tdx: 'tdx',
};

function details(config: IsolationConfig): TypeDetail[] {
  return [
    { name: 'Hyper-V isolation', value: describeIsolation(config) },
    { name: 'Hyper-V isolation config', value: formatIsolationGroups(config) },
  ];
}

/** The mask parameter of the vTOM scheme: the boundary bit, or why it is unknown. */
function boundaryParams(
  config: IsolationConfig,
  context: HypervisorContext,
): { maskBit: number } | { maskUnknownReason: string } {
  const bit = config.boundaryBits;
  const reason = !config.boundaryActive
    ? 'the Hyper-V boundary is not active'
    : bit < MASK_BIT_MIN || bit > MASK_BIT_MAX
      ? `the Hyper-V boundary bit ${bit} is out of range`
      : null;
  if (reason === null) return { maskBit: bit };
  context.warn(`${reason}: vTOM mask unknown`);
  return { maskUnknownReason: reason };
}

/**
 * VBS, or any type with a paravisor: the kernel's `hv_vtom_init` uses the shared-GPA boundary as
 * the mask. VBS and SNP become an AMD vTOM guest (SEV status forced to exactly the vTOM bit); TDX
 * stays a TDX guest whose shared bit is the boundary (arch/x86/hyperv/ivm.c, v6.18).
 */
function composeVtom(
  config: IsolationConfig,
  type: Exclude<IsolationType, 'none'>,
  context: HypervisorContext,
  source: string,
): HypervisorClaim {
  const ref = type === 'tdx' ? TDX : AMD_VTOM;
  const backend = context.backend(ref.id, ref.packageName);
  const base = backend.createType(boundaryParams(config, context));
  const name = ISOLATION_TYPE_NAMES[type];
  const derived = deriveType(base, {
    cvm: VTOM_CVM[type],
    title:
      type === 'vbs'
        ? `Hyper-V VBS${config.paravisor ? ' with paravisor' : ''} (vTOM scheme)`
        : `${base.title} (Hyper-V ${name}${config.paravisor ? ' with paravisor' : ''})`,
    quirks: HYPERV_VTOM_QUIRKS,
    details: [...base.details, ...details(config)],
  });
  context.step(source, `vTOM scheme: ${ref.id}, mask bit ${derived.marking?.maskBit ?? 'unknown'}`);
  return { type: derived, paravisor: config.paravisor };
}

/**
 * SNP or TDX without a paravisor ("fully enlightened"): an ordinary guest of that backend, from its
 * own evidence. When the backend finds none, the type Hyper-V names is still built, with its mask
 * unknown and a warning: coco does not guess the bit.
 */
function composeEnlightened(
  config: IsolationConfig,
  type: 'snp' | 'tdx',
  context: HypervisorContext,
  source: string,
): HypervisorClaim {
  const ref = type === 'tdx' ? TDX : AMD_CBIT;
  const name = ISOLATION_TYPE_NAMES[type];
  const claim = context.detectWith(ref.id, ref.packageName);
  let base: CocoType;
  if (claim) {
    base = claim.type;
    if (type === 'snp' && base.variant !== 'sev-snp') {
      context.conflict('the AMD variant', [
        { says: 'sev-snp', source: 'Hyper-V isolation config' },
        { says: `${base.variant}`, source: ref.id },
      ]);
    }
  } else {
    const reason = `${ref.packageName} found no ${name} evidence of its own`;
    context.warn(reason);
    base = context
      .backend(ref.id, ref.packageName)
      .createType(
        type === 'snp' ? { variant: 'sev-snp', maskUnknownReason: reason } : { maskUnknownReason: reason },
      );
  }
  context.step(source, `no paravisor: an ordinary ${ref.id} guest`);
  return {
    type: deriveType(base, { details: [...base.details, ...details(config)] }),
    paravisor: false,
  };
}

/**
 * Chooses and parameterises the backend type for a decoded isolation configuration, as Linux does;
 * `source` is the evidence kind the configuration came from (`cpuid` or `kernel-log`).
 */
export function composeHypervType(
  config: IsolationConfig,
  type: Exclude<IsolationType, 'none'>,
  context: HypervisorContext,
  source: string,
): HypervisorClaim {
  if (type === 'vbs' || config.paravisor) return composeVtom(config, type, context, source);
  return composeEnlightened(config, type, context, source);
}
