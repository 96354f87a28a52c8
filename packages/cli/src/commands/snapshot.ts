import { hostname } from 'node:os';
import { describeConflict, LEFT_OUT, type MachineIdentity, SNAPSHOT_MAX_BYTES, toSnapshot } from '@coco/core';
import { boolFlag } from '../args.js';
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

/** `coco snapshot --help`. */
export const help = `Usage: coco snapshot [evidence flags] [--full-log]

Writes this machine's evidence (CPUID, MSRs on AMD, /proc/cpuinfo flags, the kernel log, guest
device nodes) as a coco-snapshot/1 JSON document on standard output, for bug reports and for
coco detect --snapshot, which reads it back to the same answer. Sources that cannot be read are
listed on standard error with what would make them readable (root, modprobe msr/cpuid).
With evidence flags, it merges them into one snapshot instead of probing.
The kernel log is private by default: the snapshot keeps only the lines coco's plugins read
(the "Linux version" banner, the memory-encryption and SEV status lines, Hyper-V's isolation
lines, TDX's), and standard error says how many it left out; the boot command line, host names,
MAC addresses and serial numbers stay out. Detection from it equals detection from the whole log.
A snapshot is at most 16 MiB, what coco detect --snapshot reads; a larger one is refused (exit 2).

${EVIDENCE_HELP}

  --full-log          keep every kernel-log line (a warning says what it may hold)

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
    identity: { type: 'boolean' },
  });
  if (!prepared) return 0;
  const { io } = context;
  const { evidence, live } = await gatherEvidence(prepared.values, io);
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
  const snapshot = toSnapshot(evidence, fullLog ? {} : { logPatterns: prepared.registry.logPatterns });
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
  if (evidence.kinds.has('kernel-log')) {
    const all = toSnapshot(evidence).kernelLog?.length ?? 0;
    const kept = snapshot.kernelLog?.filter((l) => !LEFT_OUT.test(l)).length ?? 0;
    io.stderr.write(
      fullLog
        ? 'coco snapshot: --full-log: the snapshot holds the whole kernel log, which may hold the boot command line (tokens, disk keys), host names, MAC addresses and serial numbers: read it before you share it\n'
        : `coco snapshot: kept ${kept} of ${all} kernel-log lines (those the plugins read); ${all - kept} left out; --full-log keeps them all\n`,
    );
  }
  for (const note of evidence.unavailable) {
    io.stderr.write(`coco snapshot: not read: ${note.source}: ${note.reason}; ${note.fix}\n`);
  }
  return EXIT.ok;
}
