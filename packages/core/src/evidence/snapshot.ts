import { CocoError, describeValue, isCocoError } from '../errors.js';
import { hasOwn, own } from '../own.js';
import { parseHex, parseHex32 } from './hex.js';
import { findDuplicateKey } from './json-duplicates.js';
import { normaliseKernelLog } from './kernel-log.js';
import {
  EVIDENCE_KINDS,
  type Evidence,
  EvidenceBuilder,
  type EvidenceKind,
  type LogLine,
  type MachineIdentity,
} from './model.js';

/** The format tag of a snapshot document. */
export const SNAPSHOT_FORMAT = 'coco-snapshot/1';

/** The `$schema` `toSnapshot` writes: the JSON Schema of `coco-snapshot/1` (also in `@coco/core/schemas/*`). */
export const SNAPSHOT_SCHEMA_URL =
  'https://raw.githubusercontent.com/coco-project/coco/main/schemas/coco-snapshot-1.schema.json';

/** One CPUID entry of a `coco-snapshot/1` document. */
export interface SnapshotCpuidJson {
  readonly leaf: string;
  readonly subleaf: string;
  readonly eax: string;
  readonly ebx: string;
  readonly ecx: string;
  readonly edx: string;
}

/** The `coco-snapshot/1` document: a machine's evidence, for bug reports and offline detection. */
export interface SnapshotJson {
  /** The JSON Schema of the document; any string is accepted when reading. */
  readonly $schema?: string;
  readonly format: typeof SNAPSHOT_FORMAT;
  readonly cpuid?: readonly SnapshotCpuidJson[];
  readonly msr?: Readonly<Record<string, string>>;
  readonly tdx?: { readonly gpaw?: number };
  readonly kernelLog?: readonly string[];
  readonly cpuinfoFlags?: readonly string[];
  readonly files?: Readonly<Record<string, boolean>>;
  /**
   * The sources that could not be read when the snapshot was taken, and what would make them
   * readable: a snapshot taken without root says so, and reads back as "cannot tell", not "no".
   */
  readonly unavailable?: readonly SnapshotUnavailableJson[];
  /** Who the snapshot is from: host name, capture time, the coco version that took it. */
  readonly machine?: MachineIdentity;
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

/** Snapshots larger than this are refused rather than parsed. */
export const SNAPSHOT_MAX_BYTES = 16 * 1024 * 1024;
const TOP_KEYS = new Set([
  '$schema',
  'format',
  'cpuid',
  'msr',
  'tdx',
  'kernelLog',
  'cpuinfoFlags',
  'files',
  'unavailable',
  'machine',
]);
const MACHINE_KEYS = ['hostname', 'capturedAt', 'cocoVersion'];
const HOSTNAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,252})$/;
const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)$/;
const VERSION = /^\d{1,9}\.\d{1,9}\.\d{1,9}(?:[-+][0-9A-Za-z.-]{1,64})?$/;
const NOTE_KEYS = ['source', 'kind', 'reason', 'fix'];
const NOTE_TEXT_MAX = 1024;
const CPUID_KEYS = ['leaf', 'subleaf', 'eax', 'ebx', 'ecx', 'edx'] as const;
const FLAG = /^[a-z0-9_]{1,64}$/;

type Json = unknown;

function fail(input: string, location: string, problem: string, fix: string): never {
  throw new CocoError('SNAPSHOT_INVALID', problem, { input, location, fix });
}

function isRecord(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function expectRecord(value: Json, input: string, path: string): Record<string, Json> {
  if (!isRecord(value))
    fail(input, path, `expected an object, found ${describeValue(value)}`, 'see the coco-snapshot/1 format');
  return value;
}

function expectArray(value: Json, input: string, path: string): Json[] {
  if (!Array.isArray(value))
    fail(input, path, `expected an array, found ${describeValue(value)}`, 'see the coco-snapshot/1 format');
  return value;
}

/**
 * Parses a `coco-snapshot/1` document (text or an already parsed value) into evidence. Strict:
 * unknown keys are named in the error, every hex width is checked, and no key (`__proto__`
 * included) ever reaches an object prototype.
 */
export function parseSnapshot(input: string | Json, options: ParseOptions = {}): Evidence {
  const given = own(options, 'source');
  const name = typeof given === 'string' ? given : 'snapshot';
  const source = typeof given === 'string' ? `snapshot ${name}` : name;
  let doc: Json = input;
  if (typeof input === 'string') {
    if (input.length > SNAPSHOT_MAX_BYTES) {
      fail(
        name,
        '$',
        `the snapshot is ${input.length} bytes, more than ${SNAPSHOT_MAX_BYTES}`,
        'pass a snapshot written by coco snapshot',
      );
    }
    const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
    try {
      doc = JSON.parse(text);
    } catch (error) {
      fail(
        name,
        '$',
        `not valid JSON (${error instanceof Error ? error.message : 'parse error'})`,
        'pass a coco-snapshot/1 JSON file',
      );
    }
    const duplicate = findDuplicateKey(text);
    if (duplicate) {
      fail(
        name,
        duplicate.path,
        `key ${JSON.stringify(duplicate.key)} appears twice`,
        'keep one entry per key: JSON readers disagree about which of two duplicates counts',
      );
    }
  }
  const top = expectRecord(doc, name, '$');
  for (const key of Object.keys(top)) {
    if (!TOP_KEYS.has(key)) {
      fail(name, `$.${key}`, `unknown key ${JSON.stringify(key)}`, `use only ${[...TOP_KEYS].join(', ')}`);
    }
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
  if (own(top, 'format') !== SNAPSHOT_FORMAT) {
    fail(
      name,
      '$.format',
      `format is ${describeValue(own(top, 'format'))}`,
      `set "format": "${SNAPSHOT_FORMAT}"`,
    );
  }
  const builder = new EvidenceBuilder();
  const hex = (value: Json, bits: 32 | 64, location: string) =>
    parseHex(value, bits, { input: name, location, code: 'SNAPSHOT_INVALID' });
  try {
    if (hasOwn(top, 'cpuid')) {
      expectArray(top.cpuid, name, '$.cpuid').forEach((entry, i) => {
        const path = `$.cpuid[${i}]`;
        const e = expectRecord(entry, name, path);
        for (const key of Object.keys(e)) {
          if (!(CPUID_KEYS as readonly string[]).includes(key))
            fail(
              name,
              `${path}.${key}`,
              `unknown key ${JSON.stringify(key)}`,
              `use only ${CPUID_KEYS.join(', ')}`,
            );
        }
        const reg = (key: (typeof CPUID_KEYS)[number]) => {
          if (!hasOwn(e, key)) fail(name, `${path}.${key}`, `missing ${key}`, `give ${key} as a hex string`);
          return parseHex32(e[key], { input: name, location: `${path}.${key}`, code: 'SNAPSHOT_INVALID' });
        };
        builder.addCpuid(
          reg('leaf'),
          reg('subleaf'),
          { eax: reg('eax'), ebx: reg('ebx'), ecx: reg('ecx'), edx: reg('edx') },
          source,
        );
      });
    }
    if (hasOwn(top, 'msr')) {
      const msr = expectRecord(top.msr, name, '$.msr');
      for (const key of Object.keys(msr)) {
        const path = `$.msr[${JSON.stringify(key)}]`;
        builder.addMsr(Number(hex(key, 32, `${path} (the MSR index)`)), hex(msr[key], 64, path), source);
      }
      builder.saw('msr');
    }
    if (hasOwn(top, 'tdx')) {
      const tdx = expectRecord(top.tdx, name, '$.tdx');
      for (const key of Object.keys(tdx))
        if (key !== 'gpaw') fail(name, `$.tdx.${key}`, `unknown key ${JSON.stringify(key)}`, 'use only gpaw');
      if (hasOwn(tdx, 'gpaw')) {
        const gpaw = tdx.gpaw;
        if (gpaw !== 48 && gpaw !== 52)
          fail(
            name,
            '$.tdx.gpaw',
            `gpaw ${describeValue(gpaw)} is not 48 or 52`,
            'give the GPAW TDG.VP.INFO reports: 48 or 52',
          );
        builder.setTdxGpaw(gpaw, source);
      }
    }
    if (hasOwn(top, 'kernelLog')) {
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
    if (hasOwn(top, 'cpuinfoFlags')) {
      const flags = expectArray(top.cpuinfoFlags, name, '$.cpuinfoFlags').map((flag, i) => {
        if (typeof flag !== 'string' || !FLAG.test(flag))
          fail(
            name,
            `$.cpuinfoFlags[${i}]`,
            `${describeValue(flag)} is not a cpuinfo flag`,
            'give flags as in /proc/cpuinfo, such as "sev_snp"',
          );
        return flag;
      });
      builder.addFlags(flags, source);
    }
    if (hasOwn(top, 'files')) {
      const files = expectRecord(top.files, name, '$.files');
      for (const path of Object.keys(files)) {
        const exists = files[path];
        if (!path.startsWith('/') || typeof exists !== 'boolean') {
          fail(
            name,
            `$.files[${JSON.stringify(path)}]`,
            `${describeValue(path)}: ${describeValue(exists)} is not an absolute path with true or false`,
            'write "/dev/sev-guest": true',
          );
        }
        builder.setFile(path, exists, source);
      }
      builder.saw('files');
    }
    if (hasOwn(top, 'unavailable')) {
      expectArray(top.unavailable, name, '$.unavailable').forEach((entry, i) => {
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
        const kind = own(note, 'kind');
        if (kind !== undefined && !(EVIDENCE_KINDS as readonly unknown[]).includes(kind))
          fail(
            name,
            `${path}.kind`,
            `${describeValue(kind)} is not a kind of evidence`,
            `use ${EVIDENCE_KINDS.join(', ')}`,
          );
        builder.addUnavailable({
          source: text('source'),
          ...(kind !== undefined && { kind: kind as EvidenceKind }),
          reason: text('reason'),
          fix: text('fix'),
        });
      });
    }
    if (hasOwn(top, 'machine')) {
      const machine = expectRecord(top.machine, name, '$.machine');
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
      builder.setMachine(machine as MachineIdentity);
    }
  } catch (error) {
    if (isCocoError(error)) throw error;
    fail(
      name,
      '$',
      `could not be read (${error instanceof Error ? error.message : 'unknown error'})`,
      'pass a coco-snapshot/1 JSON file',
    );
  }
  return builder.build();
}

const hexOf = (value: number | bigint) => `0x${value.toString(16)}`;

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
}

/**
 * Writes evidence as a `coco-snapshot/1` document, with the sources that could not be read
 * (conflicts are not part of it: resolve them first). With `logPatterns`, the kernel log keeps
 * only the lines a plugin reads, which keeps the boot command line, host names and serial numbers
 * out of bug reports.
 */
export function toSnapshot(evidence: Evidence, options: SnapshotOptions = {}): SnapshotJson {
  const patterns = own(options, 'logPatterns') as readonly RegExp[] | undefined;
  const doc: { -readonly [K in keyof SnapshotJson]: SnapshotJson[K] } = {
    $schema: SNAPSHOT_SCHEMA_URL,
    format: SNAPSHOT_FORMAT,
  };
  if (evidence.kinds.has('cpuid')) {
    doc.cpuid = evidence.cpuidRecords.map((r) => ({
      leaf: hexOf(r.leaf),
      subleaf: hexOf(r.subleaf),
      eax: hexOf(r.eax),
      ebx: hexOf(r.ebx),
      ecx: hexOf(r.ecx),
      edx: hexOf(r.edx),
    }));
  }
  if (evidence.kinds.has('msr')) {
    const msr: Record<string, string> = {};
    for (const [index, v] of evidence.msrs)
      Object.defineProperty(msr, hexOf(index), { value: hexOf(v.value), enumerable: true });
    doc.msr = msr;
  }
  if (evidence.tdxGpaw) doc.tdx = { gpaw: evidence.tdxGpaw.value };
  if (evidence.kinds.has('kernel-log')) {
    doc.kernelLog = patterns ? keptLines(evidence.kernelLog, patterns) : rawLines(evidence.kernelLog);
  }
  if (evidence.kinds.has('cpuinfo')) doc.cpuinfoFlags = [...evidence.cpuinfoFlags.keys()];
  if (evidence.kinds.has('files')) {
    const files: Record<string, boolean> = {};
    for (const [path, v] of evidence.files)
      Object.defineProperty(files, path, { value: v.value, enumerable: true });
    doc.files = files;
  }
  if (evidence.machine && Object.keys(evidence.machine).length > 0) doc.machine = { ...evidence.machine };
  if (evidence.unavailable.length > 0) {
    doc.unavailable = evidence.unavailable.map((n) => ({
      source: n.source,
      ...(n.kind !== undefined && { kind: n.kind }),
      reason: n.reason,
      fix: n.fix,
    }));
  }
  return doc;
}
