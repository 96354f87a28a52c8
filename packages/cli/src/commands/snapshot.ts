import { hostname } from 'node:os';
import {
  describeConflict,
  type Evidence,
  LEFT_OUT,
  type MachineIdentity,
  type Registry,
  SNAPSHOT_MAX_BYTES,
  toSnapshot,
} from '@coco/core';
import { boolFlag, stringFlag } from '../args.js';
import { CliError, EXIT } from '../errors.js';
import { formatBytes } from '../files.js';
import { EVIDENCE_HELP, EVIDENCE_OPTIONS, gatherEvidence } from '../inputs.js';
import { safeText } from '../render/safe-text.js';
import { VERSION } from '../run.js';
import { COMMON_HELP, type CommandContext, prepare } from './common.js';

/** What the snapshot parser accepts as a host name; another one is left out rather than written. */
const HOSTNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

/**
 * This machine's identity for a snapshot: its host name (when it is one a snapshot can hold), the
 * time now, and this coco's version.
 */
export function thisMachine(now: Date = new Date()): MachineIdentity {
  const name = hostname();
  return {
    ...(HOSTNAME.test(name) && { hostname: name }),
    capturedAt: now.toISOString(),
    cocoVersion: VERSION,
  };
}

/**
 * The snapshot with only the files some plugin declares it reads (`registry.probes()`), and how
 * many others were left out: a snapshot never carries a file no plugin looks at.
 */
export function keepDeclaredFiles<T extends { readonly files?: object }>(
  snapshot: T,
  registry: Registry,
): { snapshot: T; dropped: number } {
  const files = snapshot.files as Record<string, unknown> | undefined;
  if (!files) return { snapshot, dropped: 0 };
  const declared = new Set(registry.probes().files.map((f) => f.path));
  const kept: Record<string, unknown> = {};
  let dropped = 0;
  for (const path of Object.keys(files)) {
    if (!declared.has(path)) dropped++;
    else
      Object.defineProperty(kept, path, {
        value: files[path],
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return { snapshot: { ...snapshot, files: kept }, dropped };
}

/** What coco-snapshot/1 cannot hold of `evidence`: file contents, cpuinfo fields, facts without a format-1 key. */
function lostInFormat1(evidence: Evidence, registry: Registry): string[] {
  const lost: string[] = [];
  if ([...evidence.files.values()].some((f) => f.content !== undefined)) lost.push('file contents');
  if ([...evidence.cpuinfo.keys()].some((f) => f !== 'flags')) lost.push('cpuinfo fields other than flags');
  const legacy = new Set(registry.factKinds.filter((k) => k.legacy?.write).map((k) => k.id));
  for (const kind of evidence.storedFacts.keys()) if (!legacy.has(kind)) lost.push(`${kind} facts`);
  return lost;
}

/** `coco snapshot --help`. */
export const help = `Usage: coco snapshot [evidence flags] [--full-log] [--format-version 1|2]

Writes this machine's evidence (the facts plugins probe, such as CPUID and MSRs on x86, the
/proc/cpuinfo fields and files plugins read, the kernel log) as a coco-snapshot/2 JSON document on
standard output, for bug reports and for coco detect --snapshot, which reads it back to the same
answer (coco-snapshot/1 with --format-version 1, for tools that read only that). Sources that cannot be read are
listed on standard error with what would make them readable (root, modprobe msr/cpuid).
With evidence flags, it merges them into one snapshot instead of probing.
The kernel log is private by default: the snapshot keeps only the lines coco's plugins read
(the "Linux version" banner, the memory-encryption and SEV status lines, Hyper-V's isolation
lines, TDX's), and standard error says how many it left out; the boot command line, host names,
MAC addresses and serial numbers stay out. Detection from it equals detection from the whole log.
Likewise only the /proc/cpuinfo fields and the files the plugins declare they read are kept.
A snapshot is at most 16 MiB, what coco detect --snapshot reads; a larger one is refused (exit 2).

${EVIDENCE_HELP}

  --full-log          keep every kernel-log line (a warning says what it may hold)
  --format-version N  the snapshot format to write: 2 (default, coco-snapshot/2) or 1
                      (coco-snapshot/1, for older coco and tools: CPUID, MSRs, the TDX GPAW,
                      cpuinfo flags and file presence only; file contents and other facts are
                      left out, and standard error says so)

Identity:
  A live snapshot records who it is from in "machine": the host name, the time (capturedAt) and
  this coco's version; coco fleet names machines by it. With evidence flags the files may come
  from another machine, so none is added unless --identity says they are this machine's (the
  identity of a --snapshot input is kept; --identity is refused when an input has one).
  --identity          record this machine's identity with evidence flags too

${COMMON_HELP}

Examples:
  sudo coco snapshot > machine.json
  coco detect --snapshot machine.json
  coco snapshot --cpuid cpuid.txt --dmesg dmesg.txt > machine.json
`;

/** Runs `coco snapshot`. */
export async function run(context: CommandContext): Promise<number> {
  const prepared = await prepare('snapshot', help, context, {
    ...EVIDENCE_OPTIONS,
    'full-log': { type: 'boolean' },
    'format-version': { type: 'string' },
    identity: { type: 'boolean' },
  });
  if (!prepared) return 0;
  const { io } = context;
  const versionText = stringFlag(prepared.values, 'format-version') ?? '2';
  if (versionText !== '1' && versionText !== '2') {
    throw new CliError(
      `--format-version ${versionText}`,
      'there is no such snapshot format',
      'give 2 (coco-snapshot/2, the default) or 1 (coco-snapshot/1, for older readers)',
    );
  }
  const version = versionText === '1' ? 1 : 2;
  const { registry } = prepared;
  const { evidence, live } = await gatherEvidence(prepared.values, io, registry);
  const identity = boolFlag(prepared.values, 'identity');
  if (identity && !live && evidence.machine !== undefined) {
    throw new CliError(
      '--identity',
      `the inputs already say which machine they are from (${JSON.stringify(evidence.machine)})`,
      'leave out --identity, or the --snapshot that carries a machine identity',
    );
  }
  if (evidence.conflicts.length > 0) {
    const which = evidence.conflicts
      .map((c) =>
        describeConflict({ what: c.fact, sides: c.values.map((v) => ({ says: v.value, source: v.source })) }),
      )
      .join('; ');
    io.stderr.write(
      `coco: EVIDENCE_CONFLICT: conflicting evidence cannot go into one snapshot: ${safeText(which)}. Fix: leave out the stale source\n`,
    );
    return EXIT.conflict;
  }
  const fullLog = prepared.values['full-log'] === true;
  const written = toSnapshot(evidence, {
    version,
    factKinds: registry.factKinds,
    cpuinfoFields: registry.cpuinfoFields,
    ...(!fullLog && { logPatterns: registry.logPatterns }),
  });
  const { snapshot, dropped } = keepDeclaredFiles(written, registry);
  const stamped = live || identity ? { ...snapshot, machine: thisMachine() } : snapshot;
  const document = `${JSON.stringify(stamped, null, 2)}\n`;
  // Never write what coco detect --snapshot would refuse to read back.
  const size = Buffer.byteLength(document, 'utf8');
  if (size > SNAPSHOT_MAX_BYTES) {
    throw new CliError(
      'snapshot',
      `the snapshot would be ${formatBytes(size)}, more than the ${formatBytes(SNAPSHOT_MAX_BYTES)} coco detect --snapshot reads; nothing was written`,
      'pass a shorter kernel log (only the boot that matters: journalctl -k -b), or give the evidence files to coco detect directly',
      { code: 'OUTPUT_TOO_LARGE' },
    );
  }
  io.stdout.write(document);
  if (dropped > 0) {
    io.stderr.write(`coco snapshot: left out ${dropped} file${dropped === 1 ? '' : 's'} no plugin reads\n`);
  }
  if (version === 1) {
    const lost = lostInFormat1(evidence, registry);
    if (lost.length > 0)
      io.stderr.write(`coco snapshot: coco-snapshot/1 cannot hold ${lost.join(', ')}: left out\n`);
  }
  if (evidence.kinds.has('kernel-log')) {
    const all = evidence.kernelLog.length;
    const keptLines =
      (snapshot.kernelLog as readonly string[] | undefined)?.filter((l) => !LEFT_OUT.test(l)).length ?? 0;
    io.stderr.write(
      fullLog
        ? 'coco snapshot: --full-log: the snapshot holds the whole kernel log, which may hold the boot command line (tokens, disk keys), host names, MAC addresses and serial numbers: read it before you share it\n'
        : `coco snapshot: kept ${keptLines} of ${all} kernel-log lines (those the plugins read); ${all - keptLines} left out; --full-log keeps them all\n`,
    );
  }
  for (const note of evidence.unavailable) {
    io.stderr.write(`coco snapshot: not read: ${note.source}: ${note.reason}; ${note.fix}\n`);
  }
  return EXIT.ok;
}
