import { closeSync, constants, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Evidence,
  isCocoError,
  mergeEvidence,
  parseCpuinfo,
  parseKernelLogEvidence,
  type Registry,
  SNAPSHOT_MAX_BYTES,
} from '@coco/core';
import { parseCpuidDump } from '@coco/x86';
import { CliError, clipEchoes } from '../errors.js';
import { formatBytes } from '../files.js';
import { FLEET_SCHEMA_URL, type FleetMachineJson, type FleetRecordJson } from '../formats.js';
import { probeMachine } from '../probe/index.js';
import { decodeText } from '../read-limited.js';
import { type FleetInput, nameFromPath } from './inputs.js';
import { type DecidedSummary, type DecisionMemo, summaryOf } from './memo.js';

/** How a machine of the fleet came out. */
export type FleetVerdict = 'confidential' | 'not-confidential' | 'cannot-tell' | 'conflict' | 'error';

/** What the summary needs of one machine (the record itself goes to standard output). */
export interface FleetFact {
  readonly name: string;
  readonly verdict: FleetVerdict;
  readonly type: string | null;
  readonly variant: string | null;
  readonly cvm: string | null;
  /** The error code when `verdict` is `error`. */
  readonly code: string | null;
}

/**
 * An NDJSON line without its newline: text, or pieces of it in order (text, or UTF-8 bytes that
 * need no encoding).
 */
export type FleetLine = string | readonly (string | Uint8Array)[];

/** One machine done: its NDJSON line (without the newline) and its summary fact. */
export interface FleetResult {
  readonly line: FleetLine;
  readonly fact: FleetFact;
}

/**
 * The buffer snapshots are read into, reused from one machine to the next (a worker reads one file
 * at a time; the text is decoded out of it before the next read). A larger file gets its own.
 */
const READ_BUFFER_BYTES = 64 * 1024;
let readBuffer: Buffer | undefined;

/** Reads a regular file of at most 16 MiB without ever blocking (a FIFO or a device swapped in is refused). */
function readSmallFile(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      path,
      code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? 'error'})`,
      code === 'ENOENT' ? 'check the path' : 'make the file readable, or run coco as a user who can read it',
      { code: code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE' },
    );
  }
  try {
    readBuffer ??= Buffer.allocUnsafe(READ_BUFFER_BYTES);
    // A read shorter than the buffer and not empty is the whole of a regular file (Linux reads a
    // regular file in full up to its end): one system call less per machine than asking its size
    // first. An empty read or a full buffer is looked at: a FIFO or a device swapped in after the
    // walk is refused, and a larger file is read whole.
    const first = readSync(fd, readBuffer, 0, readBuffer.length, null);
    if (first > 0 && first < readBuffer.length) return decodeText(readBuffer.subarray(0, first));
    const stat = fstatSync(fd);
    if (!stat.isFile())
      throw new CliError(path, 'it is not a regular file', 'pass a regular file', {
        code: 'FILE_UNREADABLE',
      });
    if (stat.size > SNAPSHOT_MAX_BYTES)
      throw new CliError(
        path,
        `the file is ${formatBytes(stat.size)}, more than the ${formatBytes(SNAPSHOT_MAX_BYTES)} limit of an input`,
        `pass an evidence file under ${formatBytes(SNAPSHOT_MAX_BYTES)}`,
        { code: 'INPUT_TOO_LARGE' },
      );
    let buffer = readBuffer;
    if (stat.size > readBuffer.length) {
      buffer = Buffer.allocUnsafe(stat.size);
      readBuffer.copy(buffer, 0, 0, first);
    }
    let got = first;
    while (got < stat.size) {
      const n = readSync(fd, buffer, got, stat.size - got, null);
      if (n === 0) break;
      got += n;
    }
    return decodeText(buffer.subarray(0, got));
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(path, `cannot be read (${code ?? 'error'})`, 'copy the evidence into a regular file', {
      code: 'FILE_UNREADABLE',
    });
  } finally {
    closeSync(fd);
  }
}

function readEvidence(input: Exclude<FleetInput, { kind: 'snapshot' }>, registry: Registry): Evidence {
  switch (input.kind) {
    case 'tree': {
      // Read as coco detect --root reads it, with the plugins this fleet run registered; a bundle's
      // coco-snapshot.json beside proc/ and sys/ joins it.
      const tree = probeMachine({ root: input.source, tree: true, registry });
      const snapshot = join(input.source, 'coco-snapshot.json');
      if (!existsSync(snapshot)) return tree;
      return mergeEvidence(tree, registry.parseSnapshot(readSmallFile(snapshot), { source: snapshot }));
    }
    case 'bundle': {
      const parts = input.files.map((file) => {
        const text = readSmallFile(file.path);
        switch (file.kind) {
          case 'snapshot':
            return registry.parseSnapshot(text, { source: file.path });
          case 'cpuid':
            return parseCpuidDump(text, { source: file.path });
          case 'cpuinfo':
            return parseCpuinfo(text, { source: file.path });
          default:
            return parseKernelLogEvidence(text, { source: file.path });
        }
      });
      return parts.length === 1 ? (parts[0] as Evidence) : mergeEvidence(...parts);
    }
    case 'broken':
      throw new CliError(input.source, input.problem, input.fix, {
        code: input.code as 'FILE_NOT_FOUND',
      });
  }
}

function errorOf(error: unknown): { code: string; message: string } {
  if (error instanceof CliError || isCocoError(error)) {
    return { code: String(error.code), message: clipEchoes(error.message.replace(/\s*\r?\n\s*/g, ' ')) };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message: `internal error: ${message}. Fix: please report it` };
}

function verdictFact(name: string, summary: DecidedSummary): FleetFact {
  return { name, ...summary, code: null };
}

/** The record's line: its members in the order of {@link FleetRecordJson}, the detection's JSON as given. */
function recordLine(
  source: string,
  machine: FleetMachineJson,
  detection: readonly (string | Uint8Array)[],
): FleetLine {
  const head = JSON.stringify({ $schema: FLEET_SCHEMA_URL, format: 'coco-fleet/1', source, machine });
  return [`${head.slice(0, -1)},"detection":`, ...detection, '}'];
}

/**
 * Reads, parses and decides one machine of a fleet with `registry`; never throws: an input that
 * cannot be read, parsed or decided is a record with its error. With `memo`, a snapshot whose
 * evidence an earlier machine had gets that machine's detection (the same record as in full).
 */
export function decideMachine(input: FleetInput, registry: Registry, memo?: DecisionMemo): FleetResult {
  const fallbackName = nameFromPath(input.source);
  let machine: FleetMachineJson = { name: fallbackName };
  try {
    let evidence: Evidence;
    if (input.kind === 'snapshot') {
      const text = readSmallFile(input.source);
      const hit = memo?.decide(text, input.source, registry);
      if (hit) {
        if (hit.identity) machine = { name: hit.identity.hostname ?? fallbackName, ...hit.identity };
        return {
          line: recordLine(input.source, machine, hit.detection),
          fact: verdictFact(machine.name, hit.summary),
        };
      }
      evidence = registry.parseSnapshot(text, { source: input.source });
    } else evidence = readEvidence(input, registry);
    if (evidence.machine) machine = { name: evidence.machine.hostname ?? fallbackName, ...evidence.machine };
    const json = registry.detect(evidence).toJSON();
    const record: FleetRecordJson = {
      $schema: FLEET_SCHEMA_URL,
      format: 'coco-fleet/1',
      source: input.source,
      machine,
      detection: json,
    };
    return { line: JSON.stringify(record), fact: verdictFact(machine.name, summaryOf(json)) };
  } catch (error) {
    const e = errorOf(error);
    const record: FleetRecordJson = {
      $schema: FLEET_SCHEMA_URL,
      format: 'coco-fleet/1',
      source: input.source,
      machine,
      error: e,
    };
    return {
      line: JSON.stringify(record),
      fact: { name: machine.name, verdict: 'error', type: null, variant: null, cvm: null, code: e.code },
    };
  }
}
