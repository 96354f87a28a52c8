import { createDetection, type Detection, type DetectionConflict } from './detection.js';
import { CocoError, isCocoError } from './errors.js';
import type { Evidence } from './evidence/model.js';
import type {
  BackendClaim,
  BackendPlugin,
  CocoPlugin,
  DetectContext,
  HypervisorClaim,
  HypervisorContext,
  TrailStep,
} from './plugin.js';
import type { Registry } from './registry.js';
import type { CocoType } from './type.js';

/** The label `systemd-detect-virt --cvm` prints for a machine that is not a confidential guest. */
export const CVM_NONE = 'none';

interface Candidate {
  readonly by: string;
  readonly type: CocoType;
  readonly paravisor: boolean | null;
  readonly hypervisor: string | null;
  readonly tentative: boolean;
}

function errorText(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return 'an unprintable error';
  }
}

function isType(value: unknown): value is CocoType {
  const t = value as CocoType | null;
  return (
    typeof t === 'object' &&
    t !== null &&
    typeof t.id === 'string' &&
    typeof t.attributes?.has === 'function' &&
    typeof t.cvm === 'string' &&
    (t.encryptedWhen === 'set' || t.encryptedWhen === 'clear')
  );
}

function typeLabel(type: CocoType): string {
  return type.variant ? `${type.id} (${type.variant})` : type.id;
}

/** Runs detection over a registry's plugins; the registry's `detect` calls this. */
export function detectWith(registry: Registry, evidence: Evidence): Detection {
  const shaped = evidence as Partial<Evidence> | null;
  if (
    typeof shaped?.cpuid !== 'function' ||
    !Array.isArray(shaped.conflicts) ||
    !Array.isArray(shaped.unavailable)
  ) {
    throw new CocoError('EVIDENCE_INVALID', 'detection needs an Evidence object', {
      input: 'evidence',
      fix: 'build evidence with a parser, EvidenceBuilder or mergeEvidence from @coco/core',
    });
  }
  const trail: TrailStep[] = [];
  const warnings: string[] = [];
  const conflicts: DetectionConflict[] = evidence.conflicts.map((c) => ({
    what: c.fact,
    sides: c.values.map((v) => ({ says: v.value, source: v.source })),
  }));
  for (const note of evidence.unavailable) {
    trail.push({ source: 'probe', says: `${note.source} not read: ${note.reason}; ${note.fix}`, by: 'core' });
  }

  const contextFor = (plugin: CocoPlugin): DetectContext => ({
    step: (source, says) => void trail.push({ source: String(source), says: String(says), by: plugin.id }),
    warn: (message) => void warnings.push(`${plugin.id}: ${String(message)}`),
    conflict: (what, sides) =>
      void conflicts.push({
        what: `${String(what)} (seen by ${plugin.id})`,
        sides: sides.map((s) => ({ says: String(s.says), source: String(s.source) })),
      }),
  });

  const asked = new Set<string>();
  const runBackend = (backend: BackendPlugin): BackendClaim | null => {
    asked.add(backend.id);
    const claim = backend.detect(evidence, contextFor(backend));
    if (claim === null || claim === undefined) return null;
    if (!isType(claim.type)) throw new TypeError('its claim carries no valid type');
    return claim;
  };

  const contain = <T>(plugin: CocoPlugin, run: () => T): T | null => {
    try {
      return run();
    } catch (error) {
      if (isCocoError(error) && error.code === 'BACKEND_MISSING') throw error;
      warnings.push(
        `plugin ${plugin.id} (${plugin.packageName}) failed during detection and was skipped: ${errorText(error)}`,
      );
      return null;
    }
  };

  const composed: Candidate[] = [];
  for (const hv of registry.hypervisors) {
    const context: HypervisorContext = {
      ...contextFor(hv),
      hasBackend: (id) => registry.backend(id) !== undefined,
      backend: (id, packageName) => {
        const backend = registry.backend(id);
        if (backend) return backend;
        throw new CocoError(
          'BACKEND_MISSING',
          `this guest needs the ${id} backend, which is not registered`,
          {
            input: `plugin ${hv.id}`,
            fix: `install ${packageName} and register its plugin export with use() before detecting`,
          },
        );
      },
      detectWith: (id, packageName) => runBackend(context.backend(id, packageName)),
    };
    const claim = contain(hv, (): HypervisorClaim | null => {
      const c = hv.detect(evidence, context);
      if (c === null || c === undefined) return null;
      if (!isType(c.type)) throw new TypeError('its claim carries no valid type');
      return { type: c.type, paravisor: typeof c.paravisor === 'boolean' ? c.paravisor : null };
    });
    if (claim)
      composed.push({
        by: hv.id,
        type: claim.type,
        paravisor: claim.paravisor,
        hypervisor: hv.id,
        tentative: false,
      });
  }

  const found: Candidate[] = [];
  for (const backend of registry.backends) {
    if (asked.has(backend.id) || composed.some((c) => c.type.id === backend.id)) continue;
    const claim = contain(backend, () => runBackend(backend));
    if (claim)
      found.push({
        by: backend.id,
        type: claim.type,
        paravisor: null,
        hypervisor: null,
        tentative: claim.tentative === true,
      });
  }

  let candidates = [...composed, ...found];
  if (candidates.some((c) => !c.tentative)) {
    for (const c of candidates.filter((c) => c.tentative)) {
      trail.push({
        source: 'core',
        says: `the tentative ${typeLabel(c.type)} claim of ${c.by} yields to a definite claim`,
        by: 'core',
      });
    }
    candidates = candidates.filter((c) => !c.tentative);
  }
  const distinct = new Map<string, Candidate>();
  for (const c of candidates) {
    const key = `${c.type.id}/${c.type.variant}/${c.type.marking?.maskBit ?? '?'}`;
    if (!distinct.has(key)) distinct.set(key, c);
  }
  if (distinct.size > 1) {
    conflicts.push({
      what: 'the type of the guest',
      sides: [...distinct.values()].map((c) => ({
        says: typeLabel(c.type),
        source: c.hypervisor ? `hypervisor plugin ${c.by}` : `backend ${c.by}`,
      })),
    });
  }

  const winner = candidates[0];
  if (conflicts.length > 0 || !winner) {
    const labels = new Set(candidates.map((c) => c.type.cvm));
    const confidential = candidates.length > 0 && candidates.every((c) => c.type.guest);
    return createDetection({
      type: null,
      confidential,
      hypervisor: null,
      paravisor: null,
      cvm: labels.size === 1 ? [...labels][0]! : CVM_NONE,
      trail,
      warnings,
      conflicts,
    });
  }
  return createDetection({
    type: winner.type,
    confidential: winner.type.guest,
    hypervisor: winner.hypervisor,
    paravisor: winner.paravisor,
    cvm: winner.type.cvm,
    trail,
    warnings,
    conflicts,
  });
}
