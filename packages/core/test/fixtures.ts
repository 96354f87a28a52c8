// Test-only plugins: core must prove its registry and detection flow without any real backend.
import {
  absent,
  type BackendPlugin,
  type CocoType,
  cannotTell,
  createType,
  type Evidence,
  type HypervisorPlugin,
  PLUGIN_INTERFACE_VERSION,
  type TypeParams,
} from '@coco/core';

/** A made-up "toy" guest type: bit given by params, detected from a made-up MSR 0x1234. */
export function toyType(params: TypeParams = {}, id = 'toy'): CocoType {
  const maskBit = typeof params.maskBit === 'number' ? params.maskBit : null;
  return createType({
    id,
    title: 'Toy CVM',
    attributes: ['mem-encrypt', 'guest-mem-encrypt'],
    encryptedWhen: 'set',
    maskBit,
    maskUnknownReason: 'the toy register was not read',
    maskName: 'toy bit',
    cvm: 'toy',
  });
}

export const toyBackend: BackendPlugin = {
  kind: 'backend',
  interfaceVersion: PLUGIN_INTERFACE_VERSION,
  id: 'toy',
  packageName: 'toy-backend',
  variants: [
    { variant: null, title: 'Toy CVM', attributes: ['guest-mem-encrypt', 'mem-encrypt'], cvm: 'toy' },
  ],
  createType: toyType,
  detect(evidence: Evidence, context) {
    const msr = evidence.msr(0x1234);
    if (!msr) {
      return evidence.kinds.has('msr')
        ? absent('MSRs were read and 0x1234 is not among them')
        : cannotTell('no MSR was read', 'pass the toy register with --msr 0x1234=VALUE');
    }
    context.step('msr', `toy register 0x1234 = 0x${msr.value.toString(16)}`);
    return { type: toyType({ maskBit: Number(msr.value) }) };
  },
};

/** A second made-up type, detected from CPUID leaf 0x77. */
export const otherBackend: BackendPlugin = {
  ...toyBackend,
  id: 'other',
  packageName: 'other-backend',
  createType: () =>
    createType({
      id: 'other',
      title: 'Other CVM',
      attributes: ['mem-encrypt'],
      encryptedWhen: 'clear',
      maskBit: 47,
      maskName: 'other bit',
      cvm: 'other',
    }),
  detect(evidence, context) {
    if (!evidence.cpuid(0x77)) return null;
    context.step('cpuid', 'leaf 0x77 present');
    return { type: otherBackend.createType({}) };
  },
};

/** A made-up hypervisor: CPUID 0x40000000 EBX = 0x12345678 composes toy with bit 40 and a paravisor. */
export const toyHypervisor: HypervisorPlugin = {
  kind: 'hypervisor',
  interfaceVersion: PLUGIN_INTERFACE_VERSION,
  id: 'toyhv',
  packageName: 'toy-hv',
  detect(evidence, context) {
    const leaf = evidence.cpuid(0x4000_0000);
    if (leaf?.ebx !== 0x12345678) return null;
    context.step('cpuid', 'toy hypervisor signature');
    const backend = context.backend('toy', 'toy-backend');
    return { type: backend.createType({ maskBit: 40 }), paravisor: true };
  },
};
