import { describeConflict, SNAPSHOT_MAX_BYTES, toSnapshot } from '@coco/core';
import { CliError, EXIT } from '../errors.js';
import { formatBytes } from '../files.js';
import { EVIDENCE_HELP, EVIDENCE_OPTIONS, gatherEvidence } from '../inputs.js';
import { safeText } from '../render/safe-text.js';
import { COMMON_HELP, type CommandContext, prepare } from './common.js';

/** `coco snapshot --help`. */
export const help = `Usage: coco snapshot [evidence flags]

Writes this machine's evidence (CPUID, MSRs on AMD, /proc/cpuinfo flags, the kernel log, guest
device nodes) as a coco-snapshot/1 JSON document on standard output, for bug reports and for
coco detect --snapshot, which reads it back to the same answer. Sources that cannot be read are
listed on standard error with what would make them readable (root, modprobe msr/cpuid).
With evidence flags, it merges them into one snapshot instead of probing.
The snapshot holds the whole kernel log: look through it before you share it. A snapshot is
at most 16 MiB, what coco detect --snapshot reads; a larger one is refused (exit 2), not written.

${EVIDENCE_HELP}

${COMMON_HELP}

Examples:
  sudo coco snapshot > machine.json
  coco detect --snapshot machine.json
  coco snapshot --cpuid cpuid.txt --dmesg dmesg.txt > machine.json
`;

/** Runs `coco snapshot`. */
export async function run(context: CommandContext): Promise<number> {
  const prepared = await prepare('snapshot', help, context, EVIDENCE_OPTIONS);
  if (!prepared) return 0;
  const { io } = context;
  const { evidence } = await gatherEvidence(prepared.values, io);
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
  const document = `${JSON.stringify(toSnapshot(evidence), null, 2)}\n`;
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
  for (const note of evidence.unavailable) {
    io.stderr.write(`coco snapshot: not read: ${note.source}: ${note.reason}; ${note.fix}\n`);
  }
  return EXIT.ok;
}
