import { EVIDENCE_HELP, EVIDENCE_OPTIONS, gatherEvidence } from '../inputs.js';
import { renderExplain } from '../render/explain.js';
import { createStyle } from '../render/style.js';
import { COMMON_HELP, type CommandContext, prepare } from './common.js';
import { verdictStatus } from './conflicts.js';

/** `coco explain --help`. */
export const help = `Usage: coco explain [evidence flags]

Detects like coco detect and prints the reasoning trail step by step: the evidence each source
supplied, then each step with the kind of evidence it read and the plugin that took it, then the
conclusion.

${EVIDENCE_HELP}

${COMMON_HELP}

Exit status: 0 decided, 2 bad usage or input, 3 conflicting evidence, 4 cannot tell.

Examples:
  coco explain
  coco explain --example azure-tdx-paravisor
`;

/** Runs `coco explain`. */
export async function run(context: CommandContext): Promise<number> {
  const prepared = await prepare('explain', help, context, EVIDENCE_OPTIONS);
  if (!prepared) return 0;
  const { io } = context;
  const { evidence } = await gatherEvidence(prepared.values, io, prepared.registry, {
    logPatterns: prepared.registry.logPatterns,
  });
  const detection = prepared.registry.detect(evidence);
  io.stdout.write(renderExplain(detection, evidence, createStyle(io.stdout, io.env)));
  return verdictStatus(detection, io);
}
