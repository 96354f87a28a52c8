import type { AttributeId } from '../attributes.js';
import { isCocoError } from '../errors.js';
import { type Evidence, emptyEvidence } from '../evidence/model.js';
import type { EncryptedWhen } from '../marking.js';
import { checkParams } from '../params.js';
import {
  type BackendPlugin,
  PLUGIN_INTERFACE_VERSION,
  SUPPORTED_INTERFACE_VERSIONS,
  type TypeParams,
} from '../plugin.js';
import { createRegistry } from '../registry.js';
import type { CocoType } from '../type.js';

/** A page-table entry before marking and the two marked forms, computed by hand from the facts. */
export interface MarkingVector {
  readonly input: bigint;
  readonly encrypted: bigint;
  readonly decrypted: bigint;
}

/** A valid parameter set and the type it must give, written from the hardware facts (not the code). */
export interface ExpectedType {
  readonly name: string;
  readonly params: TypeParams;
  readonly variant: string | null;
  /** The address bit; `null` when the type has none or it is unknown (say which in `maskState`). */
  readonly maskBit: number | null;
  /** `known`, `unknown` or `none`; default `known` with a bit and `unknown` without. */
  readonly maskState?: 'known' | 'unknown' | 'none';
  /** Where each entry format stores the bit, by format id (for formats that move it). */
  readonly entryBits?: Readonly<Record<string, number>>;
  /** The polarity; `null` for a type without a bit. */
  readonly encryptedWhen: EncryptedWhen | null;
  readonly attributes: readonly AttributeId[];
  readonly cvm?: string;
  /** Vectors on the default entry format. */
  readonly vectors?: readonly MarkingVector[];
  /**
   * How pages change state: `page-table` (exactly one page-table change per direction) or `call`
   * (by a firmware or hypervisor call, no page-table change). Default: `page-table` with a bit.
   */
  readonly conversion?: 'page-table' | 'call';
}

/** Everything the conformance suite needs from a backend. */
export interface BackendConformanceSpec {
  readonly plugin: BackendPlugin;
  readonly types: readonly ExpectedType[];
  /** Parameters that must be refused; `mentions` is a word the error message must contain. */
  readonly invalidParams: readonly {
    readonly name: string;
    readonly params: TypeParams;
    readonly mentions: string;
  }[];
  /** Evidence of this type, and what detection must find. */
  readonly positive: readonly {
    readonly name: string;
    readonly evidence: Evidence;
    readonly variant: string | null;
    readonly maskBit: number | null;
    readonly maskState?: 'known' | 'unknown' | 'none';
  }[];
  /** Evidence that is not this type. */
  readonly negative: readonly { readonly name: string; readonly evidence: Evidence }[];
  /** Random values per marking law (default 200). */
  readonly samples?: number;
}

/** One named check; `run` throws an `Error` describing the first failure. */
export interface ConformanceCase {
  readonly name: string;
  run(): void;
}

const U64_MAX = (1n << 64n) - 1n;

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

const hex = (v: bigint) => `0x${v.toString(16)}`;

/** Deterministic 64-bit values: edges first, then a xorshift sequence (the same every run). */
function sampleValues(mask: bigint, count: number): bigint[] {
  const values = [0n, U64_MAX, mask, U64_MAX ^ mask, 0x8000000123456063n, 1n << 63n];
  let x = 0x9e3779b97f4a7c15n;
  for (let i = 0; i < count; i++) {
    x ^= (x << 13n) & U64_MAX;
    x ^= x >> 7n;
    x ^= (x << 17n) & U64_MAX;
    values.push(x);
  }
  return values;
}

function sameIds(actual: readonly string[], expected: readonly string[]): boolean {
  const a = [...actual].sort();
  const e = [...expected].sort();
  return a.length === e.length && a.every((id, i) => id === e[i]);
}

function markingLaws(type: CocoType, samples: number, format?: string): void {
  const m = format === undefined ? type.marking : (type.marking?.forFormat(format) ?? null);
  if (!m) return;
  const notMask = U64_MAX ^ m.mask;
  const values = sampleValues(m.mask, samples);
  for (const v of values) {
    const enc = m.encrypt(v);
    const dec = m.decrypt(v);
    check(m.decrypt(enc) === dec, `decrypt(encrypt(${hex(v)})) != decrypt(v)`);
    check(m.encrypt(dec) === enc, `encrypt(decrypt(${hex(v)})) != encrypt(v)`);
    check(m.isEncrypted(enc) && !m.isEncrypted(dec), `isEncrypted is wrong for ${hex(v)}`);
    check(
      (enc & notMask) === (v & notMask) && (dec & notMask) === (v & notMask),
      `marking ${hex(v)} changed another bit`,
    );
    check(
      ((enc & m.mask) !== 0n) === (m.encryptedWhen === 'set'),
      `encrypt(${hex(v)}) has the wrong polarity`,
    );
  }
  const bulk = BigUint64Array.from(values);
  m.encryptAll(bulk);
  values.forEach((v, i) => {
    check(bulk[i] === m.encrypt(v), `encryptAll differs from encrypt at ${i}`);
  });
  const count = m.count(bulk);
  check(count.encrypted === values.length && count.decrypted === 0, 'count after encryptAll is wrong');
  m.decryptAll(bulk, 1, values.length - 1);
  values.forEach((v, i) => {
    const want = i === 0 || i === values.length - 1 ? m.encrypt(v) : m.decrypt(v);
    check(bulk[i] === want, `decryptAll over a range differs from decrypt at ${i}`);
  });
  for (const bad of [-1n, 1n << 64n]) {
    let threw: unknown;
    try {
      m.encrypt(bad);
    } catch (error) {
      threw = error;
    }
    check(
      threw instanceof RangeError && isCocoError(threw),
      `encrypt(${bad}) did not throw a coco RangeError`,
    );
  }
}

/**
 * The checks every backend must pass, as plain cases for any test runner:
 * `for (const c of backendConformance(spec)) it(c.name, c.run)`.
 */
export function backendConformance(spec: BackendConformanceSpec): ConformanceCase[] {
  const { plugin } = spec;
  const samples = spec.samples ?? 200;
  const cases: ConformanceCase[] = [
    {
      name: `${plugin.id}: declares a supported interface version and registers`,
      run() {
        check(
          SUPPORTED_INTERFACE_VERSIONS.includes(plugin.interfaceVersion),
          `interfaceVersion ${plugin.interfaceVersion} is not one this core supports (${SUPPORTED_INTERFACE_VERSIONS.join(', ')}; current ${PLUGIN_INTERFACE_VERSION})`,
        );
        check(plugin.kind === 'backend', 'kind is not "backend"');
        const registry = createRegistry().use(plugin);
        check(registry.backend(plugin.id) === plugin, 'the registry does not return the plugin by id');
        check(plugin.variants.length > 0, 'no variants listed');
        check(
          plugin.params !== null && typeof plugin.params === 'object',
          'params (the parameter schema) is missing',
        );
      },
    },
    {
      name: `${plugin.id}: refuses a parameter its schema does not name`,
      run() {
        let threw: unknown;
        try {
          plugin.createType({ conformanceUnknownParameter: 1 } as never);
        } catch (error) {
          threw = error;
        }
        check(isCocoError(threw) && threw.code === 'PARAMETER_INVALID', 'an unknown parameter was accepted');
      },
    },
    {
      name: `${plugin.id}: detects nothing in empty evidence`,
      run() {
        const detection = createRegistry().use(plugin).detect(emptyEvidence());
        check(
          detection.type === null && detection.warnings.length === 0,
          'empty evidence gave a type or a warning',
        );
      },
    },
  ];
  for (const t of spec.types) {
    cases.push({
      name: `${plugin.id}: ${t.name}: attributes, mask and polarity as the facts say`,
      run() {
        checkParams(plugin.params, t.params, `${plugin.id} params`);
        const type = plugin.createType(t.params as never);
        check(type.id === plugin.id, `type id ${type.id} != ${plugin.id}`);
        const state = t.maskState ?? (t.maskBit === null ? 'unknown' : 'known');
        check(type.maskState === state, `maskState ${type.maskState} != ${state}`);
        for (const [format, bit] of Object.entries(t.entryBits ?? {})) {
          check(type.marking !== null, `entry bits given for a type without a marking`);
          check(
            type.marking.forFormat(format).entryBit === bit,
            `format ${format} stores the bit at ${type.marking.forFormat(format).entryBit}, not ${bit}`,
          );
        }
        check(type.variant === t.variant, `variant ${type.variant} != ${t.variant}`);
        check(
          type.encryptedWhen === t.encryptedWhen,
          `encryptedWhen ${type.encryptedWhen} != ${t.encryptedWhen}`,
        );
        check(
          (type.marking?.maskBit ?? null) === t.maskBit,
          `mask bit ${type.marking?.maskBit} != ${t.maskBit}`,
        );
        check(state !== 'unknown' || (type.maskUnknownReason ?? '') !== '', 'unknown mask without a reason');
        check(
          state === 'unknown' || type.maskUnknownReason === null,
          'a reason for a mask that is not unknown',
        );
        check(
          sameIds(type.attributes.ids, t.attributes),
          `attributes [${type.attributes.ids}] != [${t.attributes}]`,
        );
        for (const id of t.attributes) check(type.attributes.has(id), `has(${id}) is false`);
        if (t.cvm !== undefined) check(type.cvm === t.cvm, `cvm ${type.cvm} != ${t.cvm}`);
        if (t.maskBit !== null)
          check(type.describe().includes(String(t.maskBit)), 'describe() does not name the bit');
        const q = type.quirks;
        for (const dir of ['toShared', 'toPrivate'] as const) {
          check(
            typeof q.flush[dir].cache === 'boolean' && typeof q.flush[dir].tlb === 'boolean',
            `flush.${dir} is not two booleans`,
          );
          const by = t.conversion ?? (state === 'none' ? 'call' : 'page-table');
          if (by === 'call')
            check(q.conversion !== null, 'a type that converts by call has no conversion protocol');
          if (q.conversion) {
            const changes = q.conversion[dir].filter((s) => s.kind === 'page-table-change').length;
            const want = by === 'call' ? 0 : 1;
            check(changes === want, `conversion.${dir} has ${changes} page-table-change steps, not ${want}`);
            check(q.conversion[dir].length > 0, `conversion.${dir} has no steps`);
          }
        }
        for (const r of q.privateMmio)
          check(r.start % 4096n === 0n && r.size > 0n, `private MMIO ${r.name} is not page aligned`);
      },
    });
    cases.push({
      name: `${plugin.id}: ${t.name}: marking laws and vectors`,
      run() {
        const type = plugin.createType(t.params as never);
        markingLaws(type, samples);
        for (const format of type.marking?.formats ?? []) markingLaws(type, samples, format.id);
        for (const v of t.vectors ?? []) {
          const m = type.marking;
          check(m !== null, 'vectors given for a type without a marking');
          check(
            m.encrypt(v.input) === v.encrypted,
            `encrypt(${hex(v.input)}) = ${hex(m.encrypt(v.input))}, want ${hex(v.encrypted)}`,
          );
          check(
            m.decrypt(v.input) === v.decrypted,
            `decrypt(${hex(v.input)}) = ${hex(m.decrypt(v.input))}, want ${hex(v.decrypted)}`,
          );
        }
      },
    });
  }
  for (const bad of spec.invalidParams) {
    cases.push({
      name: `${plugin.id}: refuses ${bad.name}`,
      run() {
        let threw: unknown;
        try {
          plugin.createType(bad.params as never);
        } catch (error) {
          threw = error;
        }
        check(isCocoError(threw), `createType(${bad.name}) did not throw a coco error`);
        check(['PARAMETER_INVALID', 'MASK_INVALID'].includes(threw.code), `code ${threw.code}`);
        check(
          threw.message.includes(bad.mentions),
          `message "${threw.message}" does not mention ${bad.mentions}`,
        );
      },
    });
  }
  for (const p of spec.positive) {
    cases.push({
      name: `${plugin.id}: detects ${p.name}`,
      run() {
        const detection = createRegistry().use(plugin).detect(p.evidence);
        check(
          detection.type?.id === plugin.id,
          `detected ${detection.type?.id ?? 'nothing'}; warnings: ${detection.warnings.join('; ')}`,
        );
        check(detection.type.variant === p.variant, `variant ${detection.type.variant} != ${p.variant}`);
        check(
          (detection.type.marking?.maskBit ?? null) === p.maskBit,
          `mask bit ${detection.type.marking?.maskBit} != ${p.maskBit}`,
        );
        if (p.maskState !== undefined)
          check(
            detection.type.maskState === p.maskState,
            `maskState ${detection.type.maskState} != ${p.maskState}`,
          );
        check(
          detection.trail.some((s) => s.by === plugin.id),
          'no reasoning step from the plugin',
        );
        check(
          detection.trail.some((s) => s.by === plugin.id && typeof s.fact === 'string' && s.fact !== ''),
          'no reasoning step of the plugin names the fact it read',
        );
        const json = detection.toJSON();
        check(json.type === plugin.id && json.maskBit === p.maskBit, 'toJSON() disagrees with the detection');
      },
    });
  }
  for (const n of spec.negative) {
    cases.push({
      name: `${plugin.id}: does not claim ${n.name}`,
      run() {
        const detection = createRegistry().use(plugin).detect(n.evidence);
        check(detection.type?.id !== plugin.id, `claimed ${n.name}`);
      },
    });
  }
  return cases;
}
