import { CocoError, CocoRangeError, describeValue } from '../errors.js';
import { readOnlyMap, readOnlySet } from './read-only.js';

/** The kinds of evidence a machine can show. */
export type EvidenceKind = 'cpuid' | 'msr' | 'tdx' | 'kernel-log' | 'cpuinfo' | 'files';

/** Every {@link EvidenceKind}. */
export const EVIDENCE_KINDS: readonly EvidenceKind[] = Object.freeze([
  'cpuid',
  'msr',
  'tdx',
  'kernel-log',
  'cpuinfo',
  'files',
]);
const KINDS: readonly string[] = EVIDENCE_KINDS;

/** A value and where it came from (`snapshot azure.json`, `cpuid dump cpuid.txt`, `--msr`). */
export interface Sourced<T> {
  readonly value: T;
  readonly source: string;
}

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
  /** The fact: `msr 0xc0010131`, `cpuid 0x8000001f/0x0 ebx`, `tdx.gpaw`, `file /dev/sev-guest`. */
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
  cpuid(leaf: number, subleaf?: number): CpuidRecord | undefined;
  readonly cpuidRecords: readonly CpuidRecord[];
  msr(index: number): Sourced<bigint> | undefined;
  readonly msrs: ReadonlyMap<number, Sourced<bigint>>;
  /** TDX guest width from TDG.VP.INFO, when known. */
  readonly tdxGpaw: Sourced<number> | undefined;
  readonly kernelLog: readonly LogLine[];
  /** The `/proc/cpuinfo` flags, each with its source. */
  readonly cpuinfoFlags: ReadonlyMap<string, string>;
  hasFlag(flag: string): boolean;
  /** Whether a device node or sysfs/configfs entry exists, when known. */
  file(path: string): Sourced<boolean> | undefined;
  readonly files: ReadonlyMap<string, Sourced<boolean>>;
  readonly unavailable: readonly UnavailableSource[];
  readonly conflicts: readonly EvidenceConflict[];
  /** Who the evidence is from, when a snapshot says (the first one that does). */
  readonly machine: MachineIdentity | undefined;
}

const REGISTERS = ['eax', 'ebx', 'ecx', 'edx'] as const;
const hex = (value: number | bigint) => `0x${value.toString(16)}`;
const cpuidKey = (leaf: number, subleaf: number) => leaf * 2 ** 32 + subleaf;

function checkRange(value: unknown, max: number | bigint, what: string, source: string, min = 0): void {
  const ok = typeof max === 'bigint' ? typeof value === 'bigint' : Number.isInteger(value);
  if (!ok || (value as number) < min || (value as number) > max) {
    throw new CocoRangeError(`${what} ${describeValue(value)} is out of range`, {
      input: source,
      fix: `use a value from ${min} to ${hex(max)}`,
    });
  }
}

/**
 * Collects facts from parsers and probes. Adding the same fact twice with the same value is fine;
 * with a different value it records a conflict naming both sources and keeps the first value.
 */
export class EvidenceBuilder {
  readonly #kinds = new Set<EvidenceKind>();
  readonly #cpuid = new Map<number, CpuidRecord>();
  readonly #msr = new Map<number, Sourced<bigint>>();
  readonly #gpaw = new Map<0, Sourced<number>>();
  readonly #log: LogLine[] = [];
  readonly #flags = new Map<string, string>();
  readonly #files = new Map<string, Sourced<boolean>>();
  readonly #unavailable: UnavailableSource[] = [];
  readonly #conflicts: EvidenceConflict[] = [];
  #machine: MachineIdentity | undefined;

  /** Keeps the first value of a fact; a different later value becomes a conflict. */
  #put<K, V extends number | bigint | boolean>(
    map: Map<K, Sourced<V>>,
    key: K,
    value: V,
    source: string,
    fact: string,
  ): void {
    const old = map.get(key);
    if (!old) map.set(key, Object.freeze({ value, source }));
    else if (old.value !== value) this.#conflict(fact, old.value, old.source, value, source);
  }

  #conflict(
    fact: string,
    a: number | bigint | boolean,
    aSource: string,
    b: number | bigint | boolean,
    bSource: string,
  ): void {
    const show = (v: number | bigint | boolean) =>
      typeof v === 'boolean' || fact === 'tdx.gpaw' ? String(v) : hex(v);
    this.#conflicts.push(
      Object.freeze({
        fact,
        values: Object.freeze([
          { value: show(a), source: aSource },
          { value: show(b), source: bSource },
        ]),
      }),
    );
  }

  /** Records that a kind of evidence was read, even when it held nothing (an empty kernel log). */
  saw(kind: EvidenceKind): this {
    this.#kinds.add(kind);
    return this;
  }

  addCpuid(leaf: number, subleaf: number, registers: CpuidRegisters, source: string): this {
    checkRange(leaf, 0xffff_ffff, 'CPUID leaf', source);
    checkRange(subleaf, 0xffff_ffff, 'CPUID subleaf', source);
    for (const reg of REGISTERS) checkRange(registers[reg], 0xffff_ffff, reg, source);
    const { eax, ebx, ecx, edx } = registers;
    const record: CpuidRecord = Object.freeze({ leaf, subleaf, eax, ebx, ecx, edx, source });
    this.#kinds.add('cpuid');
    const key = cpuidKey(leaf, subleaf);
    const old = this.#cpuid.get(key);
    if (!old) this.#cpuid.set(key, record);
    else {
      for (const reg of REGISTERS) {
        if (old[reg] !== record[reg])
          this.#conflict(
            `cpuid ${hex(leaf)}/${hex(subleaf)} ${reg}`,
            old[reg],
            old.source,
            record[reg],
            source,
          );
      }
    }
    return this;
  }

  addMsr(index: number, value: bigint, source: string): this {
    checkRange(index, 0xffff_ffff, 'MSR index', source);
    checkRange(value, 2n ** 64n - 1n, `MSR ${hex(index)} value`, source);
    this.#kinds.add('msr');
    this.#put(this.#msr, index, value, source, `msr ${hex(index)}`);
    return this;
  }

  setTdxGpaw(gpaw: number, source: string): this {
    checkRange(gpaw, 64, 'TDX GPAW', source, 1);
    this.#kinds.add('tdx');
    this.#put(this.#gpaw, 0, gpaw, source, 'tdx.gpaw');
    return this;
  }

  addLogLines(lines: Iterable<LogLine>): this {
    this.#kinds.add('kernel-log');
    for (const line of lines) this.#log.push(Object.freeze({ ...line }));
    return this;
  }

  addFlags(flags: Iterable<string>, source: string): this {
    this.#kinds.add('cpuinfo');
    for (const flag of flags) if (!this.#flags.has(flag)) this.#flags.set(flag, source);
    return this;
  }

  setFile(path: string, exists: boolean, source: string): this {
    if (typeof path !== 'string' || path[0] !== '/' || typeof exists !== 'boolean') {
      throw new CocoError(
        'EVIDENCE_INVALID',
        `file entry ${describeValue(path)} = ${describeValue(exists)} is not valid`,
        {
          input: source,
          fix: 'give an absolute path and true or false',
        },
      );
    }
    this.#kinds.add('files');
    this.#put(this.#files, path, exists, source, `file ${path}`);
    return this;
  }

  /** Records who the evidence is from; the first identity given is kept. */
  setMachine(identity: MachineIdentity): this {
    if (this.#machine === undefined) {
      const { hostname, capturedAt, cocoVersion } = identity;
      this.#machine = Object.freeze({
        ...(typeof hostname === 'string' && { hostname }),
        ...(typeof capturedAt === 'string' && { capturedAt }),
        ...(typeof cocoVersion === 'string' && { cocoVersion }),
      });
    }
    return this;
  }

  addUnavailable(note: UnavailableSource): this {
    const kind = note.kind;
    if (kind !== undefined && !KINDS.includes(kind)) {
      throw new CocoError('EVIDENCE_INVALID', `kind ${describeValue(kind)} is not a kind of evidence`, {
        input: note.source,
        fix: `use one of ${KINDS.join(', ')}`,
      });
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

  /** Adds every fact of `evidence`, recording conflicts with what is already here. */
  merge(evidence: Evidence): this {
    for (const kind of evidence.kinds) this.#kinds.add(kind);
    for (const r of evidence.cpuidRecords) this.addCpuid(r.leaf, r.subleaf, r, r.source);
    for (const [index, v] of evidence.msrs) this.addMsr(index, v.value, v.source);
    if (evidence.tdxGpaw) this.setTdxGpaw(evidence.tdxGpaw.value, evidence.tdxGpaw.source);
    if (evidence.kinds.has('kernel-log')) this.addLogLines(evidence.kernelLog);
    for (const [flag, source] of evidence.cpuinfoFlags) this.addFlags([flag], source);
    for (const [path, v] of evidence.files) this.setFile(path, v.value, v.source);
    for (const note of evidence.unavailable) this.addUnavailable(note);
    if (evidence.machine) this.setMachine(evidence.machine);
    this.#conflicts.push(...evidence.conflicts);
    return this;
  }

  /** The evidence, immutable in fact: plugins receive read-only views that cannot be changed. */
  build(): Evidence {
    const cpuid = new Map(this.#cpuid);
    const msrs = readOnlyMap(this.#msr);
    const flags = readOnlyMap(this.#flags);
    const files = readOnlyMap(this.#files);
    return Object.freeze({
      kinds: readOnlySet(this.#kinds),
      cpuid: (leaf: number, subleaf = 0) => cpuid.get(cpuidKey(leaf, subleaf)),
      cpuidRecords: Object.freeze(
        [...cpuid.values()].sort((a, b) => a.leaf - b.leaf || a.subleaf - b.subleaf),
      ),
      msr: (index: number) => msrs.get(index),
      msrs,
      tdxGpaw: this.#gpaw.get(0),
      kernelLog: Object.freeze([...this.#log]),
      cpuinfoFlags: flags,
      hasFlag: (flag: string) => flags.has(flag),
      file: (path: string) => files.get(path),
      files,
      unavailable: Object.freeze([...this.#unavailable]),
      conflicts: Object.freeze([...this.#conflicts]),
      machine: this.#machine,
    });
  }
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
