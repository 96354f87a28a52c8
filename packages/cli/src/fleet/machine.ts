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

/** One machine done: its NDJSON line (without the newline) and its summary fact. */
export interface FleetResult {
  readonly line: string;
  readonly fact: FleetFact;
}

/**
 * The buffer snapshots are read into, reused from one machine to the next (a worker reads one file
 * at a time; the text is decoded out of it before the next read). A larger file gets its own.
 */
const READ_BUFFER_BYTES = 64 * 1024;
let readBuffer: Buffer | undefined;

/** Reads a regular file of at most 16 MiB without ever blocking (a FIFO swapped in is refused). */
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
    readBuffer ??= Buffer.allocUnsafe(READ_BUFFER_BYTES);
    const buffer = stat.size <= readBuffer.length ? readBuffer : Buffer.allocUnsafe(stat.size);
    let got = 0;
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

function readEvidence(input: FleetInput, registry: Registry): Evidence {
  switch (input.kind) {
    case 'snapshot':
      return registry.parseSnapshot(readSmallFile(input.source), { source: input.source });
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

/**
 * Reads, parses and decides one machine of a fleet with `registry`; never throws: an input that
 * cannot be read, parsed or decided is a record with its error.
 */
export function decideMachine(input: FleetInput, registry: Registry): FleetResult {
  const fallbackName = nameFromPath(input.source);
  let machine: FleetMachineJson = { name: fallbackName };
  let record: FleetRecordJson;
  let fact: FleetFact;
  try {
    const evidence = readEvidence(input, registry);
    if (evidence.machine) machine = { name: evidence.machine.hostname ?? fallbackName, ...evidence.machine };
    const detection = registry.detect(evidence);
    const json = detection.toJSON();
    record = {
      $schema: FLEET_SCHEMA_URL,
      format: 'coco-fleet/1',
      source: input.source,
      machine,
      detection: json,
    };
    fact = {
      name: machine.name,
      verdict:
        json.conflicts.length > 0
          ? 'conflict'
          : json.confidential === null
            ? 'cannot-tell'
            : json.confidential
              ? 'confidential'
              : 'not-confidential',
      type: json.type,
      variant: json.variant,
      cvm: json.cvm,
      code: null,
    };
  } catch (error) {
    const e = errorOf(error);
    record = { $schema: FLEET_SCHEMA_URL, format: 'coco-fleet/1', source: input.source, machine, error: e };
    fact = { name: machine.name, verdict: 'error', type: null, variant: null, cvm: null, code: e.code };
  }
  return { line: JSON.stringify(record), fact };
}
