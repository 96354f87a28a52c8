import type { EncryptedWhen } from './marking.js';
import type { TrailStep } from './plugin.js';
import type { CocoType } from './type.js';

/** Two or more sources that disagree, each named. */
export interface DetectionConflict {
  /** What is disputed: a register, or the type of the guest. */
  readonly what: string;
  readonly sides: readonly { readonly says: string; readonly source: string }[];
}

/** A plugin that could not decide whether its type is present, and what would decide it. */
export interface Undetermined {
  /** The plugin id. */
  readonly by: string;
  readonly because: string;
  readonly fix: string;
}

/** One entry of the `evidence` array of `coco-detection/1`: a step of the reasoning trail. */
export interface DetectionEvidenceJson {
  readonly source: string;
  readonly says: string;
  /** The plugin that took the step, or `core`. */
  readonly by: string;
  /** The fact it read, when named (`cpuid 0x21`, `msr 0xc0010131`, `dmesg line 12`). */
  readonly fact?: string;
  /** How many times the step was taken, when more than once (repeated evidence is one step). */
  readonly count?: number;
}

/** The `$schema` of `coco-detection/1`: its JSON Schema, published in the repository (and in `@coco/core/schemas/*`). */
export const DETECTION_SCHEMA_URL =
  'https://raw.githubusercontent.com/coco-project/coco/main/schemas/coco-detection-1.schema.json';

/** The `coco-detection/1` document. */
export interface DetectionJson {
  /** The JSON Schema of the document. */
  readonly $schema: typeof DETECTION_SCHEMA_URL;
  readonly format: 'coco-detection/1';
  /** `true`, `false`, or `null` when the evidence cannot decide (see `undetermined`) or conflicts. */
  readonly confidential: boolean | null;
  readonly type: string | null;
  readonly variant: string | null;
  readonly hypervisor: string | null;
  readonly paravisor: boolean | null;
  readonly attributes: readonly string[];
  readonly mask: string | null;
  readonly maskBit: number | null;
  readonly encryptedWhen: EncryptedWhen | null;
  /**
   * `known` (the bit is in `mask`), `unknown` (the type has a bit the evidence did not determine),
   * `none` (the type has no page-table bit: it shares pages by a call), `null` without a type.
   */
  readonly maskState: 'known' | 'unknown' | 'none' | null;
  /** What `systemd-detect-virt --cvm` prints; `null` when undecided or on conflicting evidence. */
  readonly cvm: string | null;
  readonly evidence: readonly DetectionEvidenceJson[];
  readonly warnings: readonly string[];
  /** Why the verdict is `null`: each plugin that could not decide, and what would decide it. */
  readonly undetermined: readonly Undetermined[];
  /** Disagreeing evidence, each side with what it says and its source (also in `warnings` as text). */
  readonly conflicts: readonly DetectionConflict[];
  /** The Confidential Containers TEE name (`tdx`, `snp`, `az-snp-vtpm`, ...), or `null`. */
  readonly tee: string | null;
  /** Attestation interfaces the machine shows (`/dev/sev-guest`, `configfs-tsm:tdx_guest`, ...). */
  readonly attestation: readonly string[];
}

/** The answer of a detection, with the reasoning that led to it. */
export interface Detection {
  /**
   * `true` for a confidential guest; `false` for a plain machine or a memory-encryption host, proved
   * by the evidence; `null` when the evidence cannot decide (`undetermined` says why) or conflicts.
   */
  readonly confidential: boolean | null;
  /** The detected type, or `null` (not confidential, or conflicting evidence). */
  readonly type: CocoType | null;
  /** The hypervisor plugin that composed the type, or `null` when none did. */
  readonly hypervisor: string | null;
  readonly paravisor: boolean | null;
  /** What `systemd-detect-virt --cvm` would print; `null` when undecided or on conflicting evidence. */
  readonly cvm: string | null;
  /** Which evidence led where, in order. */
  readonly trail: readonly TrailStep[];
  readonly warnings: readonly string[];
  /** Disagreeing evidence; when non-empty, `type`, `confidential` and `cvm` are `null`: coco never guesses. */
  readonly conflicts: readonly DetectionConflict[];
  /** When `confidential` is `null` for want of evidence: each plugin that could not decide, and the fix. */
  readonly undetermined: readonly Undetermined[];
  /** The Confidential Containers TEE name of the detected type, or `null`. */
  readonly tee: string | null;
  /** Attestation interfaces the machine shows, as the plugins' machine readers found them. */
  readonly attestation: readonly string[];
  /** The `coco-detection/1` document. */
  toJSON(): DetectionJson;
}

const LINE_NUMBER = /\bline \d+/g;

/** `text` with the line numbers it cites (`dmesg line 12`) made alike. */
const withoutLineNumbers = (text: string) =>
  text.includes('line ') ? text.replace(LINE_NUMBER, 'line #') : text;

/**
 * The key of equal kernel-log steps: same says, by and fact, up to the line numbers they cite (a
 * kernel-log step that cites a line is the same fact read again when only the line number differs).
 */
const kernelLogKey = (s: TrailStep) =>
  `${s.by}\u0000${withoutLineNumbers(s.says)}\u0000${s.fact === undefined ? '\u0001' : withoutLineNumbers(s.fact)}`;

/** Whether two steps are equal: same source, says, by and fact. */
const sameStep = (a: TrailStep, b: TrailStep) =>
  a.source === b.source && a.says === b.says && a.by === b.by && a.fact === b.fact;

/**
 * Adds a step to a trail, folding repeats into one step with a count: a step equal to the last
 * one (same source, says, by and fact), or a kernel-log step equal to any earlier kernel-log step
 * up to the line numbers it cites (`seen` remembers where those are); the first step's wording
 * stays. A log with a line repeated 100,000 times gives one step. Comparing costs no allocation
 * but one key string per kernel-log step.
 */
export function appendStep(trail: TrailStep[], step: TrailStep, seen: Map<string, number>): void {
  let at = -1;
  let key = '';
  if (step.source === 'kernel-log') {
    // Every kernel-log step of the trail is in `seen` (a repeat is folded into the first one).
    key = kernelLogKey(step);
    at = seen.get(key) ?? -1;
  } else {
    const last = trail[trail.length - 1];
    if (last !== undefined && sameStep(last, step)) at = trail.length - 1;
  }
  const count = step.count ?? 1;
  if (at >= 0) {
    const old = trail[at] as TrailStep;
    trail[at] = { ...old, count: (old.count ?? 1) + count };
    return;
  }
  if (step.source === 'kernel-log') seen.set(key, trail.length);
  trail.push(count > 1 ? { ...step, count } : step);
}

/** A trail with its repeats folded (see {@link appendStep}). */
export function aggregateTrail(steps: readonly TrailStep[]): TrailStep[] {
  const trail: TrailStep[] = [];
  const seen = new Map<string, number>();
  for (const step of steps) appendStep(trail, step, seen);
  return trail;
}

/** Renders a conflict as one line naming every source. */
export function describeConflict(conflict: DetectionConflict): string {
  return `conflict over ${conflict.what}: ${conflict.sides.map((s) => `${s.says} (${s.source})`).join(' vs ')}`;
}

interface DetectionParts {
  readonly type: CocoType | null;
  readonly confidential: boolean | null;
  readonly hypervisor: string | null;
  readonly paravisor: boolean | null;
  readonly cvm: string | null;
  readonly trail: readonly TrailStep[];
  readonly warnings: readonly string[];
  readonly conflicts: readonly DetectionConflict[];
  readonly undetermined?: readonly Undetermined[];
  readonly attestation?: readonly string[];
}

/** Builds the immutable detection result. */
export function createDetection(parts: DetectionParts): Detection {
  const { type } = parts;
  const trail = aggregateTrail(parts.trail);
  const attestation = Object.freeze([...(parts.attestation ?? [])]);
  const undetermined = Object.freeze(
    (parts.undetermined ?? []).map((u) => Object.freeze({ by: u.by, because: u.because, fix: u.fix })),
  );
  const marking = type?.marking ?? null;
  const json: DetectionJson = Object.freeze({
    $schema: DETECTION_SCHEMA_URL,
    format: 'coco-detection/1',
    confidential: parts.confidential,
    type: type?.id ?? null,
    variant: type?.variant ?? null,
    hypervisor: parts.hypervisor,
    paravisor: parts.paravisor,
    attributes: Object.freeze([...(type?.attributes.ids ?? [])]),
    mask: marking ? `0x${marking.mask.toString(16)}` : null,
    maskBit: marking ? marking.maskBit : null,
    encryptedWhen: type ? type.encryptedWhen : null,
    maskState: type ? type.maskState : null,
    cvm: parts.cvm,
    evidence: Object.freeze(
      trail.map((s) =>
        Object.freeze({
          source: s.source,
          says: s.says,
          by: s.by,
          ...(s.fact !== undefined && { fact: s.fact }),
          ...(s.count !== undefined && s.count > 1 && { count: s.count }),
        }),
      ),
    ),
    warnings: Object.freeze([...parts.warnings, ...parts.conflicts.map(describeConflict)]),
    undetermined,
    conflicts: Object.freeze(
      parts.conflicts.map((c) =>
        Object.freeze({
          what: c.what,
          sides: Object.freeze(
            c.sides.map((side) => Object.freeze({ says: side.says, source: side.source })),
          ),
        }),
      ),
    ),
    tee: type?.tee ?? null,
    attestation,
  });
  return Object.freeze({
    confidential: parts.confidential,
    type,
    hypervisor: parts.hypervisor,
    paravisor: parts.paravisor,
    cvm: parts.cvm,
    trail: Object.freeze(trail.map((s) => Object.freeze(s))),
    warnings: Object.freeze([...parts.warnings]),
    conflicts: Object.freeze([...parts.conflicts]),
    undetermined,
    tee: type?.tee ?? null,
    attestation,
    toJSON: () => json,
  });
}
