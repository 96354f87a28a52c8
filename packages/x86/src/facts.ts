import {
  CocoError,
  CocoRangeError,
  describeValue,
  type Evidence,
  EvidenceBuilder,
  type FactKind,
  type JsonValue,
  parseHex,
  parseHex32,
  type Sourced,
} from '@coco/core';

/** The four registers one CPUID leaf/subleaf returns, as unsigned 32-bit numbers. */
export interface CpuidRegisters {
  readonly eax: number;
  readonly ebx: number;
  readonly ecx: number;
  readonly edx: number;
}

/** One CPUID leaf/subleaf with its registers and source. */
export interface CpuidRecord extends CpuidRegisters {
  readonly leaf: number;
  readonly subleaf: number;
  readonly source: string;
}

/** One CPUID entry of a `coco-snapshot/1` document (the `cpuid` key). */
export interface SnapshotCpuidJson {
  readonly leaf: string;
  readonly subleaf: string;
  readonly eax: string;
  readonly ebx: string;
  readonly ecx: string;
  readonly edx: string;
}

const REGISTERS = ['eax', 'ebx', 'ecx', 'edx'] as const;
/** The keys of a CPUID entry of format 1. */
const LEGACY_CPUID_KEYS: readonly string[] = ['leaf', 'subleaf', ...REGISTERS];
const hex = (value: number | bigint) => `0x${value.toString(16)}`;
const U32_MAX = 0xffff_ffff;
const CPUID_KEY = /^(0x[0-9a-f]{1,8})\/(0x[0-9a-f]{1,8})$/;
const MSR_KEY = /^0x[0-9a-f]{1,8}$/;

// The keys of the leaves plugins ask for (subleaf 0), each spelled once: detection asks for a
// dozen of them per machine.
const LEAF_KEYS = new Map<number, string>();

/** The key of a CPUID fact: `0x8000001f/0x0`. */
export function cpuidKey(leaf: number, subleaf = 0): string {
  if (subleaf !== 0) return `${hex(leaf)}/${hex(subleaf)}`;
  let key = LEAF_KEYS.get(leaf);
  if (key === undefined) {
    key = `${hex(leaf)}/0x0`;
    if (LEAF_KEYS.size < 1024) LEAF_KEYS.set(leaf, key);
  }
  return key;
}

function fail(problem: string): never {
  throw new Error(problem);
}

function u32(value: JsonValue, what: string): number {
  if (typeof value !== 'string') fail(`${what} ${describeValue(value)} is not a hex string`);
  return Number(parseHex32(value, { input: 'x86.cpuid', location: what, code: 'EVIDENCE_INVALID' }));
}

/**
 * CPUID leaves (`x86.cpuid`), keyed `0xLEAF/0xSUBLEAF`, each `{eax, ebx, ecx, edx}` as hex
 * strings in snapshots. Format 1 held them as the `cpuid` array.
 */
export const CPUID_FACT: FactKind<CpuidRegisters> = Object.freeze({
  id: 'x86.cpuid',
  title: 'CPUID leaves',
  decode(json: JsonValue, key: string): CpuidRegisters {
    if (!CPUID_KEY.test(key)) fail(`key ${describeValue(key)} is not 0xLEAF/0xSUBLEAF in lower-case hex`);
    if (json === null || typeof json !== 'object' || Array.isArray(json))
      fail('expected {eax, ebx, ecx, edx}');
    const record = json as Record<string, JsonValue>;
    for (const k of Object.keys(record))
      if (!(REGISTERS as readonly string[]).includes(k)) fail(`unknown key ${JSON.stringify(k)}`);
    const out: Record<string, number> = {};
    for (const reg of REGISTERS) {
      if (!Object.hasOwn(record, reg)) fail(`missing ${reg}`);
      out[reg] = u32(record[reg] as JsonValue, reg);
    }
    return Object.freeze(out as unknown as CpuidRegisters);
  },
  encode: (r: CpuidRegisters): JsonValue => ({
    eax: hex(r.eax),
    ebx: hex(r.ebx),
    ecx: hex(r.ecx),
    edx: hex(r.edx),
  }),
  describeKey: (key: string) => `cpuid ${key}`,
  differences: (a: CpuidRegisters, b: CpuidRegisters) =>
    REGISTERS.filter((reg) => a[reg] !== b[reg]).map((reg) => ({
      part: reg,
      a: hex(a[reg]),
      b: hex(b[reg]),
    })),
  legacy: {
    key: 'cpuid',
    *read(json: JsonValue): Iterable<readonly [string, CpuidRegisters]> {
      if (!Array.isArray(json))
        throw snapshotError('$.cpuid', `expected an array, found ${describeValue(json)}`);
      for (let i = 0; i < json.length; i++) {
        const path = `$.cpuid[${i}]`;
        const e = json[i];
        if (e === null || typeof e !== 'object' || Array.isArray(e))
          throw snapshotError(path, `expected an object, found ${describeValue(e)}`);
        const entry = e as Record<string, JsonValue>;
        for (const k of Object.keys(entry))
          if (!LEGACY_CPUID_KEYS.includes(k))
            throw snapshotError(
              `${path}.${k}`,
              `unknown key ${JSON.stringify(k)}`,
              'use only leaf, subleaf, eax, ebx, ecx, edx',
            );
        const reg = (k: string) => {
          if (!Object.hasOwn(entry, k))
            throw snapshotError(`${path}.${k}`, `missing ${k}`, `give ${k} as a hex string`);
          return Number(
            parseHex32(entry[k], { input: 'snapshot', location: `${path}.${k}`, code: 'SNAPSHOT_INVALID' }),
          );
        };
        yield [
          cpuidKey(reg('leaf'), reg('subleaf')),
          Object.freeze({ eax: reg('eax'), ebx: reg('ebx'), ecx: reg('ecx'), edx: reg('edx') }),
        ];
      }
    },
    write(facts: ReadonlyMap<string, CpuidRegisters>): JsonValue {
      return [...facts].map(([key, r]) => {
        const [, leaf, subleaf] = CPUID_KEY.exec(key) as RegExpExecArray;
        return {
          leaf: leaf as string,
          subleaf: subleaf as string,
          ...(CPUID_FACT.encode(r) as Record<string, string>),
        };
      });
    },
  },
});

function snapshotError(location: string, problem: string, fix = 'see the coco-snapshot/1 format'): CocoError {
  return new CocoError('SNAPSHOT_INVALID', problem, { input: 'snapshot', location, fix });
}

/**
 * Model-specific registers (`x86.msr`), keyed `0xINDEX`, each a 64-bit value as a hex string in
 * snapshots. Format 1 held them as the `msr` object.
 */
export const MSR_FACT: FactKind<bigint> = Object.freeze({
  id: 'x86.msr',
  title: 'model-specific registers',
  decode(json: JsonValue, key: string): bigint {
    if (!MSR_KEY.test(key)) fail(`key ${describeValue(key)} is not an MSR index in lower-case hex`);
    if (typeof json !== 'string') fail(`${describeValue(json)} is not a hex string`);
    return parseHex(json, 64, { input: 'x86.msr', location: key, code: 'EVIDENCE_INVALID' });
  },
  encode: (value: bigint): JsonValue => hex(value),
  describeKey: (key: string) => `msr ${key}`,
  legacy: {
    key: 'msr',
    *read(json: JsonValue): Iterable<readonly [string, bigint]> {
      if (json === null || typeof json !== 'object' || Array.isArray(json))
        throw snapshotError('$.msr', `expected an object, found ${describeValue(json)}`);
      const record = json as Record<string, JsonValue>;
      for (const key of Object.keys(record)) {
        const path = `$.msr[${JSON.stringify(key)}]`;
        const index = parseHex(key, 32, {
          input: 'snapshot',
          location: `${path} (the MSR index)`,
          code: 'SNAPSHOT_INVALID',
        });
        const value = parseHex(record[key], 64, {
          input: 'snapshot',
          location: path,
          code: 'SNAPSHOT_INVALID',
        });
        yield [hex(index), value];
      }
    },
    write(facts: ReadonlyMap<string, bigint>): JsonValue {
      const out: Record<string, string> = {};
      for (const [key, value] of facts)
        Object.defineProperty(out, key, { value: hex(value), enumerable: true });
      return out;
    },
  },
});

/** The x86 fact kinds, for a plugin's `facts`. */
export const X86_FACTS: readonly FactKind[] = Object.freeze([CPUID_FACT, MSR_FACT] as FactKind[]);

/** One CPUID leaf/subleaf from the evidence, with its source; `undefined` when no source gave it. */
export function cpuidOf(evidence: Evidence, leaf: number, subleaf = 0): CpuidRecord | undefined {
  const fact = evidence.fact(CPUID_FACT, cpuidKey(leaf, subleaf));
  return fact && { leaf, subleaf, ...fact.value, source: fact.source };
}

/** Whether the evidence holds a CPUID leaf (each decoded, as {@link cpuidRecordsOf} reads them). */
export function hasCpuid(evidence: Evidence): boolean {
  return evidence.facts(CPUID_FACT).size > 0;
}

/** Whether the evidence holds an MSR (each decoded, as {@link msrsOf} reads them). */
export function hasMsr(evidence: Evidence): boolean {
  return evidence.facts(MSR_FACT).size > 0;
}

/** Every CPUID leaf in the evidence, by leaf then subleaf. */
export function cpuidRecordsOf(evidence: Evidence): CpuidRecord[] {
  const out: CpuidRecord[] = [];
  for (const [key, fact] of evidence.facts(CPUID_FACT)) {
    const [, leaf, subleaf] = CPUID_KEY.exec(key) as RegExpExecArray;
    out.push({ leaf: Number(leaf), subleaf: Number(subleaf), ...fact.value, source: fact.source });
  }
  return out.sort((a, b) => a.leaf - b.leaf || a.subleaf - b.subleaf);
}

/** One MSR from the evidence, with its source. */
export function msrOf(evidence: Evidence, index: number): Sourced<bigint> | undefined {
  return evidence.fact(MSR_FACT, hex(index));
}

/** Every MSR in the evidence, by index. */
export function msrsOf(evidence: Evidence): ReadonlyMap<number, Sourced<bigint>> {
  return new Map([...evidence.facts(MSR_FACT)].map(([key, v]) => [Number(key), v]));
}

function checkRange(value: unknown, max: number | bigint, what: string, source: string): void {
  const ok = typeof max === 'bigint' ? typeof value === 'bigint' : Number.isInteger(value);
  if (!ok || (value as number) < 0 || (value as number) > max) {
    throw new CocoRangeError(`${what} ${describeValue(value)} is out of range`, {
      input: source,
      fix: `use a value from 0 to ${hex(max)}`,
    });
  }
}

/** Adds a CPUID leaf to a builder (range-checked): `addCpuid(builder, 0x8000001f, 0, regs, 'probe')`. */
export function addCpuid(
  builder: EvidenceBuilder,
  leaf: number,
  subleaf: number,
  registers: CpuidRegisters,
  source: string,
): EvidenceBuilder {
  checkRange(leaf, U32_MAX, 'CPUID leaf', source);
  checkRange(subleaf, U32_MAX, 'CPUID subleaf', source);
  for (const reg of REGISTERS) checkRange(registers[reg], U32_MAX, reg, source);
  const { eax, ebx, ecx, edx } = registers;
  return builder.addFact(CPUID_FACT, cpuidKey(leaf, subleaf), { eax, ebx, ecx, edx }, source);
}

/** Adds an MSR to a builder (range-checked). */
export function addMsr(
  builder: EvidenceBuilder,
  index: number,
  value: bigint,
  source: string,
): EvidenceBuilder {
  checkRange(index, U32_MAX, 'MSR index', source);
  checkRange(value, 2n ** 64n - 1n, `MSR ${hex(index)} value`, source);
  return builder.addFact(MSR_FACT, hex(index), value, source);
}

/**
 * An {@link EvidenceBuilder} with x86's facts as methods, for code and tests that build x86
 * evidence by hand: `new X86EvidenceBuilder().addCpuid(0, 0, regs, 'test').addMsr(...)`.
 */
export class X86EvidenceBuilder extends EvidenceBuilder {
  addCpuid(leaf: number, subleaf: number, registers: CpuidRegisters, source: string): this {
    addCpuid(this, leaf, subleaf, registers, source);
    return this;
  }
  addMsr(index: number, value: bigint, source: string): this {
    addMsr(this, index, value, source);
    return this;
  }
}
