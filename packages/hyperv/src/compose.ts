import {
  type BackendPlugin,
  type CocoType,
  CVM_NONE,
  deriveType,
  type HypervisorClaim,
  type HypervisorContext,
} from '@coco/core';
import { X86_PA_BIT_MAX, X86_PA_BIT_MIN, type X86ComposedParams } from '@coco/x86';
import {
  describeIsolation,
  type IsolationConfig,
  type IsolationType,
  isolationTypeName,
} from './isolation.js';
import { HYPERV_VTOM_QUIRKS } from './quirks.js';

/**
 * What `systemd-detect-virt --cvm` prints for a Hyper-V guest under the vTOM scheme: it never reads
 * the paravisor bit and falls back to the isolation type, 2 -> sev-snp, 3 -> tdx; a VBS guest is
 * none (src/basic/confidential-virt.c, `detect_hyperv_cvm`).
 */
const VTOM_CVM: Readonly<Record<string, string>> = { vbs: CVM_NONE, snp: 'sev-snp', tdx: 'tdx' };

/**
 * The types composed from each backend type, by what else they depend on: types are immutable and a
 * backend hands out one type per set of parameters, so a fleet of alike guests shares one composed
 * type instead of deriving it again for every machine.
 */
const composedTypes = new WeakMap<CocoType, Map<string, CocoType>>();

function composed(base: CocoType, key: string, derive: () => CocoType): CocoType {
  let byKey = composedTypes.get(base);
  if (!byKey) {
    byKey = new Map();
    composedTypes.set(base, byKey);
  }
  let type = byKey.get(key);
  if (type === undefined) {
    type = derive();
    // At most a few hundred per base type (the isolation configurations seen).
    if (byKey.size >= 256) byKey.clear();
    byKey.set(key, type);
  }
  return type;
}

/**
 * Chooses and parameterises the backend type for a decoded isolation configuration, as Linux does;
 * `source` is the evidence kind the configuration came from (`cpuid` or `kernel-log`).
 *
 * - VBS, or any type with a paravisor: `hv_vtom_init` uses the shared-GPA boundary as the mask
 *   (arch/x86/hyperv/ivm.c, v6.18). VBS and SNP become an AMD vTOM guest (SEV status forced to
 *   exactly the vTOM bit); TDX stays a TDX guest whose shared bit is the boundary. Hyper-V's quirks
 *   go on top. A boundary that is not active (or out of range) leaves the mask unknown, with a warning.
 * - SNP or TDX without a paravisor: an ordinary amd-cbit or tdx guest from its own evidence. When
 *   that backend finds none, the type is still built, its mask unknown, with a warning.
 *
 * A backend that is not registered ends detection with `BACKEND_MISSING` naming its package.
 */
export function composeHypervType(
  config: IsolationConfig,
  type: Exclude<IsolationType, 'none'>,
  context: HypervisorContext,
  source: string,
  fact = 'cpuid 0x4000000c/0x0',
): HypervisorClaim {
  const name = isolationTypeName(config);
  const vtom = type === 'vbs' || config.paravisor;
  const id = type === 'tdx' ? 'tdx' : vtom ? 'amd-vtom' : 'amd-cbit';
  // Each backend comes from the @coco package of the same name.
  const pkg = `@coco/${id}`;
  // Typed composition: each backend's parameters extend X86ComposedParams (amd-cbit's add the variant).
  const backend = () =>
    context.backend<BackendPlugin<X86ComposedParams & { readonly variant?: 'sev-snp' }>>(id, pkg);
  const details = { name: 'Hyper-V isolation', value: describeIsolation(config) };
  let base: CocoType;
  if (vtom) {
    const bit = config.boundaryBits;
    const unknown = !config.boundaryActive
      ? 'the Hyper-V boundary is not active'
      : bit < X86_PA_BIT_MIN || bit > X86_PA_BIT_MAX
        ? `the Hyper-V boundary bit ${bit} is out of range`
        : '';
    if (unknown) context.warn(`${unknown}: vTOM mask unknown`);
    base = backend().createType(unknown ? { maskUnknownReason: unknown } : { maskBit: bit });
    const paravisor = config.paravisor ? ' with paravisor' : '';
    const from = base;
    base = composed(from, `vtom|${type}|${config.paravisor}|${name}|${details.value}`, () =>
      deriveType(from, {
        cvm: VTOM_CVM[type]!,
        // Confidential Containers' Azure attesters read the paravisor's vTPM report (HCL report type
        // 2 SNP, 4 TDX); a VBS guest has none.
        tee: config.paravisor && type !== 'vbs' ? `az-${type}-vtpm` : null,
        title: `${from.title} under Hyper-V ${name}${paravisor}`,
        quirks: HYPERV_VTOM_QUIRKS,
        details: [...from.details, details],
      }),
    );
    context.step(source, `vTOM scheme: ${id}, mask bit ${base.marking?.maskBit ?? 'unknown'}`, fact);
    return { type: base, paravisor: config.paravisor };
  }
  const said = context.ask(id, pkg);
  if (said && Object.hasOwn(said, 'verdict') && 'verdict' in said && said.verdict === 'absent') {
    // The guest runs the kernel's own SNP or TDX path, which needs what the backend found missing.
    context.conflict(`a Hyper-V ${name} guest without a paravisor`, [
      { says: `${name} isolation, no paravisor`, source: 'Hyper-V isolation config' },
      { says: `not a ${name} guest: ${said.because}`, source: pkg },
    ]);
    return { type: backend().createType(type === 'snp' ? { variant: 'sev-snp' } : {}), paravisor: false };
  }
  const claim = said && Object.hasOwn(said, 'type') && 'type' in said && said.type ? said : null;
  if (claim) {
    base = claim.type;
    if (type === 'snp' && base.variant !== 'sev-snp') {
      context.conflict('the AMD variant', [
        { says: 'sev-snp', source: 'Hyper-V isolation config' },
        { says: `${base.variant}`, source: id },
      ]);
    }
  } else {
    const reason = `${pkg} found no ${name} evidence of its own`;
    context.warn(reason);
    base = backend().createType({
      ...(type === 'snp' ? { variant: 'sev-snp' } : {}),
      maskUnknownReason: reason,
    });
  }
  context.step(source, `no paravisor: an ordinary ${id} guest`, fact);
  const from = base;
  return {
    type: composed(from, `details|${details.value}`, () =>
      deriveType(from, { details: [...from.details, details] }),
    ),
    paravisor: false,
  };
}
