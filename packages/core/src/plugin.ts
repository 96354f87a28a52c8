import type { AttributeDefinition, AttributeId } from './attributes.js';
import type { FactKind } from './evidence/facts.js';
import type { Evidence } from './evidence/model.js';
import type { ParamSchema } from './params.js';
import type { CocoType } from './type.js';

/**
 * The plugin interface version this copy of `@coco/core` implements. A plugin declares the version
 * it was written against in `interfaceVersion`; core refuses versions it does not support.
 */
export const PLUGIN_INTERFACE_VERSION = 2;

/**
 * The interface versions this copy of core implements itself. Older versions load through an
 * {@link InterfaceAdapter} a registered plugin carries (interface 1's adapter comes with the
 * plugins whose evidence interface 1 described), with a deprecation warning.
 */
export const SUPPORTED_INTERFACE_VERSIONS: readonly number[] = Object.freeze([2]);

/** Parameters a backend builds a type from, as its {@link ParamSchema} describes them. */
export type TypeParams = Readonly<Record<string, unknown>>;

/** A file, device node or sysfs/configfs entry a plugin reads. */
export interface FileProbe {
  /** Absolute path on the machine (`/sys/firmware/uv/prot_virt_guest`). */
  readonly path: string;
  /** `exists`: only whether it is there; `content`: its text too (at most 4 KiB). */
  readonly read: 'exists' | 'content';
}

/** A non-blocking, bounded reader the live probe gives fact probes (rooted at `--root` when given). */
export interface ProbeIO {
  /**
   * Reads up to `length` bytes (default 4096, at most 65536) at `offset` of a file or device,
   * without blocking. `missing` tells "not there" from "there but unreadable"; `code` is the
   * system's error code (`EACCES`, `EIO`) when there is one.
   */
  read(path: string, options?: { readonly offset?: bigint; readonly length?: number }): ProbeRead;
}

/** What {@link ProbeIO.read} gives. */
export type ProbeRead =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly missing: boolean; readonly reason: string; readonly code?: string };

/** Where a fact probe puts what it read. */
export interface ProbeSink<T> {
  fact(key: string, value: T): void;
  /** A source it could not read, and what would make it readable. */
  unavailable(note: { readonly source: string; readonly reason: string; readonly fix: string }): void;
  /** What other probes of the same run found, by fact kind (the CPU vendor another probe read first). */
  readonly evidence: () => Evidence;
}

/** A probe that reads one fact kind from the live machine. */
export interface FactProbe<T = unknown> {
  readonly kind: FactKind<T>;
  /** Reads its facts; it never throws for a source it cannot read (it reports it to the sink). */
  run(io: ProbeIO, sink: ProbeSink<T>): void;
}

/**
 * What a plugin reads from a machine. The live probe reads the union over the registered plugins
 * for the machine's architecture, `coco snapshot` keeps exactly that, and `--root DIR` reads the
 * same under a machine image or a support bundle.
 */
export interface PluginProbes {
  /**
   * The architectures the probes apply to, as Node's `process.arch` names them (`x64`, `arm64`,
   * `s390x`, `ppc64`); absent: every architecture.
   */
  readonly architectures?: readonly string[];
  readonly files?: readonly FileProbe[];
  /** The `/proc/cpuinfo` fields the plugin reads (`flags`, `Features`, `vendor_id`): snapshots keep only these. */
  readonly cpuinfo?: readonly string[];
  /** Probes of the plugin's own fact kinds (CPUID leaves through a device, a register file). */
  readonly facts?: readonly FactProbe[];
}

/** Loads plugins written for an older interface version through the current one. */
export interface InterfaceAdapter {
  /** The interface version it adapts. */
  readonly fromVersion: number;
  /** Returns a current-interface plugin that behaves as `plugin` did; throws `PLUGIN_INVALID` when it cannot. */
  adapt(plugin: object): CocoPlugin;
}

/** One row of the attribute table: a type's variant and the attributes it has. */
export interface VariantInfo {
  readonly variant: string | null;
  readonly title: string;
  /** The attributes this variant always has. */
  readonly attributes: readonly AttributeId[];
  /** Attributes present only when a feature is on, with the condition. */
  readonly conditional?: readonly { readonly attribute: AttributeId; readonly when: string }[];
  /** What `systemd-detect-virt --cvm` prints for it. */
  readonly cvm: string;
}

/** A step of the reasoning trail: which evidence led where. */
export interface TrailStep {
  /** The kind of evidence (`kernel-log`, `cpuinfo`, `files`, a fact kind, `probe`). */
  readonly source: string;
  readonly says: string;
  /** The plugin that took the step, or `core`. */
  readonly by: string;
  /** The fact the step read, when the plugin names it: `file /dev/uv`, `dmesg line 12`, a fact kind's key. */
  readonly fact?: string;
  /**
   * How many times the step was taken, when more than once: equal steps in a row, and a kernel-log
   * step repeated anywhere (the same line read again), are one step with a count.
   */
  readonly count?: number;
}

/** What every plugin's `detect` may use. */
export interface DetectContext {
  /**
   * Adds a step to the reasoning trail, attributed to the plugin; `fact` names what it read
   * (`cpuid 0x21`, `msr 0xc0010131`, `dmesg line 12`) for tools that link steps to evidence.
   */
  step(source: string, says: string, fact?: string): void;
  /** Adds a warning, attributed to the plugin. */
  warn(message: string): void;
  /**
   * Reports evidence that contradicts itself (a log line saying SEV-ES where the status MSR says
   * SEV-SNP). Any conflict makes the detection's type `null`: coco never guesses.
   */
  conflict(what: string, sides: readonly { readonly says: string; readonly source: string }[]): void;
}

/** What a backend's detection yields when the evidence shows its type. */
export interface BackendClaim {
  readonly type: CocoType;
  /**
   * True when the evidence is also what another type shows (a log line older kernels print for
   * several types). A definite claim, by a hypervisor plugin or another backend, then takes
   * precedence without a conflict; the trail says so.
   */
  readonly tentative?: boolean;
}

/**
 * What a plugin found when the evidence does not show its type. `absent`: the evidence proves the
 * type absent (CPUID read with the relevant leaves, a whole boot log without the kernel's lines).
 * `unknown`: the evidence cannot decide (a source unreadable or missing), with what would decide it.
 * Build them with {@link absent} and {@link cannotTell}.
 */
export type NoClaim =
  | { readonly verdict: 'absent'; readonly because: string }
  | { readonly verdict: 'unknown'; readonly because: string; readonly fix: string };

/**
 * What a backend's `detect` returns: a claim when the evidence shows its type, a {@link NoClaim}
 * otherwise. `null` (the first plugin interface's "not mine") says nothing either way.
 */
export type BackendResult = BackendClaim | NoClaim | null;

/** What a hypervisor plugin's `detect` returns; see {@link BackendResult}. */
export type HypervisorResult = HypervisorClaim | NoClaim | null;

/** The evidence proves this plugin's type absent; `because` names the evidence. */
export function absent(because: string): NoClaim {
  return Object.freeze({ verdict: 'absent', because: String(because) });
}

/** The evidence cannot decide whether this plugin's type is present; `fix` says what would. */
export function cannotTell(because: string, fix: string): NoClaim {
  return Object.freeze({ verdict: 'unknown', because: String(because), fix: String(fix) });
}

/** What a procedure of `systemd-detect-virt --cvm` read from the evidence. */
export interface CvmReading {
  /** The label systemd prints; `null` when an input it needs is not in the evidence. */
  readonly label: string | null;
  /** The steps taken, in order, for the reasoning trail. */
  readonly steps: readonly string[];
  /** The input that was missing, when `label` is `null`. */
  readonly missing?: string;
}

/**
 * `systemd-detect-virt --cvm`'s procedure for one kind of machine, as a plugin carries it. Plugins
 * of the same architecture share one object (one `id`); detection runs each distinct one once.
 */
export interface CvmProcedure {
  readonly id: string;
  /** Runs the procedure; `null` when the evidence is not of its kind of machine at all. */
  read(evidence: Evidence): CvmReading | null;
}

/** What a plugin reads about the machine besides its type: its hypervisor, its attestation interfaces. */
export interface MachineFacts {
  /** What `systemd-detect-virt --vm` would print (`kvm`, `microsoft`, `xen`, ...), `none`, or `null` if unknown. */
  readonly hypervisor?: string | null;
  /**
   * Attestation interfaces the machine shows (`configfs-tsm:sev_guest`, `/dev/sev-guest`,
   * `/dev/tdx_guest`, `/dev/uv`, ...): the next step after detection.
   */
  readonly attestation?: readonly string[];
}

/** A reader of {@link MachineFacts}; plugins of one architecture share one object (one `id`). */
export interface MachineReader {
  readonly id: string;
  /** `null` when the evidence is not of its kind of machine. */
  read(evidence: Evidence): MachineFacts | null;
}

/** What a hypervisor plugin can reach: the registered backends, by id. */
export interface HypervisorContext extends DetectContext {
  /**
   * The registered backend `id`. Throws `BACKEND_MISSING` naming `packageName` when it is not
   * registered, which ends detection with that error: the user has to install it.
   */
  backend<B extends BackendPlugin<never> = BackendPlugin>(id: string, packageName: string): B;
  /** Whether backend `id` is registered. */
  hasBackend(id: string): boolean;
  /**
   * Runs backend `id`'s own detection on the same evidence (steps go to the same trail); its claim,
   * or `null` when it made none.
   */
  detectWith(id: string, packageName: string): BackendClaim | null;
  /**
   * Like `detectWith`, but returns the backend's whole answer: its claim, {@link absent} or
   * {@link cannotTell}, or `null`. A backend is asked once per detection; asking again returns the
   * first answer.
   */
  ask(id: string, packageName: string): BackendResult;
}

/** What a hypervisor plugin's detection yields when it composes the guest's type. */
export interface HypervisorClaim {
  readonly type: CocoType;
  /** `true`/`false` where the evidence says, `null` where unknown. */
  readonly paravisor: boolean | null;
}

/** What every plugin declares. */
export interface PluginBase {
  /** The plugin interface version this plugin implements. */
  readonly interfaceVersion: number;
  /** Unique id; for a backend, the type id it produces. */
  readonly id: string;
  /** The npm package that provides it, for messages such as "install @coco/tdx". */
  readonly packageName: string;
  /** Attributes this plugin adds to the vocabulary (namespaced ids). */
  readonly attributes?: readonly AttributeDefinition[];
  /** systemd's `--cvm` procedure for the machines this plugin knows, when it has one. */
  readonly cvm?: CvmProcedure;
  /** What the plugin reads about the machine besides its type (hypervisor name, attestation interfaces). */
  readonly machine?: MachineReader;
  /**
   * The kernel-log lines the plugin reads, as patterns over the normalised text (`line.text`),
   * continuation lines of a `pr_cont` split included. `coco snapshot` keeps only lines some
   * registered plugin declares (a kernel log holds the boot command line, host names, MAC addresses
   * and serial numbers), so a line your `detect` reads but does not declare is lost from snapshots.
   */
  readonly logPatterns?: readonly RegExp[];
  /** The namespaced fact kinds the plugin contributes to evidence, with their codecs. */
  readonly facts?: readonly FactKind[];
  /** The files, devices, cpuinfo fields and facts the plugin reads from a live machine. */
  readonly probes?: PluginProbes;
  /** Adapters that load plugins of older interface versions (see {@link InterfaceAdapter}). */
  readonly adapters?: readonly InterfaceAdapter[];
}

/** A backend: one type of confidential guest. `P` is its parameter object. */
export interface BackendPlugin<P = TypeParams> extends PluginBase {
  readonly kind: 'backend';
  /** The type's variants, for the attribute table. */
  readonly variants: readonly VariantInfo[];
  /**
   * The parameters `createType` accepts, with their types and ranges: `checkParams` validates
   * against it, `coco pte --param name=value` parses by it.
   */
  readonly params: ParamSchema;
  /** Builds a type from parameters it checks against `params`; invalid ones throw `PARAMETER_INVALID` naming them. */
  createType(params: P): CocoType;
  /**
   * Looks at the evidence; returns a claim when it shows this type, else {@link absent} or
   * {@link cannotTell} (or `null`, which says nothing either way). A function of the evidence and
   * the context alone: `coco fleet` decides machines with the same evidence once.
   */
  detect(evidence: Evidence, context: DetectContext): BackendResult;
}

/** A hypervisor plugin: reads its own leaves and composes a backend's type. */
export interface HypervisorPlugin extends PluginBase {
  readonly kind: 'hypervisor';
  /**
   * Returns a claim when this hypervisor composes the guest's type; {@link cannotTell} when it sees
   * a confidential guest whose type the evidence does not give; `null` or {@link absent} otherwise.
   * A function of the evidence and the context alone, as a backend's `detect`.
   */
  detect(evidence: Evidence, context: HypervisorContext): HypervisorResult;
}

/** Any plugin. */
export type CocoPlugin = BackendPlugin<never> | HypervisorPlugin;

/** Identity helper that checks a backend plugin's shape at compile time. */
export function defineBackend<const P extends BackendPlugin<never>>(plugin: P): P {
  return plugin;
}

/** Identity helper that checks a hypervisor plugin's shape at compile time. */
export function defineHypervisor<const P extends HypervisorPlugin>(plugin: P): P {
  return plugin;
}
