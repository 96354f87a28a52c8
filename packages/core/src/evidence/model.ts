import { CocoError, CocoRangeError, describeValue } from '../errors.js';

/** The kinds of evidence a machine can show. */
export type EvidenceKind = 'cpuid' | 'msr' | 'tdx' | 'kernel-log' | 'cpuinfo' | 'files';

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

/** A source that could not be read, and what would make it readable. */
export interface UnavailableSource {
  readonly source: string;
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
}

const U32_MAX = 0xffff_ffff;
const U64_MAX = (1n << 64n) - 1n;

function hex(value: number | bigint): string {
  return `0x${value.toString(16)}`;
}

function checkU32(value: number, what: string, source: string): number {
  if (!Number.isInteger(value) || value < 0 || value > U32_MAX) {
    throw new CocoRangeError(`${what} ${describeValue(value)} is not a 32-bit unsigned value`, {
      input: source,
      fix: 'use a value from 0 to 0xffffffff',
    });
  }
  return value;
}

const cpuidKey = (leaf: number, subleaf: number) => leaf * 0x1_0000_0000 + subleaf;

/**
 * Collects facts from parsers and probes. Adding the same fact twice with the same value is fine;
 * with a different value it records a conflict naming both sources and keeps the first value.
 */
export class EvidenceBuilder {
  readonly #kinds = new Set<EvidenceKind>();
  readonly #cpuid = new Map<number, CpuidRecord>();
  readonly #msr = new Map<number, Sourced<bigint>>();
  #gpaw: Sourced<number> | undefined;
  readonly #log: LogLine[] = [];
  readonly #flags = new Map<string, string>();
  readonly #files = new Map<string, Sourced<boolean>>();
  readonly #unavailable: UnavailableSource[] = [];
  readonly #conflicts: EvidenceConflict[] = [];

  #conflict(fact: string, first: Sourced<string>, second: Sourced<string>): void {
    this.#conflicts.push(Object.freeze({ fact, values: Object.freeze([first, second]) }));
  }

  /** Records that a kind of evidence was read, even when it held nothing (an empty kernel log). */
  saw(kind: EvidenceKind): this {
    this.#kinds.add(kind);
    return this;
  }

  addCpuid(leaf: number, subleaf: number, registers: CpuidRegisters, source: string): this {
    checkU32(leaf, 'CPUID leaf', source);
    checkU32(subleaf, 'CPUID subleaf', source);
    const record: CpuidRecord = Object.freeze({
      leaf,
      subleaf,
      eax: checkU32(registers.eax, 'eax', source),
      ebx: checkU32(registers.ebx, 'ebx', source),
      ecx: checkU32(registers.ecx, 'ecx', source),
      edx: checkU32(registers.edx, 'edx', source),
      source,
    });
    this.#kinds.add('cpuid');
    const key = cpuidKey(leaf, subleaf);
    const old = this.#cpuid.get(key);
    if (!old) {
      this.#cpuid.set(key, record);
      return this;
    }
    for (const reg of ['eax', 'ebx', 'ecx', 'edx'] as const) {
      if (old[reg] !== record[reg]) {
        this.#conflict(
          `cpuid ${hex(leaf)}/${hex(subleaf)} ${reg}`,
          { value: hex(old[reg]), source: old.source },
          { value: hex(record[reg]), source },
        );
      }
    }
    return this;
  }

  addMsr(index: number, value: bigint, source: string): this {
    checkU32(index, 'MSR index', source);
    if (typeof value !== 'bigint' || value < 0n || value > U64_MAX) {
      throw new CocoRangeError(
        `MSR ${hex(index)} value ${describeValue(value)} is not a 64-bit unsigned value`,
        {
          input: source,
          fix: 'use a value from 0x0 to 0xffffffffffffffff',
        },
      );
    }
    this.#kinds.add('msr');
    const old = this.#msr.get(index);
    if (!old) this.#msr.set(index, Object.freeze({ value, source }));
    else if (old.value !== value) {
      this.#conflict(
        `msr ${hex(index)}`,
        { value: hex(old.value), source: old.source },
        { value: hex(value), source },
      );
    }
    return this;
  }

  setTdxGpaw(gpaw: number, source: string): this {
    if (!Number.isInteger(gpaw) || gpaw < 1 || gpaw > 64) {
      throw new CocoRangeError(`TDX GPAW ${describeValue(gpaw)} is not a guest physical-address width`, {
        input: source,
        fix: 'use the width TDG.VP.INFO reports, 48 or 52',
      });
    }
    this.#kinds.add('tdx');
    if (!this.#gpaw) this.#gpaw = Object.freeze({ value: gpaw, source });
    else if (this.#gpaw.value !== gpaw) {
      this.#conflict(
        'tdx.gpaw',
        { value: String(this.#gpaw.value), source: this.#gpaw.source },
        { value: String(gpaw), source },
      );
    }
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
    if (typeof path !== 'string' || !path.startsWith('/') || typeof exists !== 'boolean') {
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
    const old = this.#files.get(path);
    if (!old) this.#files.set(path, Object.freeze({ value: exists, source }));
    else if (old.value !== exists) {
      this.#conflict(
        `file ${path}`,
        { value: String(old.value), source: old.source },
        { value: String(exists), source },
      );
    }
    return this;
  }

  addUnavailable(note: UnavailableSource): this {
    this.#unavailable.push(Object.freeze({ source: note.source, reason: note.reason, fix: note.fix }));
    return this;
  }

  /** Adds every fact of `evidence`, recording conflicts with what is already here. */
  merge(evidence: Evidence): this {
    for (const kind of evidence.kinds) this.#kinds.add(kind);
    for (const r of evidence.cpuidRecords) this.addCpuid(r.leaf, r.subleaf, r, r.source);
    for (const [index, v] of evidence.msrs) this.addMsr(index, v.value, v.source);
    if (evidence.tdxGpaw) this.setTdxGpaw(evidence.tdxGpaw.value, evidence.tdxGpaw.source);
    for (const line of evidence.kernelLog) this.#log.push(line);
    for (const [flag, source] of evidence.cpuinfoFlags)
      if (!this.#flags.has(flag)) this.#flags.set(flag, source);
    for (const [path, v] of evidence.files) this.setFile(path, v.value, v.source);
    for (const note of evidence.unavailable) this.#unavailable.push(note);
    for (const c of evidence.conflicts) this.#conflicts.push(c);
    return this;
  }

  build(): Evidence {
    const cpuid = new Map(this.#cpuid);
    const msrs = new Map(this.#msr);
    const flags = new Map(this.#flags);
    const files = new Map(this.#files);
    const records = Object.freeze(
      [...cpuid.values()].sort((a, b) => a.leaf - b.leaf || a.subleaf - b.subleaf),
    );
    return Object.freeze({
      kinds: new Set(this.#kinds),
      cpuid: (leaf: number, subleaf = 0) => cpuid.get(cpuidKey(leaf, subleaf)),
      cpuidRecords: records,
      msr: (index: number) => msrs.get(index),
      msrs,
      tdxGpaw: this.#gpaw,
      kernelLog: Object.freeze([...this.#log]),
      cpuinfoFlags: flags,
      hasFlag: (flag: string) => flags.has(flag),
      file: (path: string) => files.get(path),
      files,
      unavailable: Object.freeze([...this.#unavailable]),
      conflicts: Object.freeze([...this.#conflicts]),
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
