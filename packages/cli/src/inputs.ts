import {
  type Evidence,
  EvidenceBuilder,
  mergeEvidence,
  parseCpuinfo,
  parseSnapshot,
  type Registry,
} from '@coco/core';
import { gpawEvidence } from '@coco/tdx';
import { parseCpuidDump, parseMsrAssignment } from '@coco/x86';
import { listFlag, type OptionTable, type ParsedValues, stringFlag } from './args.js';
import { CliError } from './errors.js';
import { inputBudget, readInput, readLogInput } from './files.js';
import type { CliIo } from './io.js';
import { reportPhase } from './phase.js';

/** The evidence flags `detect` and `explain` share. */
export const EVIDENCE_OPTIONS = {
  snapshot: { type: 'string', multiple: true },
  cpuid: { type: 'string', multiple: true },
  dmesg: { type: 'string', multiple: true },
  cpuinfo: { type: 'string', multiple: true },
  msr: { type: 'string', multiple: true },
  'tdx-gpaw': { type: 'string' },
  example: { type: 'string', multiple: true },
  root: { type: 'string' },
} as const satisfies OptionTable;

/** Help lines for {@link EVIDENCE_OPTIONS}. */
export const EVIDENCE_HELP = `Evidence (flags combine; without any, this machine is probed live):
  --snapshot FILE     a coco-snapshot/2 or /1 document (coco snapshot writes one); repeatable
  --cpuid FILE        raw CPUID dump: the output of \`cpuid -r\` or \`cpuid -1 -r\`; repeatable
  --dmesg FILE        a kernel log: dmesg, journalctl -k, or lines from a bug report; repeatable
  --cpuinfo FILE      /proc/cpuinfo; repeatable
  --msr ADDR=VALUE    an MSR value in hex, e.g. 0xc0010131=0x103df; repeatable
  --tdx-gpaw N        the TDX guest physical-address width, 48 or 52 (once)
  --example NAME      bundled evidence of a real machine (see coco examples); repeatable
  --root DIR          probe a machine image, a mounted disk or a support bundle (sosreport-style:
                      proc/, sys/, a saved dmesg) instead of this machine (once)
  FILE may be - for standard input (once). Each input is at most 16 MiB, all together 64 MiB;
  coco detect and coco explain read a kernel log as a stream, keeping only the lines the plugins
  read, so a log may be up to 1 GiB there. A FIFO or device must give data within 2 s and end
  within 10 s.`;

/** Environment variable naming the directory live probing reads instead of `/` (for tests). */
export const PROBE_ROOT_ENV = 'COCO_PROBE_ROOT';

/** How the evidence was obtained: from the given inputs, or by probing this machine. */
export interface GatheredEvidence {
  readonly evidence: Evidence;
  readonly live: boolean;
}

/** Options of {@link gatherEvidence}. */
export interface GatherOptions {
  /**
   * Keep only the kernel-log lines these patterns match (the registry's `logPatterns`): logs are
   * then read as streams up to 1 GiB in bounded memory. Without it every line is kept.
   */
  readonly logPatterns?: readonly RegExp[];
}

/**
 * Reads every evidence flag into one merged {@link Evidence}; with none, probes this machine. The
 * probes are those `registry`'s plugins declare (the built-in plugins' without it). Snapshots are
 * read by `registry` when given, so a coco-snapshot/1 document's plugin keys (cpuid, msr, tdx) are
 * converted to facts, and checked, as the file is read.
 */
export async function gatherEvidence(
  values: ParsedValues,
  io: CliIo,
  registry?: Registry,
  options: GatherOptions = {},
): Promise<GatheredEvidence> {
  const readSnapshot = (input: string | object, source: string): Evidence =>
    registry ? registry.parseSnapshot(input as never, { source }) : parseSnapshot(input as never, { source });
  const parts: Evidence[] = [];
  let stdinUsedBy: string | null = null;
  const budget = inputBudget();
  const claimStdin = (flag: string, path: string) => {
    if (path === '-') {
      if (stdinUsedBy !== null) {
        throw new CliError(
          `${flag} -`,
          `standard input is already read by ${stdinUsedBy} -`,
          'pass - to one flag only, and files to the others',
        );
      }
      stdinUsedBy = flag;
    }
  };
  const read = async (flag: string, path: string) => {
    claimStdin(flag, path);
    reportPhase({ kind: 'input', input: `${flag} ${path}` });
    const input = await readInput(flag, path, io, budget);
    reportPhase({ kind: 'run' });
    return input;
  };
  for (const path of listFlag(values, 'snapshot')) {
    const { text, name } = await read('--snapshot', path);
    parts.push(readSnapshot(text, name));
  }
  for (const path of listFlag(values, 'cpuid')) {
    const { text, name } = await read('--cpuid', path);
    parts.push(parseCpuidDump(text, { source: name }));
  }
  for (const path of listFlag(values, 'dmesg')) {
    claimStdin('--dmesg', path);
    reportPhase({ kind: 'input', input: `--dmesg ${path}` });
    const { reading } = await readLogInput('--dmesg', path, io, budget, options.logPatterns);
    reportPhase({ kind: 'run' });
    parts.push(new EvidenceBuilder().addLogLines(reading.lines).build());
  }
  for (const path of listFlag(values, 'cpuinfo')) {
    const { text, name } = await read('--cpuinfo', path);
    parts.push(parseCpuinfo(text, { source: name }));
  }
  for (const assignment of listFlag(values, 'msr')) parts.push(parseMsrAssignment(assignment, '--msr'));
  const gpaw = stringFlag(values, 'tdx-gpaw');
  if (gpaw !== undefined) {
    if (!/^\d{1,3}$/.test(gpaw)) {
      throw new CliError(
        '--tdx-gpaw',
        `${JSON.stringify(gpaw)} is not a number`,
        'give the width TDG.VP.INFO reports: 48 or 52',
      );
    }
    parts.push(gpawEvidence(Number(gpaw), '--tdx-gpaw'));
  }
  const examples = listFlag(values, 'example');
  if (examples.length > 0) {
    const { findExample, EXAMPLE_NAMES } = await import('./examples/index.js');
    for (const name of examples) {
      const example = findExample(name);
      if (!example) {
        throw new CliError(
          `--example ${name}`,
          'no bundled example has that name',
          `use one of ${EXAMPLE_NAMES.join(', ')} (coco examples lists them)`,
        );
      }
      parts.push(readSnapshot(example.snapshot, `example ${example.name}`));
    }
  }
  const tree = stringFlag(values, 'root');
  if (tree !== undefined) {
    const { probeRootFlag } = await import('./probe/root-flag.js');
    parts.push(probeRootFlag(tree, io.cwd, registry));
  }
  if (parts.length > 0)
    return { evidence: parts.length === 1 ? (parts[0] as Evidence) : mergeEvidence(...parts), live: false };
  const { probeMachine } = await import('./probe/index.js');
  const root = io.env[PROBE_ROOT_ENV] || '/';
  return { evidence: probeMachine({ root, ...(registry && { registry }) }), live: true };
}
