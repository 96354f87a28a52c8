import { CocoError, describeValue, isCocoError } from '../errors.js';
import {
  canonicalJson,
  describeFactKey,
  FACT_KEY_PATTERN,
  FACT_KIND_PATTERN,
  type FactDifference,
  type FactKind,
  type JsonValue,
} from './facts.js';
import { readOnlyMap, readOnlyMapOf, readOnlySetOf } from './read-only.js';

/**
 * The kinds of evidence a machine can show: the three core reads for every architecture
 * (`kernel-log`, `cpuinfo`, `files`) and the namespaced fact kinds plugins declare (`<ns>.<name>`).
 */
export type EvidenceKind = 'kernel-log' | 'cpuinfo' | 'files' | (string & {});

/** The kinds of evidence core itself knows; every other kind is a plugin's fact kind. */
export const EVIDENCE_KINDS: readonly EvidenceKind[] = Object.freeze(['kernel-log', 'cpuinfo', 'files']);

// Format 1 named kinds by its top-level keys (`cpuid`, `msr`): kept until a registry maps them.
const LEGACY_KIND = /^[a-z][a-z0-9-]{0,31}$/;

/** True for a core kind, a well-formed fact kind id, or a format-1 kind name (one lower-case word). */
export function isEvidenceKind(kind: unknown): kind is EvidenceKind {
  return (
    typeof kind === 'string' &&
    (EVIDENCE_KINDS.includes(kind) || FACT_KIND_PATTERN.test(kind) || LEGACY_KIND.test(kind))
  );
}

/** A value and where it came from (`snapshot azure.json`, `--dmesg boot.log`). */
export interface Sourced<T> {
  readonly value: T;
  readonly source: string;
}

/** A file, device node or sysfs/configfs entry: whether it exists and, when read, its contents. */
export interface FileFact extends Sourced<boolean> {
  /** The text it held when it was read (`"1\n"`); absent when only its presence is known. */
  readonly content?: string;
}

/** Longest file content evidence keeps: sysfs and configfs attributes are one page at most. */
export const FILE_CONTENT_MAX = 4096;

/**
 * One kernel-log line, normalised: timestamps, printk caller ids, syslog/journal prefixes and
 * quoting indentation removed, so `text` is what the kernel's printk produced.
 */
export interface LogLine {
  readonly text: string;
  /** The line as it was read. */
  readonly raw: string;
  /** 1-based line number in its source. */
  readonly line: number;
  readonly source: string;
}

/** Who the evidence is from, as a snapshot records it: for fleets, which machine is which. */
export interface MachineIdentity {
  /** The host name when the snapshot was taken. */
  readonly hostname?: string;
  /** When the snapshot was taken, as an ISO 8601 date-time (`2026-11-30T06:20:00Z`). */
  readonly capturedAt?: string;
  /** The version of coco that took it. */
  readonly cocoVersion?: string;
}

/** @internal An identity as evidence holds it: its string fields in a fixed order, frozen. */
export function frozenIdentity(identity: MachineIdentity): MachineIdentity {
  const { hostname, capturedAt, cocoVersion } = identity;
  return Object.freeze({
    ...(typeof hostname === 'string' && { hostname }),
    ...(typeof capturedAt === 'string' && { capturedAt }),
    ...(typeof cocoVersion === 'string' && { cocoVersion }),
  });
}

/** A source that could not be read, and what would make it readable. */
export interface UnavailableSource {
  readonly source: string;
  /** The kind of evidence it would have given, when known: plugins tell "unreadable" from "not given". */
  readonly kind?: EvidenceKind;
  readonly reason: string;
  readonly fix: string;
}

/** The same fact seen with two different values, each with its source. */
export interface EvidenceConflict {
  /** The fact, as its kind describes it: `file /sys/firmware/uv/prot_virt_guest`, `acme.config 0x1 eax`. */
  readonly fact: string;
  readonly values: readonly Sourced<string>[];
}

/**
 * What a machine shows, normalised and merged from any number of sources. Every lookup says
 * `undefined` for a fact no source gave: missing evidence is never read as a zero.
 */
export interface Evidence {
  /** The kinds at least one source provided (a kernel log that was read, even if empty). */
  readonly kinds: ReadonlySet<EvidenceKind>;
  /** The fact `key` of `kind`, decoded by the kind; `undefined` when no source gave it. */
  fact<T>(kind: FactKind<T>, key?: string): Sourced<T> | undefined;
  /** Every fact of `kind`, decoded, by key. */
  facts<T>(kind: FactKind<T>): ReadonlyMap<string, Sourced<T>>;
  /** Every fact as stored (JSON), by kind id and key: what a snapshot writes. */
  readonly storedFacts: ReadonlyMap<string, ReadonlyMap<string, Sourced<JsonValue>>>;
  readonly kernelLog: readonly LogLine[];
  /** The `/proc/cpuinfo` fields of the first processor and the machine-wide ones, by name. */
  readonly cpuinfo: ReadonlyMap<string, Sourced<string>>;
  /** The feature words of `/proc/cpuinfo` (its `flags`, `Features` or `features` field), each with its source. */
  readonly cpuinfoFlags: ReadonlyMap<string, string>;
  hasFlag(flag: string): boolean;
  /** Whether a device node or sysfs/configfs entry exists, and what it holds when read. */
  file(path: string): FileFact | undefined;
  readonly files: ReadonlyMap<string, FileFact>;
  readonly unavailable: readonly UnavailableSource[];
  readonly conflicts: readonly EvidenceConflict[];
  /** Notes about the evidence itself: facts of a kind this coco does not know, kept but not read. */
  readonly warnings: readonly string[];
  /**
   * Keys of a `coco-snapshot/1` document that belong to plugins (`cpuid`, `msr`, `tdx`), read
   * before any plugin that declares them was known: a registry converts them through its fact
   * kinds' `legacy` readers when it detects ({@link resolveLegacy}).
   */
  readonly legacy: ReadonlyMap<string, Sourced<JsonValue>>;
  /** Who the evidence is from, when a snapshot says (the first one that does). */
  readonly machine: MachineIdentity | undefined;
}

/** The cpuinfo fields that hold feature words, on the architectures Linux prints them for. */
const FLAG_FIELDS = ['flags', 'Features', 'features'];
const FLAG = /^[A-Za-z0-9_.-]{1,64}$/;
const CPUINFO_FIELD = /^[A-Za-z0-9_ ()#./-]{1,64}$/;

function invalid(problem: string, input: string, fix: string): never {
  throw new CocoError('EVIDENCE_INVALID', problem, { input, fix });
}

// A fact decoded as it was added: the kind object that decoded it, the JSON it decoded (the very
// object stored, if the fact was stored from it) and the value. build() hands the value to plugins
// without decoding the stored JSON a second time.
interface Decoded {
  readonly kind: FactKind;
  readonly json: JsonValue;
  readonly value: unknown;
}

// Each builder's decoded facts, by kind id and key.
const decodedFacts = new WeakMap<EvidenceBuilder, Map<string, Map<string, Decoded>>>();

function keepDecoded(
  builder: EvidenceBuilder,
  kind: FactKind,
  key: string,
  json: JsonValue,
  value: unknown,
): void {
  let byKind = decodedFacts.get(builder);
  if (!byKind) {
    byKind = new Map();
    decodedFacts.set(builder, byKind);
  }
  let byKey = byKind.get(kind.id);
  if (!byKey) {
    byKey = new Map();
    byKind.set(kind.id, byKey);
  }
  // The first decoding of a key is the one that can match the stored fact (the first value stays).
  if (!byKey.has(key)) byKey.set(key, { kind, json, value });
}

/**
 * Collects facts from parsers and probes. Adding the same fact twice with the same value is fine;
 * with a different value it records a conflict naming both sources and keeps the first value.
 */
export class EvidenceBuilder {
  #kinds = new Set<EvidenceKind>();
  #facts = new Map<string, Map<string, Sourced<JsonValue>>>();
  #kindOf = new Map<string, FactKind>();
  #log: LogLine[] = [];
  #cpuinfo = new Map<string, Sourced<string>>();
  #flags = new Map<string, string>();
  #files = new Map<string, FileFact>();
  #unavailable: UnavailableSource[] = [];
  #conflicts: EvidenceConflict[] = [];
  #warnings = new Set<string>();
  #legacy = new Map<string, Sourced<JsonValue>>();
  #machine: MachineIdentity | undefined;
  /**
   * True once {@link build} handed out views of the collections above (views, not copies: most
   * builders are built once and dropped). The builder copies them before it changes anything
   * again, so evidence already built never changes.
   */
  #shared = false;

  #unshare(): void {
    if (!this.#shared) return;
    this.#shared = false;
    this.#kinds = new Set(this.#kinds);
    const facts = new Map<string, Map<string, Sourced<JsonValue>>>();
    for (const [kindId, byKey] of this.#facts) facts.set(kindId, new Map(byKey));
    this.#facts = facts;
    this.#kindOf = new Map(this.#kindOf);
    this.#log = [...this.#log];
    this.#cpuinfo = new Map(this.#cpuinfo);
    this.#flags = new Map(this.#flags);
    this.#files = new Map(this.#files);
    this.#unavailable = [...this.#unavailable];
    this.#conflicts = [...this.#conflicts];
    this.#warnings = new Set(this.#warnings);
    this.#legacy = new Map(this.#legacy);
  }

  #conflict(fact: string, differences: readonly FactDifference[], aSource: string, bSource: string): void {
    for (const d of differences) {
      this.#conflicts.push(
        Object.freeze({
          fact: d.part ? `${fact} ${d.part}` : fact,
          values: Object.freeze([
            Object.freeze({ value: d.a, source: aSource }),
            Object.freeze({ value: d.b, source: bSource }),
          ]),
        }),
      );
    }
  }

  /** Records that a kind of evidence was read, even when it held nothing (an empty kernel log). */
  saw(kind: EvidenceKind): this {
    this.#unshare();
    if (!isEvidenceKind(kind))
      invalid(
        `${describeValue(kind)} is not a kind of evidence`,
        'evidence',
        'use kernel-log, cpuinfo, files or a fact kind id',
      );
    this.#kinds.add(kind);
    return this;
  }

  /** Adds fact `key` of `kind`, encoded by the kind; a different value for the same key is a conflict. */
  addFact<T>(kind: FactKind<T>, key: string, value: T, source: string): this {
    this.#unshare();
    let json: JsonValue;
    let decoded: T;
    try {
      json = kind.encode(value);
      decoded = kind.decode(json, key);
    } catch (error) {
      invalid(
        `${describeFactKey(kind as FactKind, String(key))} = ${describeValue(value)} is not valid (${error instanceof Error ? error.message : 'invalid'})`,
        source,
        `give a value ${kind.title} can hold`,
      );
    }
    this.#kindOf.set(kind.id, kind as FactKind);
    this.addStoredFact(kind.id, key, json, source);
    keepDecoded(this, kind as FactKind, key, json, decoded);
    return this;
  }

  /**
   * Adds a fact as stored JSON (from a snapshot). Facts of a kind no plugin declared are kept and
   * written back to snapshots, but no plugin reads them.
   */
  addStoredFact(kindId: string, key: string, json: JsonValue, source: string): this {
    this.#unshare();
    if (typeof kindId !== 'string' || !FACT_KIND_PATTERN.test(kindId))
      invalid(
        `fact kind ${describeValue(kindId)} is not "<namespace>.<name>"`,
        source,
        'name facts like "acme.realm-config"',
      );
    if (typeof key !== 'string' || !FACT_KEY_PATTERN.test(key))
      invalid(
        `fact key ${describeValue(key)} of ${kindId} is not valid`,
        source,
        'use printable ASCII without spaces, at most 64 characters',
      );
    this.#kinds.add(kindId);
    let byKey = this.#facts.get(kindId);
    if (!byKey) {
      byKey = new Map();
      this.#facts.set(kindId, byKey);
    }
    const old = byKey.get(key);
    if (!old) {
      byKey.set(key, Object.freeze({ value: deepFreeze(json), source: String(source) }));
      return this;
    }
    // Canonical texts only for a fact seen twice: most facts are seen once.
    const oldText = canonicalJson(old.value);
    const text = canonicalJson(json);
    if (oldText === text) return this;
    const kind = this.#kindOf.get(kindId);
    const show = (v: JsonValue, t: string) => (typeof v === 'string' ? v : t);
    let differences: readonly FactDifference[] = [
      { part: '', a: show(old.value, oldText), b: show(json, text) },
    ];
    if (kind?.differences) {
      try {
        differences = kind.differences(kind.decode(old.value, key), kind.decode(json, key));
      } catch {
        // Fall back to the whole value.
      }
    }
    const fact = kind ? describeFactKey(kind, key) : key === '' ? kindId : `${kindId} ${key}`;
    this.#conflict(fact, differences, old.source, source);
    return this;
  }

  addLogLines(lines: Iterable<LogLine>): this {
    this.#unshare();
    this.#kinds.add('kernel-log');
    for (const line of lines) this.#log.push(Object.freeze({ ...line }));
    return this;
  }

  /** Adds `/proc/cpuinfo` fields (name and value); the feature-word fields also give flags. */
  addCpuinfo(fields: Iterable<readonly [string, string]>, source: string): this {
    this.#unshare();
    this.#kinds.add('cpuinfo');
    for (const [name, value] of fields) {
      if (
        typeof name !== 'string' ||
        !CPUINFO_FIELD.test(name) ||
        typeof value !== 'string' ||
        value.length > 8192
      )
        invalid(
          `cpuinfo field ${describeValue(name)} is not valid`,
          source,
          'pass /proc/cpuinfo as the kernel writes it',
        );
      if (!this.#cpuinfo.has(name)) this.#cpuinfo.set(name, Object.freeze({ value, source }));
      if (FLAG_FIELDS.includes(name)) this.addFlags(value.split(/\s+/).filter(Boolean), source);
    }
    return this;
  }

  addFlags(flags: Iterable<string>, source: string): this {
    this.#unshare();
    this.#kinds.add('cpuinfo');
    for (const flag of flags) {
      if (typeof flag !== 'string' || !FLAG.test(flag))
        invalid(
          `${describeValue(flag)} is not a cpuinfo feature word`,
          source,
          'pass the flags as /proc/cpuinfo prints them',
        );
      if (!this.#flags.has(flag)) this.#flags.set(flag, source);
    }
    return this;
  }

  /**
   * Records whether a device node or sysfs/configfs entry exists and, when it was read, its text
   * (at most {@link FILE_CONTENT_MAX} characters).
   */
  setFile(path: string, exists: boolean, source: string, content?: string): this {
    this.#unshare();
    if (typeof path !== 'string' || path[0] !== '/' || path.length > 4096 || typeof exists !== 'boolean') {
      invalid(
        `file entry ${describeValue(path)} = ${describeValue(exists)} is not valid`,
        source,
        'give an absolute path and true or false',
      );
    }
    if (
      content !== undefined &&
      (typeof content !== 'string' || content.length > FILE_CONTENT_MAX || !exists)
    ) {
      invalid(
        `the content of ${path} is not valid`,
        source,
        `give the text of an existing file, at most ${FILE_CONTENT_MAX} characters`,
      );
    }
    this.#kinds.add('files');
    const old = this.#files.get(path);
    const fact: FileFact = Object.freeze({
      value: exists,
      source,
      ...(content !== undefined && { content }),
    });
    if (!old) this.#files.set(path, fact);
    else if (old.value !== exists) {
      this.#conflict(
        `file ${path}`,
        [{ part: '', a: String(old.value), b: String(exists) }],
        old.source,
        source,
      );
    } else if (content !== undefined) {
      if (old.content === undefined) this.#files.set(path, Object.freeze({ ...old, content }));
      else if (old.content !== content)
        this.#conflict(
          `file ${path}`,
          [{ part: 'content', a: JSON.stringify(old.content), b: JSON.stringify(content) }],
          old.source,
          source,
        );
    }
    return this;
  }

  /** Records who the evidence is from; the first identity given is kept. */
  setMachine(identity: MachineIdentity): this {
    if (this.#machine === undefined) this.#machine = frozenIdentity(identity);
    return this;
  }

  addUnavailable(note: UnavailableSource): this {
    this.#unshare();
    const kind = note.kind;
    if (kind !== undefined && !isEvidenceKind(kind)) {
      invalid(
        `kind ${describeValue(kind)} is not a kind of evidence`,
        String(note.source),
        'use kernel-log, cpuinfo, files or a fact kind id such as "acme.config"',
      );
    }
    this.#unavailable.push(
      Object.freeze({
        source: String(note.source),
        ...(kind !== undefined && { kind }),
        reason: String(note.reason),
        fix: String(note.fix),
      }),
    );
    return this;
  }

  /** Keeps a `coco-snapshot/1` key no known plugin declares, for {@link resolveLegacy}. */
  addLegacy(key: string, json: JsonValue, source: string): this {
    this.#unshare();
    if (!this.#legacy.has(key)) this.#legacy.set(key, Object.freeze({ value: deepFreeze(json), source }));
    return this;
  }

  /** Adds a note about the evidence itself (read with a warning, not refused). */
  warn(message: string): this {
    this.#unshare();
    const text = String(message);
    this.#warnings.add(text);
    return this;
  }

  /** Adds every fact of `evidence`, recording conflicts with what is already here. */
  merge(evidence: Evidence): this {
    this.#unshare();
    for (const kind of evidence.kinds) this.#kinds.add(kind);
    for (const [kindId, byKey] of evidence.storedFacts)
      for (const [key, v] of byKey) this.addStoredFact(kindId, key, v.value, v.source);
    const kinds = (evidence as { [KINDS]?: ReadonlyMap<string, FactKind> })[KINDS];
    if (kinds) for (const [id, kind] of kinds) if (!this.#kindOf.has(id)) this.#kindOf.set(id, kind);
    if (evidence.kinds.has('kernel-log')) this.addLogLines(evidence.kernelLog);
    for (const [name, v] of evidence.cpuinfo) if (!this.#cpuinfo.has(name)) this.#cpuinfo.set(name, v);
    for (const [flag, source] of evidence.cpuinfoFlags) this.addFlags([flag], source);
    for (const [path, v] of evidence.files) this.setFile(path, v.value, v.source, v.content);
    for (const note of evidence.unavailable) this.addUnavailable(note);
    for (const warning of evidence.warnings) this.warn(warning);
    for (const [key, v] of evidence.legacy) this.addLegacy(key, v.value, v.source);
    if (evidence.machine) this.setMachine(evidence.machine);
    this.#conflicts.push(...evidence.conflicts);
    return this;
  }

  /** The evidence, immutable in fact: plugins receive read-only views that cannot be changed. */
  build(): Evidence {
    // Views of the builder's own collections, which it copies before changing them again.
    this.#shared = true;
    const stored = new Map<string, ReadonlyMap<string, Sourced<JsonValue>>>();
    for (const [kindId, byKey] of this.#facts) stored.set(kindId, readOnlyMapOf(byKey));
    // Not copied either: a key's first decoding is never replaced, and a key or kind added later is
    // not in `stored`, so nothing is looked up but what was there at this build.
    const seeded: ReadonlyMap<string, ReadonlyMap<string, Decoded>> = decodedFacts.get(this) ?? new Map();
    const storedFacts = readOnlyMapOf(stored);
    const decoded = new Map<string, ReadonlyMap<string, Sourced<unknown>>>();
    const decodeAll = <T>(kind: FactKind<T>): ReadonlyMap<string, Sourced<T>> => {
      const id = String(kind?.id);
      let out = decoded.get(id) as ReadonlyMap<string, Sourced<T>> | undefined;
      if (out) return out;
      const entries: [string, Sourced<T>][] = [];
      const known = seeded.get(id);
      for (const [key, v] of stored.get(id) ?? []) {
        let value: T;
        // Decoded already, by this kind, from the very JSON stored (not a later value of the key).
        const d = known?.get(key);
        if (d !== undefined && d.kind === kind && d.json === v.value) {
          entries.push([key, Object.freeze({ value: d.value as T, source: v.source })]);
          continue;
        }
        try {
          value = kind.decode(v.value, key);
        } catch (error) {
          invalid(
            `${describeFactKey(kind as FactKind, key)} is not valid (${error instanceof Error ? error.message : 'invalid'})`,
            v.source,
            `give a value ${kind.title} can hold`,
          );
        }
        entries.push([key, Object.freeze({ value, source: v.source })]);
      }
      out = readOnlyMap(entries);
      decoded.set(id, out as ReadonlyMap<string, Sourced<unknown>>);
      return out;
    };
    const flags = readOnlyMapOf(this.#flags);
    const files = readOnlyMapOf(this.#files);
    const evidence: Evidence & { [KINDS]: ReadonlyMap<string, FactKind> } = {
      kinds: readOnlySetOf(this.#kinds),
      fact: <T>(kind: FactKind<T>, key = '') => decodeAll(kind).get(key),
      facts: decodeAll,
      storedFacts,
      kernelLog: Object.freeze(this.#log),
      cpuinfo: readOnlyMapOf(this.#cpuinfo),
      cpuinfoFlags: flags,
      hasFlag: (flag: string) => flags.has(flag),
      file: (path: string) => files.get(path),
      files,
      unavailable: Object.freeze(this.#unavailable),
      conflicts: Object.freeze(this.#conflicts),
      warnings: Object.freeze([...this.#warnings]),
      legacy: readOnlyMapOf(this.#legacy),
      machine: this.#machine,
      [KINDS]: readOnlyMapOf(this.#kindOf),
    };
    return Object.freeze(evidence);
  }
}

// The fact kinds a builder saw, carried along so a merge keeps their conflict formatting.
const KINDS = Symbol('fact kinds');

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * @internal Adds a fact of a snapshot that `kind` decoded to `value` while checking it: the builder
 * keeps `value` for the plugins (what decoding the stored JSON again would give).
 */
export function addDecodedFact(
  builder: EvidenceBuilder,
  kind: FactKind,
  key: string,
  json: JsonValue,
  value: unknown,
  source: string,
): void {
  builder.addStoredFact(kind.id, key, json, source);
  keepDecoded(builder, kind, key, json, value);
}

/** Merges evidence from several sources; the same fact with two values becomes a conflict. */
export function mergeEvidence(...parts: Evidence[]): Evidence {
  const builder = new EvidenceBuilder();
  for (const part of parts) builder.merge(part);
  return builder.build();
}

/** Evidence with nothing in it. */
export function emptyEvidence(): Evidence {
  return new EvidenceBuilder().build();
}

/**
 * Converts the `coco-snapshot/1` keys evidence holds unconverted ({@link Evidence.legacy}) through
 * the fact kinds that declare them; a key no kind declares stays out, with a warning. Evidence
 * without such keys is returned as it is.
 */
export function resolveLegacy(evidence: Evidence, kinds: Iterable<FactKind>): Evidence {
  if (!evidence.legacy || evidence.legacy.size === 0) return evidence;
  const byKey = new Map<string, FactKind>();
  for (const kind of kinds) if (kind.legacy) byKey.set(kind.legacy.key, kind);
  const builder = new EvidenceBuilder();
  const pending = new Map(evidence.legacy);
  for (const [key, v] of evidence.legacy) {
    const kind = byKey.get(key);
    if (!kind?.legacy) continue;
    pending.delete(key);
    let pairs: (readonly [string, unknown])[];
    try {
      pairs = [...kind.legacy.read(v.value)];
    } catch (error) {
      if (isCocoError(error)) throw error;
      invalid(
        `${key}: ${error instanceof Error ? error.message : 'not valid'}`,
        v.source,
        'see the coco-snapshot/1 format',
      );
    }
    for (const [factKey, value] of pairs) builder.addFact(kind, factKey, value, v.source);
    builder.saw(kind.id);
  }
  // The other sources first, as they were merged; the converted keys after them. Notes of a
  // format-1 kind name the fact kind that now reads it.
  const kindOf = new Map([...byKey].map(([key, kind]) => [key, kind.id]));
  const notes = evidence.unavailable.map((n) =>
    n.kind !== undefined && kindOf.has(n.kind) ? { ...n, kind: kindOf.get(n.kind) as string } : n,
  );
  const out = new EvidenceBuilder()
    .merge(Object.freeze({ ...withoutLegacy(evidence), unavailable: notes }))
    .merge(builder.build());
  for (const [key, v] of pending)
    out.warn(`${v.source}: key "${key}" of coco-snapshot/1 is read by no registered plugin: ignored`);
  return out.build();
}

function withoutLegacy(evidence: Evidence): Evidence {
  return Object.freeze({ ...evidence, legacy: readOnlyMap<string, Sourced<JsonValue>>([]) });
}

/**
 * Checks that every stored fact of the given kinds decodes: detection calls it before any plugin
 * reads, so a bad value is one `EVIDENCE_INVALID` error naming the fact and its source.
 */
export function checkFacts(evidence: Evidence, kinds: Iterable<FactKind>): void {
  for (const kind of kinds) evidence.facts(kind);
}
