import {
  appendStep,
  createDetection,
  type Detection,
  type DetectionConflict,
  type Undetermined,
} from './detection.js';
import { CocoError, isCocoError } from './errors.js';
import type { Evidence } from './evidence/model.js';
import { checkFacts, resolveLegacy } from './evidence/model.js';
import { namedFew } from './list-few.js';
import { MASK_BIT_MAX, MASK_BIT_MIN } from './marking.js';
import { fieldOf, hasOwn, own } from './own.js';
import type {
  BackendClaim,
  BackendPlugin,
  BackendResult,
  CocoPlugin,
  CvmProcedure,
  CvmReading,
  DetectContext,
  HypervisorClaim,
  HypervisorContext,
  MachineReader,
  NoClaim,
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

const TYPE_SPEC = Symbol.for('@coco/core/type-spec');

/**
 * A plugin object (or its prototype) as another plugin sees it: every read reaches it, no write,
 * definition or deletion does, in strict code a TypeError. A registered plugin is the same object
 * in every later detection and every registry that uses it, so a hypervisor given a backend must
 * not be able to replace its `detect`.
 */
const views = new WeakMap<object, object>();
function readOnly<T extends object>(target: T): T {
  let view = views.get(target);
  if (view === undefined) {
    const refuse = () => false;
    view = new Proxy(target, {
      set: refuse,
      defineProperty: refuse,
      deleteProperty: refuse,
      setPrototypeOf: refuse,
      preventExtensions: refuse,
      getPrototypeOf: (t) => {
        const proto = Reflect.getPrototypeOf(t);
        return proto === null || proto === Object.prototype ? proto : readOnly(proto);
      },
    });
    views.set(target, view);
  }
  return view as T;
}

/** The ids of a registry list (attributes, fact kinds), once per list: the registry answers the same frozen list until a plugin is added. */
const idSets = new WeakMap<readonly { readonly id: string }[], ReadonlySet<string>>();
function idsOf(list: readonly { readonly id: string }[]): ReadonlySet<string> {
  let ids = idSets.get(list);
  if (!ids) {
    ids = new Set(list.map((entry) => entry.id));
    if (Object.isFrozen(list)) idSets.set(list, ids);
  }
  return ids;
}

/**
 * Why a value cannot count as a type of `registry` (a plugin's claim, or what a backend's
 * `createType` returned), naming the field, or `null` when it can: it must be a type `createType`
 * built (frozen, with its spec), of a registered backend, with a variant that backend declares,
 * only registered attributes, and a marking (if any) of one bit with the type's polarity. It reads
 * own fields only and never calls the value's methods.
 */
export function typeProblem(value: unknown, registry: Registry): string | null {
  if (typeof value !== 'object' || value === null || !hasOwn(value, TYPE_SPEC) || !Object.isFrozen(value)) {
    return 'type: not a type built by createType';
  }
  const t = value as CocoType;
  const backend = registry.backend(String(own(t, 'id')));
  if (!backend) return `type.id: ${JSON.stringify(own(t, 'id'))} is not a registered backend's type`;
  if (typeof own(t, 'guest') !== 'boolean') return 'type.guest: not a boolean';
  const variant = own(t, 'variant');
  const variants = fieldOf(backend, 'variants');
  if (Array.isArray(variants) && !variants.some((v) => own(v, 'variant') === variant)) {
    return `type.variant: ${JSON.stringify(variant)} is not a variant ${backend.id} declares`;
  }
  const known = idsOf(registry.attributes);
  const ids = own(own(t, 'attributes'), 'ids');
  if (!Array.isArray(ids)) return 'type.attributes: not an attribute set';
  const stranger = ids.find((id) => !known.has(id));
  if (stranger !== undefined)
    return `type.attributes: ${JSON.stringify(stranger)} is not a registered attribute`;
  const marking = own(t, 'marking');
  if (marking !== null) {
    const bit = own(marking, 'maskBit');
    if (
      typeof bit !== 'number' ||
      !Number.isInteger(bit) ||
      bit < MASK_BIT_MIN ||
      bit > MASK_BIT_MAX ||
      own(marking, 'addressMask') !== 1n << BigInt(bit) ||
      own(marking, 'mask') !== 1n << BigInt(own(marking, 'entryBit') as number) ||
      own(marking, 'encryptedWhen') !== own(t, 'encryptedWhen') ||
      own(t, 'maskState') !== 'known'
    ) {
      return "type.marking: not one bit inside 0..63 with the type's polarity";
    }
  } else if (own(t, 'maskState') !== 'none' && own(t, 'maskState') !== 'unknown') {
    return 'type.maskState: not known, unknown or none';
  }
  return null;
}

/** A plugin's answer, read once and checked: a claim's type, a {@link NoClaim}, or nothing. */
type Answer<C> = { readonly claim: C } | { readonly none: NoClaim } | null;

function readNoClaim(value: Record<string, unknown>): NoClaim {
  const verdict = own(value, 'verdict');
  const because = own(value, 'because');
  const fix = own(value, 'fix');
  if (verdict === 'absent' && typeof because === 'string') return Object.freeze({ verdict, because });
  if (verdict === 'unknown' && typeof because === 'string' && typeof fix === 'string') {
    return Object.freeze({ verdict, because, fix });
  }
  throw new TypeError('it returned neither a claim nor absent()/cannotTell()');
}

function typeLabel(type: CocoType): string {
  return type.variant ? `${type.id} (${type.variant})` : type.id;
}

/** Each distinct `systemd-detect-virt --cvm` procedure the plugins carry, in registration order. */
function procedures(plugins: readonly CocoPlugin[]): CvmProcedure[] {
  const byId = new Map<string, CvmProcedure>();
  for (const plugin of plugins) {
    const procedure = fieldOf(plugin, 'cvm') as CvmProcedure | undefined;
    const id = own(procedure, 'id');
    if (typeof id === 'string' && typeof own(procedure, 'read') === 'function' && !byId.has(id)) {
      byId.set(id, procedure as CvmProcedure);
    }
  }
  return [...byId.values()];
}

/** Kinds of facts no plugin reads that get a warning each; more get one warning together. */
const UNREAD_KINDS_NAMED = 8;

/** Runs detection over a registry's plugins; the registry's `detect` calls this. */
export function detectWith(registry: Registry, evidence: Evidence): Detection {
  const shaped = evidence as Partial<Evidence> | null;
  if (
    typeof shaped?.fact !== 'function' ||
    !Array.isArray(shaped.conflicts) ||
    !Array.isArray(shaped.unavailable)
  ) {
    throw new CocoError('EVIDENCE_INVALID', 'detection needs an Evidence object', {
      input: 'evidence',
      fix: 'build evidence with a parser, EvidenceBuilder or mergeEvidence from @coco/core',
    });
  }
  evidence = resolveLegacy(evidence, registry.factKinds);
  checkFacts(evidence, registry.factKinds);
  const trail: TrailStep[] = [];
  const warnings: string[] = [...registry.notices, ...evidence.warnings];
  const declared = idsOf(registry.factKinds);
  const unread = [...evidence.storedFacts].filter(([kindId]) => !declared.has(kindId));
  // One warning per kind for a few kinds; past that, one for all (a document may hold thousands).
  if (unread.length > UNREAD_KINDS_NAMED) {
    const count = unread.reduce((n, [, facts]) => n + facts.size, 0);
    warnings.push(
      `${count} facts of ${unread.length} kinds (${namedFew(unread.map(([kindId]) => kindId))}) are read by no registered plugin (a newer coco or a plugin not installed wrote them): kept, not used`,
    );
  } else {
    for (const [kindId, facts] of unread) {
      const sources = [...new Set([...facts.values()].map((f) => f.source))];
      warnings.push(
        `${facts.size} fact${facts.size === 1 ? '' : 's'} of kind "${kindId}" (from ${sources.length > 3 ? `${sources.slice(0, 3).join(', ')} and ${sources.length - 3} more` : sources.join(', ')}) ${facts.size === 1 ? 'is' : 'are'} read by no registered plugin (a newer coco or a plugin not installed wrote them): kept, not used`,
      );
    }
  }
  const undetermined: Undetermined[] = [];
  const ruledOut = new Set<string>();
  const conflicts: DetectionConflict[] = evidence.conflicts.map((c) => ({
    what: c.fact,
    sides: c.values.map((v) => ({ says: v.value, source: v.source })),
  }));
  for (const note of evidence.unavailable) {
    trail.push({ source: 'probe', says: `${note.source} not read: ${note.reason}; ${note.fix}`, by: 'core' });
  }

  // Plugins' steps are folded as they come (appendStep), so repeated evidence never grows the trail.
  const seenSteps = new Map<string, number>();
  const contextFor = (plugin: CocoPlugin): DetectContext => ({
    step: (source, says, fact) =>
      appendStep(
        trail,
        {
          source: String(source),
          says: String(says),
          by: plugin.id,
          ...(typeof fact === 'string' && { fact }),
        },
        seenSteps,
      ),
    warn: (message) => void warnings.push(`${plugin.id}: ${String(message)}`),
    conflict: (what, sides) =>
      void conflicts.push({
        what: `${String(what)} (seen by ${plugin.id})`,
        sides: sides.map((s) => ({ says: String(s.says), source: String(s.source) })),
      }),
  });

  /** Records what a plugin said when it made no claim; every plugin is heard once. */
  const heard = new Set<string>();
  const record = (plugin: CocoPlugin, none: NoClaim) => {
    if (heard.has(plugin.id)) return;
    heard.add(plugin.id);
    if (none.verdict === 'absent') {
      ruledOut.add(plugin.id);
      trail.push({ source: 'core', says: `${plugin.id} rules its type out: ${none.because}`, by: plugin.id });
    } else {
      undetermined.push({ by: plugin.id, because: none.because, fix: none.fix });
      trail.push({ source: 'core', says: `${plugin.id} cannot tell: ${none.because}`, by: plugin.id });
    }
  };

  /** Reads a plugin's return value without trusting it: a claim must carry a type it may claim. */
  const answer = <C extends { readonly type: CocoType }>(
    value: unknown,
    mayClaim: (type: CocoType) => boolean,
  ): Answer<C> => {
    if (value === null || value === undefined) return null;
    if (typeof value !== 'object') throw new TypeError(`it returned ${typeof value}`);
    const fields = value as Record<string, unknown>;
    const type = own(fields, 'type');
    if (type === undefined) return { none: readNoClaim(fields) };
    const problem = typeProblem(type, registry);
    if (problem) throw new TypeError(`its claim was refused: ${problem}`);
    if (!mayClaim(type as CocoType)) {
      throw new TypeError(`its claim was refused: type.id ${JSON.stringify(own(type, 'id'))} is not its own`);
    }
    const tentative = own(fields, 'tentative') === true;
    const paravisor = own(fields, 'paravisor');
    // A fresh object of own fields: later reads never reach a getter or a prototype. Frozen: a
    // backend's answer is handed to every hypervisor that asks, then counted as the backend's own.
    return {
      claim: Object.freeze({
        type,
        tentative,
        paravisor: typeof paravisor === 'boolean' ? paravisor : null,
      }) as unknown as C,
    };
  };

  const asked = new Map<string, BackendResult>();
  const askBackend = (backend: BackendPlugin): BackendResult => {
    if (asked.has(backend.id)) return asked.get(backend.id) ?? null;
    asked.set(backend.id, null);
    let result: Answer<BackendClaim>;
    try {
      result = answer<BackendClaim>(
        backend.detect(evidence, contextFor(backend)),
        (type) => type.id === backend.id,
      );
    } catch (error) {
      // The backend failed for the one who asked; it is run again on its own, and fails as itself.
      asked.delete(backend.id);
      throw error;
    }
    if (result && 'none' in result) record(backend, result.none);
    const said = result === null ? null : 'claim' in result ? result.claim : result.none;
    asked.set(backend.id, said);
    return said;
  };
  const runBackend = (backend: BackendPlugin): BackendClaim | null => {
    const said = askBackend(backend);
    return own(said, 'type') ? (said as BackendClaim) : null;
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
  // Backends whose answers a hypervisor's claim stands for: only those it asked and then claimed
  // with. A hypervisor that asks and then makes no claim (or fails) consumes nothing, so it cannot
  // silence a backend's claim.
  const consumed = new Set<string>();
  for (const hv of registry.hypervisors) {
    const mine = new Set<string>();
    const backendOf = (id: string, packageName: string): BackendPlugin => {
      const backend = registry.backend(id);
      if (backend) return backend;
      throw new CocoError('BACKEND_MISSING', `this guest needs the ${id} backend, which is not registered`, {
        input: `plugin ${hv.id}`,
        fix: `install ${packageName} and register its plugin export with use() before detecting`,
      });
    };
    // ask and detectWith run the registered backend itself, never what the hypervisor's context
    // (an object it may edit) now holds; `backend` hands out a view it cannot write through.
    const context: HypervisorContext = {
      ...contextFor(hv),
      hasBackend: (id) => registry.backend(id) !== undefined,
      backend: <B extends BackendPlugin<never>>(id: string, packageName: string): B =>
        readOnly(backendOf(id, packageName)) as unknown as B,
      detectWith: (id, packageName) => {
        const backend = backendOf(id, packageName);
        mine.add(backend.id);
        return runBackend(backend);
      },
      ask: (id, packageName) => {
        const backend = backendOf(id, packageName);
        mine.add(backend.id);
        return askBackend(backend);
      },
    };
    const claim = contain(hv, (): HypervisorClaim | null => {
      const result = answer<HypervisorClaim>(
        hv.detect(evidence, context),
        (type) => registry.backend(type.id) !== undefined,
      );
      if (result && 'none' in result) record(hv, result.none);
      if (!result || !('claim' in result)) return null;
      const c = result.claim;
      return { type: c.type, paravisor: typeof c.paravisor === 'boolean' ? c.paravisor : null };
    });
    if (claim) {
      composed.push({
        by: hv.id,
        type: claim.type,
        paravisor: claim.paravisor,
        hypervisor: hv.id,
        tentative: false,
      });
      for (const id of mine) consumed.add(id);
    }
  }

  const found: Candidate[] = [];
  for (const backend of registry.backends) {
    if (consumed.has(backend.id) || composed.some((c) => c.type.id === backend.id)) continue;
    // A backend a hypervisor asked already answered (and was heard): its answer is reused.
    const claim = asked.has(backend.id)
      ? (() => {
          const said = asked.get(backend.id);
          return own(said, 'type') ? (said as BackendClaim) : null;
        })()
      : contain(backend, () => runBackend(backend));
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

  const winner = conflicts.length > 0 ? undefined : candidates[0];
  const confidential = verdictOf(registry, conflicts, winner, undetermined, ruledOut, trail);
  const cvm =
    conflicts.length > 0 ? null : cvmLabel(registry, evidence, confidential, winner, trail, warnings);
  const machine = readMachine(registry.plugins, evidence, warnings);
  return createDetection({
    type: winner?.type ?? null,
    confidential,
    hypervisor: winner?.hypervisor ?? machine.hypervisor,
    attestation: machine.attestation,
    paravisor: winner?.paravisor ?? null,
    cvm,
    trail,
    warnings,
    conflicts,
    undetermined: winner ? [] : undetermined,
  });
}

/**
 * What the plugins' machine readers say: the first hypervisor name one knows (`null` for bare metal
 * or unknown), and every attestation interface any of them found, in order.
 */
function readMachine(
  plugins: readonly CocoPlugin[],
  evidence: Evidence,
  warnings: string[],
): { hypervisor: string | null; attestation: string[] } {
  let hypervisor: string | null = null;
  const attestation = new Set<string>();
  const seen = new Set<string>();
  for (const plugin of plugins) {
    const reader = fieldOf(plugin, 'machine') as MachineReader | undefined;
    const id = own(reader, 'id');
    if (!reader || typeof id !== 'string' || typeof own(reader, 'read') !== 'function' || seen.has(id))
      continue;
    seen.add(id);
    try {
      const facts = reader.read(evidence);
      if (!facts) continue;
      const name = own(facts, 'hypervisor');
      if (hypervisor === null && typeof name === 'string' && name !== CVM_NONE) hypervisor = name;
      const found = own(facts, 'attestation');
      if (Array.isArray(found)) for (const a of found) if (typeof a === 'string') attestation.add(a);
    } catch (error) {
      warnings.push(`machine reader ${id} failed and was skipped: ${errorText(error)}`);
    }
  }
  return { hypervisor, attestation: [...attestation] };
}

/**
 * The three-valued verdict: `true`/`false` from the winning claim's type (an SME host is not a guest),
 * `null` on conflicting evidence; with no claim, `false` only when some backend proved its type
 * absent and none could not tell, else `null`.
 */
function verdictOf(
  registry: Registry,
  conflicts: readonly DetectionConflict[],
  winner: Candidate | undefined,
  undetermined: readonly Undetermined[],
  ruledOut: ReadonlySet<string>,
  trail: TrailStep[],
): boolean | null {
  const say = (says: string) => void trail.push({ source: 'core', says, by: 'core' });
  if (conflicts.length > 0) {
    say('verdict: cannot tell, the evidence conflicts (coco never guesses)');
    return null;
  }
  if (winner) {
    say(
      `verdict: ${winner.type.guest ? 'a confidential guest' : 'not a confidential guest'} (${typeLabel(winner.type)})`,
    );
    return winner.type.guest;
  }
  if (undetermined.length > 0) {
    say(`verdict: cannot tell, ${undetermined.map((u) => u.by).join(', ')} could not decide`);
    return null;
  }
  if (!registry.backends.some((b) => ruledOut.has(b.id))) {
    say(
      registry.backends.length === 0
        ? 'verdict: cannot tell, no backend is registered'
        : 'verdict: cannot tell, no plugin ruled its type out',
    );
    return null;
  }
  say(`verdict: not a confidential guest (${[...ruledOut].join(', ')} ruled their types out)`);
  return false;
}

/**
 * What `systemd-detect-virt --cvm` prints: the label of the first procedure a plugin carries that
 * applies to the evidence and can run; when none can (an input such as CPUID is missing), the label
 * systemd prints for the detected type (`none` when not a confidential guest, `null` when undecided).
 */
function cvmLabel(
  registry: Registry,
  evidence: Evidence,
  confidential: boolean | null,
  winner: Candidate | undefined,
  trail: TrailStep[],
  warnings: string[],
): string | null {
  let missing: string | undefined;
  for (const procedure of procedures(registry.plugins)) {
    let reading: CvmReading | null;
    try {
      reading = procedure.read(evidence);
    } catch (error) {
      warnings.push(`systemd procedure ${procedure.id} failed and was skipped: ${errorText(error)}`);
      continue;
    }
    if (!reading) continue;
    for (const step of reading.steps ?? [])
      trail.push({ source: 'systemd', says: String(step), by: procedure.id });
    if (typeof reading.label === 'string') {
      trail.push({
        source: 'systemd',
        says: `systemd-detect-virt --cvm prints ${reading.label}`,
        by: procedure.id,
      });
      return reading.label;
    }
    missing ??= `${reading.missing ?? 'an input is missing'}`;
  }
  const label = confidential === null ? null : confidential && winner ? winner.type.cvm : CVM_NONE;
  if (label !== null) {
    trail.push({
      source: 'systemd',
      says: `${missing ? `systemd's procedure cannot run (${missing}); ` : ''}the label systemd prints for ${winner ? typeLabel(winner.type) : 'a machine that is not a confidential guest'}: ${label}`,
      by: 'core',
    });
  }
  return label;
}
