import { availableParallelism } from 'node:os';
import { boolFlag, listFlag, parseCommandArgs, stringFlag } from '../args.js';
import { CliError, EXIT } from '../errors.js';
import { collectInputs, type FleetInput } from '../fleet/inputs.js';
import { decideFleet, startFleetPool } from '../fleet/pool.js';
import { type FleetSummary, mergeSummary, renderSummary } from '../fleet/summary.js';
import { DEFAULT_PLUGIN_TIMEOUT_SECONDS, parsePluginTimeout } from '../plugin-plan.js';
import { COMMON_HELP, type CommandContext } from './common.js';

/** `coco fleet --help`. */
export const help = `Usage: coco fleet PATH... [--summary] [--jobs N]

Detects many machines at once. Each PATH is a coco-snapshot/1 file, or a directory walked
recursively for *.json snapshots and support bundles. A support bundle is a directory holding any
of coco-snapshot.json, cpuid.txt (cpuid -r), proc/cpuinfo, dmesg, dmesg.txt or var/log/dmesg: its
files are read together as one machine, and its other files are not walked.

Prints NDJSON on standard output, one coco-fleet/1 record per machine, sorted by path:
  {"format":"coco-fleet/1","source":PATH,"machine":{"name":..,"hostname":..,"capturedAt":..},
   "detection":{coco-detection/1}}   or, for an input that cannot be read or parsed,
   ..."error":{"code":"SNAPSHOT_INVALID","message":".."}}
A broken input is a record, never the end of the run. On a terminal (or with --summary) a
summary table goes to standard error: counts by verdict, type, variant and --cvm label, and the
machines that cannot tell, conflict or could not be read, by name.

  --summary           print the summary table on standard error even when it is not a terminal
  --jobs N            worker threads to use, at most the number of cores (the default)
${COMMON_HELP}
  With --plugin, --plugin-timeout limits the loading of the plugins and each machine, not the
  whole run.

Exit status: 0 every machine read and decided (yes or no); 2 any input could not be read or
parsed (or bad usage); else 3 any machine has conflicting evidence; else 4 any machine cannot tell.

Examples:
  coco fleet snapshots/ > fleet.ndjson
  coco fleet --summary a.json b.json bundles/
  coco fleet snapshots/ | jq -r 'select(.detection.confidential == false) | .machine.name'
`;

const OPTIONS = {
  summary: { type: 'boolean' },
  jobs: { type: 'string' },
} as const;

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** How long the work runs before a progress bar appears on a terminal. */
const PROGRESS_AFTER_MS = 500;

/** Runs `coco fleet`. */
export async function run(context: CommandContext): Promise<number> {
  const { io } = context;
  const args = parseCommandArgs('fleet', context.argv, OPTIONS, Number.POSITIVE_INFINITY);
  if (args.values.help === true) {
    io.stdout.write(help);
    return EXIT.ok;
  }
  const timeout = stringFlag(args.values, 'plugin-timeout');
  const timeoutMs =
    timeout === undefined ? DEFAULT_PLUGIN_TIMEOUT_SECONDS * 1000 : parsePluginTimeout(timeout);
  if (args.positionals.length === 0)
    throw new CliError('coco fleet', 'no PATH given', 'give snapshot files or directories: coco fleet DIR');
  const jobsText = stringFlag(args.values, 'jobs');
  let jobs: number | undefined;
  if (jobsText !== undefined) {
    if (!/^\d{1,4}$/.test(jobsText) || Number(jobsText) < 1 || Number(jobsText) > 1024)
      throw new CliError(
        `--jobs ${jobsText}`,
        'it is not a number of threads',
        'give a number from 1 to 1024',
      );
    jobs = Number(jobsText);
    // More threads than cores only adds memory and switching: each worker holds its own registry
    // (64 workers on 2 cores took 10 times as long and 8 times the memory of 2).
    const cores = availableParallelism();
    if (jobs > cores) {
      io.stderr.write(
        `coco fleet: --jobs ${jobs} is more than the ${cores} cores: using ${cores} worker threads\n`,
      );
      jobs = cores;
    }
  }
  // The workers start (load the CLI, build their registries) while this thread walks the paths.
  const pool = startFleetPool({
    ...(jobs !== undefined && { jobs }),
    plugins: listFlag(args.values, 'plugin'),
    cwd: io.cwd,
    timeoutMs,
  });
  let inputs: FleetInput[];
  try {
    inputs = collectInputs(args.positionals);
  } catch (error) {
    pool.close();
    throw error;
  }
  if (inputs.length === 0) {
    pool.close();
    throw new CliError(
      `coco fleet ${args.positionals.join(' ')}`,
      'found no snapshot (*.json) or support bundle',
      'give snapshot files, or directories holding them (coco snapshot > NAME.json writes one)',
      { code: 'FILE_NOT_FOUND' },
    );
  }

  const parts: FleetSummary[] = [];
  const tty = io.stderr.isTTY === true;
  const started = Date.now();
  let progressShown = false;
  let lastDraw = 0;
  const drawProgress = (done: number) => {
    const now = Date.now();
    if (!tty || now - started < PROGRESS_AFTER_MS || (now - lastDraw < 100 && done < inputs.length)) return;
    lastDraw = now;
    progressShown = true;
    const width = 30;
    const filled = Math.round((done / inputs.length) * width);
    io.stderr.write(
      `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${inputs.length} machines`,
    );
  };
  await decideFleet(inputs, {
    pool,
    plugins: listFlag(args.values, 'plugin'),
    cwd: io.cwd,
    timeoutMs,
    onProgress: drawProgress,
    onBatch: (batch) => {
      if (io.stdout.writeBytes) io.stdout.writeBytes(batch.ndjson);
      else io.stdout.write(utf8.decode(batch.ndjson));
      parts.push(batch.summary);
    },
  });
  if (progressShown) io.stderr.write('\r\x1b[K');
  const summary = mergeSummary(parts);
  if (tty || boolFlag(args.values, 'summary')) io.stderr.write(renderSummary(summary));
  if (summary.verdicts.error > 0) return EXIT.usage;
  if (summary.verdicts.conflict > 0) return EXIT.conflict;
  if (summary.verdicts['cannot-tell'] > 0) return EXIT.undecided;
  return EXIT.ok;
}
