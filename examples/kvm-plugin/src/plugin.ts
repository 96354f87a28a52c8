import type { BackendClaim, HypervisorClaim, HypervisorContext } from '@coco/core';
// Plugin interface 1's evidence (x86 only, CPUID as a method): this plugin was written against
// interface 1 and is kept so, to prove such plugins still load (through @coco/x86's adapter).
import type { CpuidRecord, Interface1Evidence as Evidence } from '@coco/x86';

/** KVM's hypervisor leaf (Documentation/virt/kvm/x86/cpuid.rst). */
export const KVM_CPUID_SIGNATURE = 0x4000_0000;

/** What KVM returns in EBX, ECX, EDX of CPUID 0x40000000. */
export const KVM_SIGNATURE = 'KVMKVMKVM\0\0\0';

/** The backends a confidential KVM guest can need, by registry id, with the package to install. */
export const KVM_BACKENDS: readonly { readonly id: string; readonly packageName: string }[] = [
  { id: 'amd-cbit', packageName: '@coco/amd-cbit' },
  { id: 'tdx', packageName: '@coco/tdx' },
];

function signatureOf(leaf: CpuidRecord): string {
  let text = '';
  for (const reg of [leaf.ebx, leaf.ecx, leaf.edx]) {
    for (let shift = 0; shift < 32; shift += 8) text += String.fromCharCode((reg >>> shift) & 0xff);
  }
  return text;
}

const printable = (text: string) => text.replace(/\0/g, '\\0');

function detectKvm(evidence: Evidence, context: HypervisorContext): HypervisorClaim | null {
  const leaf = evidence.cpuid(KVM_CPUID_SIGNATURE);
  if (!leaf) return null;
  const signature = signatureOf(leaf);
  if (signature !== KVM_SIGNATURE) return null;
  context.step('cpuid', `CPUID 0x40000000 reads "${printable(signature)}": a KVM guest`);

  // KVM has no isolation leaf: each confidential type shows itself through its own evidence, so
  // ask every backend that is installed and let none of them be required.
  const claims: { id: string; claim: BackendClaim }[] = [];
  for (const { id, packageName } of KVM_BACKENDS) {
    if (!context.hasBackend(id)) continue;
    const claim = context.detectWith(id, packageName);
    if (claim?.type.guest) claims.push({ id, claim });
  }
  if (claims.length > 1) {
    context.conflict(
      'the confidential type of a KVM guest',
      claims.map(({ id, claim }) => ({ says: claim.type.variant ?? claim.type.id, source: `backend ${id}` })),
    );
    return null;
  }
  const found = claims[0];
  if (!found) {
    if (!KVM_BACKENDS.some((b) => context.hasBackend(b.id))) {
      context.warn('install and register @coco/amd-cbit or @coco/tdx to recognise confidential KVM guests');
    }
    context.step('cpuid', 'no registered backend sees a confidential guest: a plain KVM guest');
    return null;
  }
  context.step('cpuid', `KVM composes ${found.id}: ${found.claim.type.describe()}`);
  // KVM runs no paravisor inside the guest's trust boundary: the guest is fully enlightened.
  return { type: found.claim.type, paravisor: false };
}

/**
 * A coco hypervisor plugin for KVM guests. Register it next to the backends: `use(kvmPlugin,
 * amdCbitBackend, tdxBackend)`. It recognises KVM from CPUID 0x40000000 and composes an AMD SEV,
 * SEV-ES or SEV-SNP guest (amd-cbit) or an Intel TDX guest (tdx) from their own evidence.
 */
export const kvmPlugin = Object.freeze({
  kind: 'hypervisor' as const,
  id: 'kvm',
  packageName: 'coco-plugin-kvm',
  // The interface version this code was written against, as a literal: importing
  // PLUGIN_INTERFACE_VERSION would claim whatever version the installed core has.
  interfaceVersion: 1,
  detect: detectKvm,
});
