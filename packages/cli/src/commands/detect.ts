import { boolFlag } from '../args.js';
import { EVIDENCE_HELP, EVIDENCE_OPTIONS, gatherEvidence } from '../inputs.js';
import { renderDetection } from '../render/detection.js';
import { createStyle } from '../render/style.js';
import { COMMON_HELP, type CommandContext, prepare } from './common.js';
import { verdictStatus } from './conflicts.js';

/** `coco detect --help`. */
export const help = `Usage: coco detect [evidence flags] [--json]

Detects which type of confidential guest this machine is (probing it live), or the machine the
evidence flags describe. Prints a summary: type, variant, hypervisor, paravisor, mask and
polarity, attributes, and what systemd-detect-virt --cvm would print.

${EVIDENCE_HELP}

Output:
  --json              print the coco-detection/1 document instead
${COMMON_HELP}

Exit status: 0 decided (a confidential guest, or proved not one), 2 bad usage or input,
3 conflicting evidence, 4 cannot tell (a source could not be read, or the evidence says
too little: the output says what would decide it).

Examples:
  coco detect
  coco detect --example azure-snp-paravisor --json
  coco detect --cpuid cpuid.txt --dmesg dmesg.txt --msr 0xc0010131=0x7
  sudo dmesg | coco detect --dmesg -
`;

/** Runs `coco detect`. */
export async function run(context: CommandContext): Promise<number> {
  const prepared = await prepare('detect', help, context, { ...EVIDENCE_OPTIONS, json: { type: 'boolean' } });
  if (!prepared) return 0;
  const { io } = context;
  const { evidence } = await gatherEvidence(prepared.values, io, {
    logPatterns: prepared.registry.logPatterns,
  });
  const detection = prepared.registry.detect(evidence);
  if (boolFlag(prepared.values, 'json')) io.stdout.write(`${JSON.stringify(detection.toJSON(), null, 2)}\n`);
  else io.stdout.write(renderDetection(detection, evidence, createStyle(io.stdout, io.env)));
  return verdictStatus(detection, io);
}
