import { CocoError, describeValue, isCocoError } from '../errors.js';
import { namedFew } from '../list-few.js';
import { hasOwn, own } from '../own.js';
import { describeFactKey, FACT_KIND_PATTERN, type FactKind, type JsonValue } from './facts.js';
import { SNAPSHOT_MAX_DEPTH, tooDeepAt } from './json-depth.js';
import { findDuplicateKey } from './json-duplicates.js';
import { normaliseKernelLog } from './kernel-log.js';
import {
  addDecodedFact,
  type Evidence,
  EvidenceBuilder,
  type EvidenceKind,
  FILE_CONTENT_MAX,
  frozenIdentity,
  isEvidenceKind,
  type LogLine,
  type MachineIdentity,
  resolveLegacy,
} from './model.js';

/** The format tag of the snapshot documents `toSnapshot` writes. */
export const SNAPSHOT_FORMAT = 'coco-snapshot/2';
/** The format tag of the first snapshot format, still read (and written on request). */
export const SNAPSHOT_FORMAT_V1 = 'coco-snapshot/1';

/** The `$schema` `toSnapshot` writes: the JSON Schema of `coco-snapshot/2` (also in `@coco/core/schemas/*`). */
export const SNAPSHOT_SCHEMA_URL =
  'https://raw.githubusercontent.com/coco-project/coco/main/schemas/coco-snapshot-2.schema.json';
/** The JSON Schema of `coco-snapshot/1`. */
export const SNAPSHOT_V1_SCHEMA_URL =
  'https://raw.githubusercontent.com/coco-project/coco/main/schemas/coco-snapshot-1.schema.json';

/** A file in a snapshot: `true`/`false` for presence only, or its contents when it was read. */
export type SnapshotFileJson = boolean | { readonly exists: true; readonly content: string };

/**
 * The `coco-snapshot/2` document: a machine's evidence, for bug reports, fleets and offline
 * detection. Core knows no fact kind: `facts` holds each plugin's namespaced facts as JSON, by kind
 * id and key (`{"acme.config": {"0x1": ...}}`).
 */
export interface SnapshotJson {
  /** The JSON Schema of the document; any string is accepted when reading. */
  readonly $schema?: string;
  readonly format: typeof SNAPSHOT_FORMAT;
  /** Who the snapshot is from: host name, capture time, the coco version that took it. */
  readonly machine?: MachineIdentity;
  /** Namespaced facts by kind id, then key. */
  readonly facts?: Readonly<Record<string, Readonly<Record<string, JsonValue>>>>;
  readonly kernelLog?: readonly string[];
  /** `/proc/cpuinfo` fields by name (only those plugins read, unless the whole file was asked for). */
  readonly cpuinfo?: Readonly<Record<string, string>>;
  readonly files?: Readonly<Record<string, SnapshotFileJson>>;
  /**
   * The sources that could not be read when the snapshot was taken, and what would make them
   * readable: a snapshot taken without root says so, and reads back as "cannot tell", not "no".
   */
  readonly unavailable?: readonly SnapshotUnavailableJson[];
}

/**
 * The `coco-snapshot/1` document, still read and converted: its `cpuid`, `msr` and `tdx` keys
 * belong to the fact kinds that declare them as their `legacy` key.
 */
export interface SnapshotV1Json {
  readonly $schema?: string;
  readonly format: typeof SNAPSHOT_FORMAT_V1;
  readonly kernelLog?: readonly string[];
  readonly cpuinfoFlags?: readonly string[];
  readonly files?: Readonly<Record<string, boolean>>;
  readonly unavailable?: readonly SnapshotUnavailableJson[];
  readonly machine?: MachineIdentity;
  /** The keys that belong to plugins' fact kinds (`legacy.key`). */
  readonly [legacyKey: string]: unknown;
}

/** One source a snapshot could not read. */
export interface SnapshotUnavailableJson {
  readonly source: string;
  readonly kind?: EvidenceKind;
  readonly reason: string;
  readonly fix: string;
}

/** Options of the parsers: the name of the input, used in every error and as the facts' source. */
export interface ParseOptions {
  /** A file name or label such as `stdin`; defaults to the format's name. */
  readonly source?: string;
}

/** Options of {@link parseSnapshot}. */
export interface SnapshotParseOptions extends ParseOptions {
  /**
   * The fact kinds to check now and to convert `coco-snapshot/1` keys with (a registry's
   * `factKinds`). Facts of other kinds are kept with a warning; detection checks them later.
   */
  readonly factKinds?: readonly FactKind[];
}

/** Snapshots larger than this are refused rather than parsed. */
export const SNAPSHOT_MAX_BYTES = 16 * 1024 * 1024;
const V1_KEYS = ['$schema', 'format', 'kernelLog', 'cpuinfoFlags', 'files', 'unavailable', 'machine'];
const V2_KEYS = ['$schema', 'format', 'machine', 'facts', 'kernelLog', 'cpuinfo', 'files', 'unavailable'];
const MACHINE_KEYS = ['hostname', 'capturedAt', 'cocoVersion'];
const HOSTNAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,252})$/;
const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)$/;
const VERSION = /^\d{1,9}\.\d{1,9}\.\d{1,9}(?:[-+][0-9A-Za-z.-]{1,64})?$/;
const NOTE_KEYS = ['source', 'kind', 'reason', 'fix'];
const NOTE_TEXT_MAX = 1024;
const FLAG = /^[A-Za-z0-9_.-]{1,64}$/;

type Json = unknown;

function fail(input: string, location: string, problem: string, fix: string): never {
  throw new CocoError('SNAPSHOT_INVALID', problem, { input, location, fix });
}

function isRecord(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function expectRecord(value: Json, input: string, path: string): Record<string, Json> {
  if (!isRecord(value))
    fail(input, path, `expected an object, found ${describeValue(value)}`, 'see the coco-snapshot/2 format');
  return value;
}

function expectArray(value: Json, input: string, path: string): Json[] {
  if (!Array.isArray(value))
    fail(input, path, `expected an array, found ${describeValue(value)}`, 'see the coco-snapshot/2 format');
  return value;
}

const member = (path: string, key: string) =>
  /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;

/**
 * The most entries a snapshot may hold in each of `facts` (all kinds together), `files`,
 * `cpuinfo` and `unavailable`: a machine has a few hundred; a document with hundreds of thousands
 * would cost seconds and hundreds of megabytes to read for nothing.
 */
export const SNAPSHOT_MAX_ENTRIES = 65_536;

function checkEntries(name: string, at: string, count: number): void {
  if (count > SNAPSHOT_MAX_ENTRIES)
    fail(
      name,
      at,
      `it holds ${count} entries, more than ${SNAPSHOT_MAX_ENTRIES}`,
      'pass a snapshot of one machine, as coco snapshot writes it',
    );
}

function readText(input: string, name: string): Json {
  if (input.length > SNAPSHOT_MAX_BYTES) {
    fail(
      name,
      '$',
      `the snapshot is ${input.length} bytes, more than ${SNAPSHOT_MAX_BYTES}`,
      'pass a snapshot written by coco snapshot',
    );
  }
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const deep = tooDeepAt(text, SNAPSHOT_MAX_DEPTH);
  if (deep !== -1) {
    fail(
      name,
      '$',
      `it nests arrays and objects more than ${SNAPSHOT_MAX_DEPTH} deep (at character ${deep})`,
      'pass a snapshot written by coco snapshot',
    );
  }
  let doc: Json;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    fail(
      name,
      '$',
      `not valid JSON (${error instanceof Error ? error.message : 'parse error'})`,
      'pass a coco-snapshot/2 (or /1) JSON file',
    );
  }
  return doc;
}

/** Refuses a key that appears twice in one object of the text (checked after the entry counts). */
function refuseDuplicateKeys(text: string, name: string): void {
  const duplicate = findDuplicateKey(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  if (duplicate) {
    fail(
      name,
      duplicate.path,
      `key ${JSON.stringify(duplicate.key)} appears twice`,
      'keep one entry per key: JSON readers disagree about which of two duplicates counts',
    );
  }
}

/**
 * Refuses a document holding more entries than {@link SNAPSHOT_MAX_ENTRIES} in any of the places
 * that can grow, before anything costs time per entry (the duplicate-key scan included).
 */
function checkAllEntries(top: Record<string, Json>, name: string): void {
  checkEntries(name, '$', Object.keys(top).length);
  const facts = own(top, 'facts');
  if (isRecord(facts)) {
    const kinds = Object.keys(facts);
    checkEntries(name, '$.facts', kinds.length);
    let count = 0;
    for (const kind of kinds) {
      const byKey = facts[kind];
      if (isRecord(byKey)) count += Object.keys(byKey).length;
    }
    checkEntries(name, '$.facts', count);
  }
  for (const key of ['files', 'cpuinfo'] as const) {
    const value = own(top, key);
    if (isRecord(value)) checkEntries(name, `$.${key}`, Object.keys(value).length);
  }
  const notes = own(top, 'unavailable');
  if (Array.isArray(notes)) checkEntries(name, '$.unavailable', notes.length);
}

function readKernelLog(top: Record<string, Json>, name: string, builder: EvidenceBuilder): void {
  const lines = expectArray(top.kernelLog, name, '$.kernelLog').map((line, i) => {
    if (typeof line !== 'string')
      fail(
        name,
        `$.kernelLog[${i}]`,
        `expected a string, found ${describeValue(line)}`,
        'give each log line as a string',
      );
    return line;
  });
  builder.addLogLines(normaliseKernelLog(lines, { source: name }));
}

function readUnavailable(
  top: Record<string, Json>,
  name: string,
  builder: EvidenceBuilder,
  legacyKinds: ReadonlyMap<string, string> | null,
): void {
  const notes = expectArray(top.unavailable, name, '$.unavailable');
  checkEntries(name, '$.unavailable', notes.length);
  notes.forEach((entry, i) => {
    const path = `$.unavailable[${i}]`;
    const note = expectRecord(entry, name, path);
    for (const key of Object.keys(note)) {
      if (!NOTE_KEYS.includes(key))
        fail(
          name,
          `${path}.${key}`,
          `unknown key ${JSON.stringify(key)}`,
          `use only ${NOTE_KEYS.join(', ')}`,
        );
    }
    const text = (key: string) => {
      const value = own(note, key);
      if (typeof value !== 'string' || value === '' || value.length > NOTE_TEXT_MAX)
        fail(
          name,
          `${path}.${key}`,
          `${describeValue(value)} is not a short text`,
          `give ${key} as a string`,
        );
      return value;
    };
    const given = own(note, 'kind');
    // Format 1 named kinds by its top-level keys; they become the fact kinds that declare them.
    const kind =
      legacyKinds && typeof given === 'string' && legacyKinds.has(given) ? legacyKinds.get(given) : given;
    const strict =
      legacyKinds === null &&
      typeof kind === 'string' &&
      !kind.includes('.') &&
      !['kernel-log', 'cpuinfo', 'files'].includes(kind);
    if (kind !== undefined && (!isEvidenceKind(kind) || strict))
      fail(
        name,
        `${path}.kind`,
        `${describeValue(kind)} is not a kind of evidence`,
        'use kernel-log, cpuinfo, files or a fact kind id such as "acme.config"',
      );
    builder.addUnavailable({
      source: text('source'),
      ...(kind !== undefined && { kind }),
      reason: text('reason'),
      fix: text('fix'),
    });
  });
}

function readMachine(top: Record<string, Json>, name: string, builder: EvidenceBuilder): void {
  builder.setMachine(checkedMachine(top.machine, name));
}

function checkedMachine(value: Json, name: string): MachineIdentity {
  const machine = expectRecord(value, name, '$.machine');
  const checks: Record<string, [RegExp, string]> = {
    hostname: [HOSTNAME, 'a host name such as "node-17"'],
    capturedAt: [DATE_TIME, 'an ISO 8601 date-time such as "2026-11-30T06:20:00Z"'],
    cocoVersion: [VERSION, 'a version such as "1.2.0"'],
  };
  for (const key of Object.keys(machine)) {
    const check = checks[key];
    if (!MACHINE_KEYS.includes(key) || !check)
      fail(
        name,
        `$.machine.${key}`,
        `unknown key ${JSON.stringify(key)}`,
        `use only ${MACHINE_KEYS.join(', ')}`,
      );
    const value = machine[key];
    if (typeof value !== 'string' || !check[0].test(value))
      fail(name, `$.machine.${key}`, `${describeValue(value)} is not valid`, `give ${check[1]}`);
  }
  return machine as MachineIdentity;
}

/**
 * Reads a snapshot's `machine` member (`{hostname, capturedAt, cocoVersion}`, each optional) as
 * {@link parseSnapshot} reads it, into the identity its evidence would carry (the same keys in the
 * same order, frozen). For a tool that has the rest of a snapshot already: `coco fleet` checks each
 * machine's identity where its evidence is one it decided before.
 *
 * @throws {@link CocoError} `SNAPSHOT_INVALID`, naming `options.source` and `$.machine.KEY`.
 */
export function readMachineIdentity(value: unknown, options: ParseOptions = {}): MachineIdentity {
  const given = own(options, 'source');
  return frozenIdentity(checkedMachine(value, typeof given === 'string' ? given : 'snapshot'));
}

function readFiles(
  top: Record<string, Json>,
  name: string,
  source: string,
  builder: EvidenceBuilder,
  v2: boolean,
): void {
  const files = expectRecord(top.files, name, '$.files');
  const paths = Object.keys(files);
  checkEntries(name, '$.files', paths.length);
  for (const path of paths) {
    const at = member('$.files', path);
    const entry = files[path];
    if (!path.startsWith('/') || path.length > 4096)
      fail(name, at, `${describeValue(path)} is not an absolute path`, 'write "/dev/acme-guest": true');
    if (typeof entry === 'boolean') {
      builder.setFile(path, entry, source);
      continue;
    }
    if (!v2 || !isRecord(entry))
      fail(
        name,
        at,
        `${describeValue(entry)} is not true or false${v2 ? ' or {"exists": true, "content": "..."}' : ''}`,
        v2
          ? 'write "/dev/acme-guest": true, or "/sys/acme/guest": {"exists": true, "content": "1\\n"}'
          : 'write "/dev/acme-guest": true',
      );
    for (const key of Object.keys(entry))
      if (key !== 'exists' && key !== 'content')
        fail(name, `${at}.${key}`, `unknown key ${JSON.stringify(key)}`, 'use only exists and content');
    const content = own(entry, 'content');
    if (own(entry, 'exists') !== true || typeof content !== 'string' || content.length > FILE_CONTENT_MAX)
      fail(
        name,
        at,
        'a file with contents needs "exists": true and "content" as text',
        `give the text it held, at most ${FILE_CONTENT_MAX} characters`,
      );
    builder.setFile(path, true, source, content);
  }
  builder.saw('files');
}

function addFact(
  builder: EvidenceBuilder,
  kind: FactKind | undefined,
  kindId: string,
  key: string,
  json: Json,
  source: string,
  name: string,
  at: string,
): void {
  let value: unknown;
  if (kind) {
    try {
      value = kind.decode(json as JsonValue, key);
    } catch (error) {
      fail(
        name,
        at,
        `${describeFactKey(kind, key)} is not valid (${error instanceof Error ? error.message : 'invalid'})`,
        `give a value ${kind.title} can hold`,
      );
    }
  }
  try {
    if (kind) addDecodedFact(builder, kind, key, json as JsonValue, value, source);
    else builder.addStoredFact(kindId, key, json as JsonValue, source);
  } catch (error) {
    fail(name, at, isCocoError(error) ? error.problem : 'not a valid fact', 'see the coco-snapshot/2 format');
  }
}

function readFacts(
  top: Record<string, Json>,
  name: string,
  source: string,
  builder: EvidenceBuilder,
  kinds: ReadonlyMap<string, FactKind>,
): void {
  const facts = expectRecord(top.facts, name, '$.facts');
  const kindIds = Object.keys(facts);
  checkEntries(name, '$.facts', kindIds.length);
  let count = 0;
  for (const kindId of kindIds) {
    const at = member('$.facts', kindId);
    if (!FACT_KIND_PATTERN.test(kindId))
      fail(name, at, `${JSON.stringify(kindId)} is not a fact kind`, 'name fact kinds "<namespace>.<name>"');
    const byKey = expectRecord(facts[kindId], name, at);
    // A kind no plugin here declares is kept; detection says that no plugin read it.
    const kind = kinds.get(kindId);
    const keys = Object.keys(byKey);
    count += keys.length;
    checkEntries(name, '$.facts', count);
    for (const key of keys) addFact(builder, kind, kindId, key, byKey[key], source, name, member(at, key));
  }
}

function readV1(
  top: Record<string, Json>,
  name: string,
  source: string,
  builder: EvidenceBuilder,
  legacy: ReadonlyMap<string, FactKind>,
): void {
  for (const key of Object.keys(top)) {
    if (V1_KEYS.includes(key)) continue;
    const kind = legacy.get(key);
    if (!kind) {
      // With plugins known, a key none of them declares is an error, as format 1 always said;
      // with none known yet, it waits for the registry that detects (resolveLegacy).
      if (legacy.size > 0)
        fail(
          name,
          `$.${key}`,
          `unknown key ${JSON.stringify(key)}`,
          `use only ${[...V1_KEYS, ...legacy.keys()].join(', ')}, or register the plugin that reads it`,
        );
      builder.addLegacy(key, top[key] as JsonValue, source);
      continue;
    }
    let pairs: (readonly [string, unknown])[];
    try {
      pairs = [...(kind.legacy as NonNullable<FactKind['legacy']>).read(top[key] as JsonValue)];
    } catch (error) {
      // A plugin's reader knows the JSON path, not the file: name the file as every other error does.
      if (isCocoError(error) && error.code === 'SNAPSHOT_INVALID' && error.input !== name)
        throw new CocoError('SNAPSHOT_INVALID', error.problem, {
          input: name,
          ...(error.location !== undefined && { location: error.location }),
          fix: error.fix,
        });
      if (isCocoError(error)) throw error;
      fail(
        name,
        `$.${key}`,
        `${error instanceof Error ? error.message : 'not valid'}`,
        `see the ${SNAPSHOT_FORMAT_V1} format`,
      );
    }
    for (const [factKey, value] of pairs) {
      try {
        builder.addFact(kind, factKey, value, source);
      } catch (error) {
        fail(
          name,
          `$.${key}`,
          isCocoError(error) ? error.problem : 'not valid',
          `see the ${SNAPSHOT_FORMAT_V1} format`,
        );
      }
    }
    builder.saw(kind.id);
  }
  if (hasOwn(top, 'cpuinfoFlags')) {
    const flags = expectArray(top.cpuinfoFlags, name, '$.cpuinfoFlags').map((flag, i) => {
      if (typeof flag !== 'string' || !FLAG.test(flag))
        fail(
          name,
          `$.cpuinfoFlags[${i}]`,
          `${describeValue(flag)} is not a cpuinfo flag`,
          'give flags as /proc/cpuinfo prints them',
        );
      return flag;
    });
    // Format 1 held x86's `flags` field as a list: it becomes that field again.
    builder.addCpuinfo([['flags', flags.join(' ')]], source);
  }
}

function readCpuinfo(
  top: Record<string, Json>,
  name: string,
  source: string,
  builder: EvidenceBuilder,
): void {
  const fields = expectRecord(top.cpuinfo, name, '$.cpuinfo');
  checkEntries(name, '$.cpuinfo', Object.keys(fields).length);
  const pairs: [string, string][] = [];
  for (const field of Object.keys(fields)) {
    const value = fields[field];
    if (typeof value !== 'string')
      fail(
        name,
        member('$.cpuinfo', field),
        `expected a string, found ${describeValue(value)}`,
        'give each field as text',
      );
    pairs.push([field, value]);
  }
  try {
    builder.addCpuinfo(pairs, source);
  } catch (error) {
    fail(
      name,
      '$.cpuinfo',
      isCocoError(error) ? error.problem : 'not valid',
      'give /proc/cpuinfo fields as the kernel writes them',
    );
  }
}

let defaultKinds: (() => readonly FactKind[]) | undefined;
/** @internal The registry module gives the default registry's fact kinds here (no import cycle). */
export function setDefaultFactKinds(get: () => readonly FactKind[]): void {
  defaultKinds = get;
}

/** What parsing needs of a list of fact kinds: each by id, and those with a format-1 key by that key. */
interface KindIndex {
  readonly byId: ReadonlyMap<string, FactKind>;
  /** Format 1's top-level keys, each with the kind that reads it. */
  readonly byLegacyKey: ReadonlyMap<string, FactKind>;
  /** Format 1's kind names (its top-level keys), each with the id of the kind that now reads it. */
  readonly legacyIds: ReadonlyMap<string, string>;
}

// A registry hands the same frozen list of kinds to every parse: index it once, not per snapshot.
const kindIndexes = new WeakMap<readonly FactKind[], KindIndex>();

function kindsById(list: readonly FactKind[]): KindIndex {
  const known = kindIndexes.get(list);
  if (known) return known;
  const byId = new Map<string, FactKind>();
  for (const kind of list) if (kind && typeof kind.id === 'string') byId.set(kind.id, kind);
  const byLegacyKey = new Map<string, FactKind>();
  for (const kind of byId.values()) if (kind.legacy) byLegacyKey.set(kind.legacy.key, kind);
  const legacyIds = new Map(
    [...byId.values()].filter((k) => k.legacy).map((k) => [k.legacy?.key as string, k.id]),
  );
  const index: KindIndex = { byId, byLegacyKey, legacyIds };
  if (Object.isFrozen(list)) kindIndexes.set(list, index);
  return index;
}

function checkedTop(doc: Json, name: string): Record<string, Json> {
  const top = expectRecord(doc, name, '$');
  checkAllEntries(top, name);
  return top;
}

function readDocument(text: string, name: string): Record<string, Json> {
  const top = checkedTop(readText(text, name), name);
  refuseDuplicateKeys(text, name);
  return top;
}

/**
 * Reads a snapshot's text into its JSON document with the checks only the text allows (its size,
 * nesting depth, syntax, entry counts and keys that appear twice in one object), the first step of
 * {@link parseSnapshot}, which takes the document this returns. For a tool that looks at a
 * snapshot's JSON before parsing it: `coco fleet` decides machines whose evidence is the same once.
 *
 * @throws {@link CocoError} `SNAPSHOT_INVALID`, naming `options.source`.
 */
export function readSnapshotJson(
  text: string,
  options: ParseOptions = {},
): { readonly [key: string]: unknown } {
  const given = own(options, 'source');
  return readDocument(text, typeof given === 'string' ? given : 'snapshot');
}

/**
 * Parses a `coco-snapshot/2` document, or a `coco-snapshot/1` one which it converts (text or an
 * already parsed value), into evidence. Strict about what core reads: unknown keys of format 1 are
 * named in the error, no key (`__proto__` included) ever reaches an object prototype. Facts of a
 * kind no plugin declares are kept with a warning (a newer coco may have written them).
 */
export function parseSnapshot(input: string | Json, options: SnapshotParseOptions = {}): Evidence {
  const given = own(options, 'source');
  const name = typeof given === 'string' ? given : 'snapshot';
  const source = typeof given === 'string' ? `snapshot ${name}` : name;
  const list = (own(options, 'factKinds') as readonly FactKind[] | undefined) ?? defaultKinds?.() ?? [];
  const kinds = kindsById(list);
  const top = typeof input === 'string' ? readDocument(input, name) : checkedTop(input, name);
  const format = own(top, 'format');
  const v2 = format === SNAPSHOT_FORMAT;
  if (!v2 && format !== SNAPSHOT_FORMAT_V1) {
    fail(name, '$.format', `format is ${describeValue(format)}`, `set "format": "${SNAPSHOT_FORMAT}"`);
  }
  const schema = own(top, '$schema');
  if (hasOwn(top, '$schema') && (typeof schema !== 'string' || schema.length > 2048)) {
    fail(
      name,
      '$.$schema',
      `${describeValue(schema)} is not a URL`,
      'give the schema URL as a string, or leave it out',
    );
  }
  const builder = new EvidenceBuilder();
  try {
    if (v2) {
      const unknown = Object.keys(top).filter((key) => !V2_KEYS.includes(key));
      if (unknown.length > 0)
        builder.warn(
          `${name}: unknown key${unknown.length === 1 ? '' : 's'} ${namedFew(unknown)} (a newer coco may have written ${unknown.length === 1 ? 'it' : 'them'}): not read`,
        );
      if (hasOwn(top, 'facts')) readFacts(top, name, source, builder, kinds.byId);
      if (hasOwn(top, 'cpuinfo')) readCpuinfo(top, name, source, builder);
    } else {
      readV1(top, name, source, builder, kinds.byLegacyKey);
    }
    if (hasOwn(top, 'kernelLog')) readKernelLog(top, name, builder);
    if (hasOwn(top, 'files')) readFiles(top, name, source, builder, v2);
    const legacyKinds = v2 ? null : kinds.legacyIds;
    if (hasOwn(top, 'unavailable')) readUnavailable(top, name, builder, legacyKinds);
    if (hasOwn(top, 'machine')) readMachine(top, name, builder);
  } catch (error) {
    if (isCocoError(error)) throw error;
    fail(
      name,
      '$',
      `could not be read (${error instanceof Error ? error.message : 'unknown error'})`,
      'pass a coco-snapshot/2 JSON file',
    );
  }
  return builder.build();
}

/**
 * The lines as they were read, each once: one source line the normaliser split into several
 * messages (two kernel lines joined where a newline was lost) gives several lines with the same raw.
 */
function rawLines(lines: readonly LogLine[]): string[] {
  const out: string[] = [];
  let previous: LogLine | undefined;
  for (const line of lines) {
    if (
      !previous ||
      previous.raw !== line.raw ||
      previous.line !== line.line ||
      previous.source !== line.source
    ) {
      out.push(line.raw);
    }
    previous = line;
  }
  return out;
}

/**
 * What stands in a private snapshot for lines left out between two kept ones. Readers of the log
 * join a line to the one right after it (a `pr_cont` split), so a line left out must still part
 * them; this text is no kernel message, no elision, and no plugin's line.
 */
export const LEFT_OUT = /^coco snapshot: \d{1,12} lines? left out$/;

const leftOut = (n: number) => `coco snapshot: ${n} line${n === 1 ? '' : 's'} left out`;

/**
 * The raw lines that hold a message `patterns` match, each once; every run of lines left out
 * between two kept ones becomes one {@link LEFT_OUT} line, so what was apart stays apart.
 */
function keptLines(lines: readonly LogLine[], patterns: readonly RegExp[]): string[] {
  const key = (l: LogLine) => `${l.line}\u0000${l.source}`;
  const kept = new Set<string>();
  for (const l of lines) if (patterns.some((p) => p.test(l.text))) kept.add(key(l));
  const out: string[] = [];
  let gap = 0;
  let previous: LogLine | undefined;
  for (const line of lines) {
    if (!kept.has(key(line))) {
      if (!previous || key(previous) !== key(line)) gap++;
      previous = line;
      continue;
    }
    if (previous && key(previous) === key(line) && previous.raw === line.raw) continue;
    if (gap > 0 && out.length > 0) out.push(leftOut(gap));
    gap = 0;
    out.push(line.raw);
    previous = line;
  }
  return out;
}

/** Options of {@link toSnapshot}. */
export interface SnapshotOptions {
  /**
   * Keep only the kernel-log lines whose normalised text matches one of these patterns (a
   * registry's `logPatterns`: what core and the plugins read). Without it, every line is kept.
   */
  readonly logPatterns?: readonly RegExp[];
  /** Keep only these `/proc/cpuinfo` fields (a registry's `cpuinfoFields`). Without it, every field is kept. */
  readonly cpuinfoFields?: readonly string[];
  /**
   * `2` (the default) writes `coco-snapshot/2`; `1` writes `coco-snapshot/1` for tools that read
   * only that, through the fact kinds' `legacy` keys (`factKinds`); what format 1 cannot hold
   * (file contents, cpuinfo fields other than flags, facts without a legacy key) is left out.
   */
  readonly version?: 1 | 2;
  /** The fact kinds, for `version: 1`. */
  readonly factKinds?: readonly FactKind[];
}

const define = (target: Record<string, unknown>, key: string, value: unknown) =>
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });

function commonParts(evidence: Evidence, patterns: readonly RegExp[] | undefined) {
  return {
    ...(evidence.kinds.has('kernel-log') && {
      kernelLog: patterns ? keptLines(evidence.kernelLog, patterns) : rawLines(evidence.kernelLog),
    }),
    ...(evidence.unavailable.length > 0 && {
      unavailable: evidence.unavailable.map((n) => ({
        source: n.source,
        ...(n.kind !== undefined && { kind: n.kind }),
        reason: n.reason,
        fix: n.fix,
      })),
    }),
  };
}

/**
 * Writes evidence as a `coco-snapshot/2` document (or `/1` on request), with the sources that
 * could not be read (conflicts are not part of it: resolve them first). With `logPatterns` and
 * `cpuinfoFields`, only what a plugin reads is kept, which keeps the boot command line, host names
 * and serial numbers out of bug reports.
 */
export function toSnapshot(evidence: Evidence, options: SnapshotOptions = {}): SnapshotJson {
  const patterns = own(options, 'logPatterns') as readonly RegExp[] | undefined;
  const fields = own(options, 'cpuinfoFields') as readonly string[] | undefined;
  const kinds = (own(options, 'factKinds') as readonly FactKind[] | undefined) ?? defaultKinds?.() ?? [];
  evidence = resolveLegacy(evidence, kinds);
  if (own(options, 'version') === 1) return toSnapshotV1(evidence, options) as unknown as SnapshotJson;
  const doc: Record<string, unknown> = { $schema: SNAPSHOT_SCHEMA_URL, format: SNAPSHOT_FORMAT };
  if (evidence.machine && Object.keys(evidence.machine).length > 0) doc.machine = { ...evidence.machine };
  if (evidence.storedFacts.size > 0) {
    const facts: Record<string, Record<string, JsonValue>> = {};
    for (const [kindId, byKey] of [...evidence.storedFacts].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const out: Record<string, JsonValue> = {};
      for (const [key, v] of byKey) define(out, key, v.value);
      define(facts, kindId, out);
    }
    doc.facts = facts;
  }
  const { kernelLog, unavailable } = commonParts(evidence, patterns);
  if (kernelLog) doc.kernelLog = kernelLog;
  if (evidence.kinds.has('cpuinfo')) {
    const cpuinfo: Record<string, string> = {};
    for (const [field, v] of evidence.cpuinfo)
      if (!fields || fields.includes(field)) define(cpuinfo, field, v.value);
    if (evidence.cpuinfo.size === 0 && evidence.cpuinfoFlags.size > 0) {
      define(cpuinfo, 'flags', [...evidence.cpuinfoFlags.keys()].join(' '));
    }
    doc.cpuinfo = cpuinfo;
  }
  if (evidence.kinds.has('files')) {
    const files: Record<string, SnapshotFileJson> = {};
    for (const [path, v] of evidence.files)
      define(files, path, v.content === undefined ? v.value : { exists: true, content: v.content });
    doc.files = files;
  }
  if (unavailable) doc.unavailable = unavailable;
  return doc as unknown as SnapshotJson;
}

function toSnapshotV1(evidence: Evidence, options: SnapshotOptions): SnapshotV1Json {
  const doc: Record<string, unknown> = { $schema: SNAPSHOT_V1_SCHEMA_URL, format: SNAPSHOT_FORMAT_V1 };
  const kinds = (own(options, 'factKinds') as readonly FactKind[] | undefined) ?? defaultKinds?.() ?? [];
  for (const kind of kinds) {
    const legacy = kind.legacy;
    if (!legacy?.write || !evidence.kinds.has(kind.id)) continue;
    const facts = new Map<string, unknown>();
    for (const [key, v] of evidence.facts(kind)) facts.set(key, v.value);
    doc[legacy.key] = legacy.write(facts);
  }
  const { kernelLog, unavailable } = commonParts(
    evidence,
    own(options, 'logPatterns') as readonly RegExp[] | undefined,
  );
  if (kernelLog) doc.kernelLog = kernelLog;
  const legacyKey = new Map(kinds.filter((k) => k.legacy).map((k) => [k.id, k.legacy?.key]));
  if (unavailable)
    for (const note of unavailable as { kind?: string }[])
      if (note.kind !== undefined && legacyKey.has(note.kind)) note.kind = legacyKey.get(note.kind) as string;
  if (evidence.kinds.has('cpuinfo')) doc.cpuinfoFlags = [...evidence.cpuinfoFlags.keys()];
  if (evidence.kinds.has('files')) {
    const files: Record<string, boolean> = {};
    for (const [path, v] of evidence.files) define(files, path, v.value);
    doc.files = files;
  }
  if (unavailable) doc.unavailable = unavailable;
  if (evidence.machine && Object.keys(evidence.machine).length > 0) doc.machine = { ...evidence.machine };
  return doc as SnapshotV1Json;
}
