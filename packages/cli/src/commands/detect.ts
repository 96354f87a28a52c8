import type { Detection } from '@coco/core';
import { boolFlag, stringFlag } from '../args.js';
import { CliError, EXIT } from '../errors.js';
import { EVIDENCE_HELP, EVIDENCE_OPTIONS, gatherEvidence } from '../inputs.js';
import type { CliIo } from '../io.js';
import { renderDetection } from '../render/detection.js';
import { renderNfd } from '../render/nfd.js';
import { renderPrometheus } from '../render/prometheus.js';
import { createStyle } from '../render/style.js';
import { VERSION } from '../run.js';
import { COMMON_HELP, type CommandContext, prepare } from './common.js';
import { verdictStatus } from './conflicts.js';

/**
 * The labels `systemd-detect-virt --list-cvm` prints, in its order: the string table of systemd's
 * src/basic/confidential-virt.c from index 0 (`none`) on, as `DUMP_STRING_TABLE` prints it.
 */
export const CVM_LABELS: readonly string[] = Object.freeze([
  'none',
  'sev',
  'sev-es',
  'sev-snp',
  'tdx',
  'protvirt',
  'cca',
]);

/** What `--format` takes. */
export const DETECT_FORMATS: readonly string[] = Object.freeze(['human', 'json', 'nfd', 'prometheus']);

/** `coco detect --help`. */
export const help = `Usage: coco detect [evidence flags] [--format F | --json | --cvm] [-q]

Detects which type of confidential guest this machine is (probing it live), or the machine the
evidence flags describe. Prints a summary: type, variant, hypervisor, paravisor, mask and
polarity, attributes, and what systemd-detect-virt --cvm would print.

${EVIDENCE_HELP}

Output:
  --format F          human (default), json (the coco-detection/1 document), nfd (a feature
                      file for node-feature-discovery's features.d), prometheus (the text
                      format for node_exporter's textfile collector)
  --json              the same as --format json
  --cvm               print only what systemd-detect-virt --cvm prints (sev, sev-es, sev-snp,
                      tdx, ... or none), and exit as it does: 0 for a confidential VM, 1 for none
  --list-cvm          list the labels --cvm prints, as systemd-detect-virt --list-cvm does
  -q, --quiet         print nothing: only the exit status tells (with --cvm too)
  --output FILE       write the output to FILE instead: written beside it as .FILE.tmp, then
                      renamed, so a reader (NFD, node_exporter) never sees half of it
  --nfd-expiry S      with --format nfd, labels expire S seconds from now (# +expiry-time=)
${COMMON_HELP}

Exit status: 0 decided (a confidential guest, or proved not one), 2 bad usage or input,
3 conflicting evidence, 4 cannot tell (a source could not be read, or the evidence says
too little: the output says what would decide it). With --cvm, as systemd-detect-virt --cvm:
0 a confidential VM, 1 none; then 3 and 4 as above (systemd has no "cannot tell": it prints
none where coco says it cannot tell).

Examples:
  coco detect
  coco detect --example azure-snp-paravisor --json
  coco detect --cvm
  if coco detect --cvm -q; then echo confidential; fi
  coco detect --format nfd --output /etc/kubernetes/node-feature-discovery/features.d/coco
  coco detect --format prometheus --output /var/lib/node_exporter/textfile/coco.prom
  coco detect --cpuid cpuid.txt --dmesg dmesg.txt --msr 0xc0010131=0x7
  sudo dmesg | coco detect --dmesg -
`;

const OPTIONS = {
  ...EVIDENCE_OPTIONS,
  json: { type: 'boolean' },
  format: { type: 'string' },
  cvm: { type: 'boolean' },
  'list-cvm': { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  output: { type: 'string' },
  'nfd-expiry': { type: 'string' },
} as const;

/** The output format the flags ask for, checking they do not contradict each other. */
function chooseFormat(values: Parameters<typeof stringFlag>[0]): string {
  const format = stringFlag(values, 'format');
  if (format !== undefined && !DETECT_FORMATS.includes(format)) {
    throw new CliError(
      `--format ${format}`,
      'no such output format',
      `use one of ${DETECT_FORMATS.join(', ')}`,
    );
  }
  const json = boolFlag(values, 'json');
  if (json && format !== undefined && format !== 'json') {
    throw new CliError('coco detect', `--json and --format ${format} both given`, 'give one of them');
  }
  if (boolFlag(values, 'cvm') && (json || format !== undefined)) {
    throw new CliError(
      'coco detect',
      '--cvm prints only the systemd label',
      'leave out --format and --json, or leave out --cvm (the other formats include the label)',
    );
  }
  const chosen = json ? 'json' : (format ?? 'human');
  if (stringFlag(values, 'nfd-expiry') !== undefined && chosen !== 'nfd') {
    throw new CliError(
      '--nfd-expiry',
      'it applies to --format nfd only',
      'add --format nfd, or leave it out',
    );
  }
  return chosen;
}

function parseExpiry(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,9}$/.test(text) || Number(text) === 0) {
    throw new CliError(
      `--nfd-expiry ${text}`,
      'it is not a number of seconds',
      'give whole seconds, such as 3600',
    );
  }
  return new Date(Date.now() + Number(text) * 1000);
}

/** `--cvm`: the label and systemd's status, or 3/4 when coco cannot give a label. */
function cvmStatus(detection: Detection, io: CliIo, quiet: boolean): { text: string; status: number } {
  const silent: CliIo = quiet ? { ...io, stderr: { write: () => undefined } } : io;
  const verdict = verdictStatus(detection, silent);
  if (verdict !== EXIT.ok) return { text: '', status: verdict };
  if (detection.cvm === null) {
    if (!quiet) {
      io.stderr.write(
        'coco: CANNOT_TELL: the label systemd-detect-virt --cvm prints cannot be told from this evidence. Fix: coco explain shows which input is missing\n',
      );
    }
    return { text: '', status: EXIT.undecided };
  }
  // systemd: `return c == CONFIDENTIAL_VIRTUALIZATION_NONE;`, so none exits 1.
  return { text: `${detection.cvm}\n`, status: detection.cvm === 'none' ? 1 : EXIT.ok };
}

/** Runs `coco detect`. */
export async function run(context: CommandContext): Promise<number> {
  const prepared = await prepare('detect', help, context, OPTIONS);
  if (!prepared) return 0;
  const { io } = context;
  const { values } = prepared;
  if (boolFlag(values, 'list-cvm')) {
    io.stdout.write(`${CVM_LABELS.join('\n')}\n`);
    return EXIT.ok;
  }
  const format = chooseFormat(values);
  const expires = parseExpiry(stringFlag(values, 'nfd-expiry'));
  const quiet = boolFlag(values, 'quiet');
  const output = stringFlag(values, 'output');
  const { writeOutput } =
    output === undefined ? { writeOutput: undefined } : await import('../output-file.js');
  const { evidence } = await gatherEvidence(values, io, prepared.registry, {
    logPatterns: prepared.registry.logPatterns,
  });
  const detection = prepared.registry.detect(evidence);
  const emit = (text: string) => {
    if (output !== undefined && writeOutput) writeOutput(output, text, io.cwd);
    else if (!quiet) io.stdout.write(text);
  };

  if (boolFlag(values, 'cvm')) {
    const { text, status } = cvmStatus(detection, io, quiet);
    if (text !== '') emit(text);
    return status;
  }
  let text: string;
  if (format === 'json') text = `${JSON.stringify(detection.toJSON(), null, 2)}\n`;
  else if (format === 'nfd')
    text = renderNfd(detection.toJSON(), { version: VERSION, ...(expires && { expires }) });
  else if (format === 'prometheus') text = renderPrometheus(detection.toJSON(), VERSION);
  else {
    const target = output === undefined ? io.stdout : { write: () => undefined, isTTY: false };
    text = renderDetection(detection, evidence, createStyle(target, io.env));
  }
  emit(text);
  const status = verdictStatus(detection, quiet ? { ...io, stderr: { write: () => undefined } } : io);
  return status;
}
