import { CocoError, describeValue } from '../errors.js';

/** A JSON value, as snapshots store facts. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** Fact namespaces and names: `<namespace>.<name>`, lower-case words with dashes (`acme.sbi-probe`). */
export const FACT_KIND_PATTERN = /^[a-z][a-z0-9-]{0,31}\.[a-z][a-z0-9-]{0,31}$/;

/** A fact key inside its kind: printable ASCII without spaces, at most 64 characters (`0x8000001f/0x0`). */
export const FACT_KEY_PATTERN = /^[\x21-\x7e]{0,64}$/;

/** One part of two values of a fact that differ, for a conflict: `ebx` of a register set. */
export interface FactDifference {
  /** The part that differs (`ebx`), or `''` for the whole value. */
  readonly part: string;
  readonly a: string;
  readonly b: string;
}

/**
 * A kind of namespaced fact a plugin contributes to evidence, with its codec: what it holds, how it
 * reads from and writes to a snapshot, how it shows in messages. Core stores any fact as JSON and
 * knows no kind by name; the plugin that declares a kind (in `facts`) is the only one that decodes
 * it. `T` is the decoded value (numbers, bigints, records).
 */
export interface FactKind<T = unknown> {
  /** `<namespace>.<name>`, such as `acme.realm-config`; the namespace is the declaring package's. */
  readonly id: string;
  /** What the facts are, for messages: `CPUID leaves`. */
  readonly title: string;
  /** Decodes (and validates) one stored value; throws with a short reason when it is not valid. */
  decode(json: JsonValue, key: string): T;
  /** Encodes a value for storage and snapshots; `decode(encode(v))` gives `v` back. */
  encode(value: T): JsonValue;
  /** How a key reads in messages and trail steps: `cpuid 0x8000001f/0x0`. Default `<id> <key>`. */
  describeKey?(key: string): string;
  /** The parts of two values that differ, for a conflict; default: the whole encoded value. */
  differences?(a: T, b: T): readonly FactDifference[];
  /**
   * The top-level key of a `coco-snapshot/1` document that held these facts before plugin
   * interface 2, and how its JSON becomes `[key, value]` pairs: how format 1 is read and converted.
   */
  readonly legacy?: {
    readonly key: string;
    read(json: JsonValue): Iterable<readonly [string, T]>;
    /** Writes the facts back in that key's format, for `toSnapshot(evidence, { version: 1 })`. */
    write?(facts: ReadonlyMap<string, T>): JsonValue;
  };
}

/** Checks a fact kind's shape; a wrong one is `PLUGIN_INVALID` naming the plugin. */
export function checkFactKind(kind: unknown, plugin: string): FactKind {
  const k = kind as Record<string, unknown> | null;
  const id = k && typeof k === 'object' ? k.id : undefined;
  const ok =
    k !== null &&
    typeof k === 'object' &&
    typeof id === 'string' &&
    FACT_KIND_PATTERN.test(id) &&
    typeof k.title === 'string' &&
    typeof k.decode === 'function' &&
    typeof k.encode === 'function';
  if (!ok) {
    throw new CocoError('PLUGIN_INVALID', `fact kind ${describeValue(id ?? kind)} is not valid`, {
      input: plugin,
      fix: 'give each fact kind an id "<namespace>.<name>", a title, decode and encode',
    });
  }
  return kind as FactKind;
}

/** `describeKey` of a kind, or `<id> <key>`. */
export function describeFactKey(kind: FactKind, key: string): string {
  try {
    if (typeof kind.describeKey === 'function') return String(kind.describeKey(key));
  } catch {
    // A plugin's formatter that throws must not hide the fact.
  }
  return key === '' ? kind.id : `${kind.id} ${key}`;
}

/** A canonical text of a JSON value (keys sorted), for equality and messages. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
