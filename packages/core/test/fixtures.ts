// Test-only plugins: core must prove its registry and detection flow without any real backend.
import {
  absent,
  type BackendPlugin,
  type CocoType,
  cannotTell,
  createType,
  type Evidence,
  EvidenceBuilder,
  type FactKind,
  type HypervisorPlugin,
  isCocoError,
  type JsonValue,
  PLUGIN_INTERFACE_VERSION,
  type Sourced,
  type TypeParams,
} from '@coco/core';

const hex = (n: number | bigint) => `0x${n.toString(16)}`;
const HEX_KEY = /^0x[0-9a-f]{1,8}$/;

/**
 * A made-up register file (`toy.reg`), keyed `0xINDEX`, 64-bit values as hex strings: the kind of
 * fact a third party's plugin declares. Format 1 held it under the `reg` key (`{"0x1234": "0x33"}`).
 */
export const TOY_REG: FactKind<bigint> = {
  id: 'toy.reg',
  title: 'toy registers',
  decode(json: JsonValue, key: string) {
    if (!HEX_KEY.test(key)) throw new Error(`key ${key} is not 0xINDEX`);
    if (typeof json !== 'string' || !/^0x[0-9a-f]{1,16}$/i.test(json))
      throw new Error('not a 64-bit hex string');
    return BigInt(json);
  },
  encode: (value: bigint) => hex(value),
  describeKey: (key: string) => `reg ${key}`,
  legacy: {
    key: 'reg',
    *read(json: JsonValue) {
      if (json === null || typeof json !== 'object' || Array.isArray(json))
        throw new Error('expected an object');
      for (const [key, value] of Object.entries(json)) yield [key, BigInt(value as string)] as const;
    },
    write: (facts: ReadonlyMap<string, bigint>) =>
      Object.fromEntries([...facts].map(([k, v]) => [k, hex(v)])),
  },
};

/** A made-up leaf table (`toy.leaf`), keyed `0xLEAF`, each `{a, b}` as numbers. */
export const TOY_LEAF: FactKind<{ readonly a: number; readonly b: number }> = {
  id: 'toy.leaf',
  title: 'toy leaves',
  decode(json: JsonValue, key: string) {
    if (!HEX_KEY.test(key)) throw new Error(`key ${key} is not 0xLEAF`);
    const r = json as { a?: unknown; b?: unknown } | null;
    if (r === null || typeof r !== 'object' || !Number.isInteger(r.a) || !Number.isInteger(r.b))
      throw new Error('expected {a, b}');
    return { a: r.a as number, b: r.b as number };
  },
  encode: (v) => ({ a: v.a, b: v.b }),
  differences: (x, y) =>
    (['a', 'b'] as const).filter((k) => x[k] !== y[k]).map((k) => ({ part: k, a: hex(x[k]), b: hex(y[k]) })),
};

/** The toy facts, as the toy plugins declare them. */
export const TOY_FACTS: readonly FactKind[] = [TOY_REG, TOY_LEAF] as FactKind[];

/** A toy register from the evidence. */
export const toyReg = (evidence: Evidence, index: number): Sourced<bigint> | undefined =>
  evidence.fact(TOY_REG, hex(index));
/** A toy leaf from the evidence. */
export const toyLeaf = (evidence: Evidence, leaf: number) => evidence.fact(TOY_LEAF, hex(leaf));

/** A builder with the toy facts as methods. */
export class ToyEvidenceBuilder extends EvidenceBuilder {
  addReg(index: number, value: bigint, source: string): this {
    return this.addFact(TOY_REG, hex(index), value, source);
  }
  addLeaf(leaf: number, a: number, b: number, source: string): this {
    return this.addFact(TOY_LEAF, hex(leaf), { a, b }, source);
  }
}

/** `0xINDEX=0xVALUE` as toy-register evidence. */
export function toyRegEvidence(text: string, source: string): Evidence {
  const [index, value] = text.split('=') as [string, string];
  return new ToyEvidenceBuilder().addReg(Number(index), BigInt(value), source).build();
}

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
  params: {
    maskBit: { type: 'integer', min: 0, max: 63, description: 'the toy bit' },
  },
  facts: TOY_FACTS,
  createType: toyType,
  detect(evidence: Evidence, context) {
    const reg = toyReg(evidence, 0x1234);
    if (!reg) {
      return evidence.kinds.has(TOY_REG.id)
        ? absent('toy registers were read and 0x1234 is not among them')
        : cannotTell('no toy register was read', 'pass the toy register 0x1234');
    }
    context.step(TOY_REG.id, `toy register 0x1234 = 0x${reg.value.toString(16)}`, 'reg 0x1234');
    return { type: toyType({ maskBit: Number(reg.value) }) };
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
    if (!toyLeaf(evidence, 0x77)) return null;
    context.step(TOY_LEAF.id, 'leaf 0x77 present', 'leaf 0x77');
    return { type: otherBackend.createType({}) };
  },
};

/** A made-up hypervisor: toy leaf 0x40000000 with b = 0x12345678 composes toy with bit 40 and a paravisor. */
export const toyHypervisor: HypervisorPlugin = {
  kind: 'hypervisor',
  interfaceVersion: PLUGIN_INTERFACE_VERSION,
  id: 'toyhv',
  packageName: 'toy-hv',
  facts: TOY_FACTS,
  detect(evidence, context) {
    const leaf = toyLeaf(evidence, 0x4000_0000)?.value;
    if (leaf?.b !== 0x12345678) return null;
    context.step(TOY_LEAF.id, 'toy hypervisor signature', 'leaf 0x40000000');
    const backend = context.backend('toy', 'toy-backend');
    return { type: backend.createType({ maskBit: 40 }), paravisor: true };
  },
};

/**
 * What `run` throws, as the fields a typed error carries; throws when `run` accepts its input or
 * throws anything but a coco error. Compare with `toMatchObject` to check some of the fields.
 */
export function refusal(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (!isCocoError(error)) throw error;
    return {
      code: error.code,
      input: error.input,
      location: error.location,
      problem: error.problem,
      fix: error.fix,
    };
  }
  throw new Error('accepted');
}
