import { CocoError, describeValue } from './errors.js';
import { hasOwn, own } from './own.js';

interface ParamBase {
  /** One line for help and errors: `the guest physical-address width TDG.VP.INFO reports`. */
  readonly description: string;
  /** True when the parameter must be given. */
  readonly required?: boolean;
}

/** An integer parameter, `min..max`, or one of `values`. */
export interface IntegerParam extends ParamBase {
  readonly type: 'integer';
  readonly min: number;
  readonly max: number;
  readonly values?: readonly number[];
}
/** A 64-bit register or address, as a bigint (`0x` hex text on the command line). */
export interface BigintParam extends ParamBase {
  readonly type: 'bigint';
  readonly min?: bigint;
  readonly max?: bigint;
}
/** One of a list of words. */
export interface EnumParam extends ParamBase {
  readonly type: 'enum';
  readonly values: readonly string[];
}
/** `true` or `false`. */
export interface BooleanParam extends ParamBase {
  readonly type: 'boolean';
}
/** Free text, at most 200 characters. */
export interface StringParam extends ParamBase {
  readonly type: 'string';
}

/** One parameter of a backend's type. */
export type ParamSpec = IntegerParam | BigintParam | EnumParam | BooleanParam | StringParam;

/** A backend's parameters by name: what `createType` accepts, what `coco pte --param` parses. */
export type ParamSchema = Readonly<Record<string, ParamSpec>>;

/** The value type of one parameter. */
export type ParamValue<S extends ParamSpec> = S extends IntegerParam
  ? number
  : S extends BigintParam
    ? bigint
    : S extends EnumParam
      ? S['values'][number]
      : S extends BooleanParam
        ? boolean
        : string;

type RequiredKeys<S extends ParamSchema> = {
  [K in keyof S]: S[K] extends { required: true } ? K : never;
}[keyof S];

/** The parameter object a schema describes, with each value's type. */
export type ParamsOf<S extends ParamSchema> = { readonly [K in RequiredKeys<S>]: ParamValue<S[K]> } & {
  readonly [K in Exclude<keyof S, RequiredKeys<S>>]?: ParamValue<S[K]>;
};

const U64_MAX = (1n << 64n) - 1n;
const STRING_MAX = 200;

/** Words of a list for an error, cut after about `max` characters: `a, b, c, … (200000 in all)`. */
function listWords(values: readonly unknown[], max = 80): string {
  let out = '';
  for (const [i, value] of values.entries()) {
    const word = String(value);
    const next = out === '' ? word : `${out}, ${word}`;
    if (next.length > max && i > 0) return `${out}, … (${values.length} in all)`;
    out = next.length > max ? `${next.slice(0, max)}…` : next;
  }
  return out;
}

/** A plugin's text for an error, cut after about 80 characters. */
function clip(text: unknown): string {
  const s = String(text);
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}

/**
 * Refuses a parameter. `input` is the schema's owner (`type tdx params`), and `named` what names the
 * parameter itself: `input.name` for a field of an object, or as given for a flag (`--param gpaw`).
 */
function refuse(
  input: string,
  name: string,
  value: unknown,
  spec: ParamSpec | undefined,
  known: readonly string[],
  named = `${input}.${name}`,
): never {
  if (!spec) {
    throw new CocoError('PARAMETER_INVALID', `unknown parameter ${describeValue(name)}`, {
      input,
      fix: known.length > 0 ? `use only ${listWords(known, 160)}` : 'this type takes no parameters',
    });
  }
  throw new CocoError('PARAMETER_INVALID', `${name} ${describeValue(value)} is not valid`, {
    input: named,
    fix: `give ${expected(spec)} (${clip(spec.description)})`,
  });
}

/** What a parameter accepts, in words: `an integer from 12 to 51`. */
export function expected(spec: ParamSpec): string {
  switch (spec.type) {
    case 'integer':
      return spec.values ? `one of ${listWords(spec.values)}` : `an integer from ${spec.min} to ${spec.max}`;
    case 'bigint':
      return `a bigint from ${hex(spec.min ?? 0n)} to ${hex(spec.max ?? U64_MAX)}`;
    case 'enum':
      return `one of ${listWords(spec.values)}`;
    case 'boolean':
      return 'true or false';
    default:
      return `a text of at most ${STRING_MAX} characters`;
  }
}

function valid(spec: ParamSpec, value: unknown): boolean {
  switch (spec.type) {
    case 'integer':
      return (
        Number.isInteger(value) &&
        (value as number) >= spec.min &&
        (value as number) <= spec.max &&
        (!spec.values || spec.values.includes(value as number))
      );
    case 'bigint':
      return typeof value === 'bigint' && value >= (spec.min ?? 0n) && value <= (spec.max ?? U64_MAX);
    case 'enum':
      return typeof value === 'string' && spec.values.includes(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string' && value.length <= STRING_MAX;
    default:
      return false;
  }
}

/**
 * Checks parameters against a schema: own fields only (a field polluted onto `Object.prototype` is
 * never read), no unknown name, every value of its type and range, every required one given.
 * Returns a frozen copy; throws `PARAMETER_INVALID` naming `input.name` and what it accepts.
 */
export function checkParams<S extends ParamSchema>(schema: S, params: unknown, input: string): ParamsOf<S> {
  const known = Object.keys(schema);
  if (params === undefined || params === null) params = {};
  if (typeof params !== 'object' || Array.isArray(params)) {
    throw new CocoError('PARAMETER_INVALID', `${describeValue(params)} is not a parameter object`, {
      input,
      fix: `pass an object with ${known.join(', ') || 'no fields'}`,
    });
  }
  const out: Record<string, unknown> = Object.create(null);
  let keys: string[];
  try {
    keys = Object.keys(params as object);
  } catch {
    throw new CocoError('PARAMETER_INVALID', 'the parameters could not be read', {
      input,
      fix: 'pass a plain object',
    });
  }
  for (const name of keys) {
    const spec = hasOwn(schema, name) ? (own(schema, name) as ParamSpec) : undefined;
    let value: unknown;
    try {
      value = own(params, name);
    } catch {
      refuse(input, name, 'a throwing getter', spec, known);
    }
    if (value === undefined) continue;
    // `null` says "not known" for an optional parameter (an unknown bit), never for a required one.
    if (value === null && spec && !spec.required) {
      out[name] = null;
      continue;
    }
    if (!spec || !valid(spec, value)) refuse(input, name, value, spec, known);
    out[name] = value;
  }
  for (const name of known) {
    const spec = own(schema, name) as ParamSpec;
    if (spec.required && (out[name] === undefined || out[name] === null)) {
      throw new CocoError('PARAMETER_INVALID', `${name} is missing`, {
        input: `${input}.${name}`,
        fix: `give ${expected(spec)} (${clip(spec.description)})`,
      });
    }
  }
  return Object.freeze(out) as ParamsOf<S>;
}

const hex = (v: bigint) => `${v < 0n ? '-' : ''}0x${(v < 0n ? -v : v).toString(16)}`;

/**
 * A whole number as a command line gives it: a sign, then decimal without leading zeros or `0x`
 * hex, at most 40 digits (more than any 128-bit value needs; the schema's range decides the rest).
 */
const NUMBER_TEXT = /^([+-]?)(0|[1-9]\d{0,39}|0x[0-9a-fA-F]{1,32})$/;

/**
 * Reads one parameter from text, as a command line gives it (`52`, `0x8000000000`, `true`,
 * `sev-snp`), by its spec; throws `PARAMETER_INVALID` naming it as `input` (what the user gave:
 * `--param NAME` unless given, such as `--mask-bit`) and saying what it accepts.
 */
export function parseParam(
  schema: ParamSchema,
  name: string,
  text: string,
  input = `--param ${name}`,
): unknown {
  const known = Object.keys(schema);
  const spec = hasOwn(schema, name) ? (own(schema, name) as ParamSpec) : undefined;
  if (!spec) refuse(input, name, text, undefined, known);
  let value: unknown = text;
  const number = NUMBER_TEXT.exec(text);
  if (number && (spec.type === 'integer' || spec.type === 'bigint')) {
    const magnitude = BigInt(number[2] as string);
    const signed = number[1] === '-' ? -magnitude : magnitude;
    if (spec.type === 'bigint') value = signed;
    else if (signed >= BigInt(Number.MIN_SAFE_INTEGER) && signed <= BigInt(Number.MAX_SAFE_INTEGER))
      value = Number(signed);
  } else if (spec.type === 'boolean' && (text === 'true' || text === 'false')) value = text === 'true';
  if (!valid(spec, value)) refuse(input, name, text, spec, known, input);
  return value;
}

/** Checks a schema's shape (a plugin's `params`); a wrong one is `PLUGIN_INVALID` naming the parameter. */
export function checkParamSchema(schema: unknown, plugin: string): ParamSchema {
  const types = ['integer', 'bigint', 'enum', 'boolean', 'string'];
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    throw new CocoError('PLUGIN_INVALID', 'params is not a parameter schema', {
      input: plugin,
      fix: 'declare params: { name: { type, description, ... } }',
    });
  }
  for (const name of Object.keys(schema)) {
    const spec = own(schema, name) as Record<string, unknown> | undefined;
    const ok =
      /^[a-z][A-Za-z0-9]{0,40}$/.test(name) &&
      spec !== null &&
      typeof spec === 'object' &&
      types.includes(spec.type as string) &&
      typeof spec.description === 'string' &&
      (spec.type !== 'integer' || (Number.isInteger(spec.min) && Number.isInteger(spec.max))) &&
      (spec.type !== 'enum' ||
        (Array.isArray(spec.values) && spec.values.every((v) => typeof v === 'string')));
    if (!ok) {
      throw new CocoError('PLUGIN_INVALID', `parameter ${describeValue(name)} is not a valid spec`, {
        input: plugin,
        fix: 'give each parameter a camelCase name, a type (integer, bigint, enum, boolean, string) and a description',
      });
    }
  }
  return schema as ParamSchema;
}
