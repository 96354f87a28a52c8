import type { AttributeDefinition, AttributeId } from './attributes.js';
import type { Evidence } from './evidence/model.js';
import type { CocoType } from './type.js';

/**
 * The plugin interface version this copy of `@coco/core` implements. A plugin declares the version
 * it was written against in `interfaceVersion`; core refuses versions it does not support.
 */
export const PLUGIN_INTERFACE_VERSION = 1;

/** The interface versions this copy of core accepts. */
export const SUPPORTED_INTERFACE_VERSIONS: readonly number[] = Object.freeze([1]);

/** Parameters a backend builds a type from. Each backend documents the keys it accepts. */
export type TypeParams = Readonly<Record<string, unknown>>;

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
  /** The kind of evidence (`cpuid`, `msr`, `kernel-log`, `cpuinfo`, `files`, `tdx`, `probe`). */
  readonly source: string;
  readonly says: string;
  /** The plugin that took the step, or `core`. */
  readonly by: string;
}

/** What every plugin's `detect` may use. */
export interface DetectContext {
  /** Adds a step to the reasoning trail, attributed to the plugin. */
  step(source: string, says: string): void;
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

/** What a hypervisor plugin can reach: the registered backends, by id. */
export interface HypervisorContext extends DetectContext {
  /**
   * The registered backend `id`. Throws `BACKEND_MISSING` naming `packageName` when it is not
   * registered, which ends detection with that error: the user has to install it.
   */
  backend(id: string, packageName: string): BackendPlugin;
  /** Whether backend `id` is registered. */
  hasBackend(id: string): boolean;
  /** Runs backend `id`'s own detection on the same evidence (steps go to the same trail). */
  detectWith(id: string, packageName: string): BackendClaim | null;
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
}

/** A backend: one type of confidential guest. */
export interface BackendPlugin extends PluginBase {
  readonly kind: 'backend';
  /** The type's variants, for the attribute table. */
  readonly variants: readonly VariantInfo[];
  /** Builds a type from validated parameters; invalid ones throw `PARAMETER_INVALID` naming them. */
  createType(params: TypeParams): CocoType;
  /** Looks at the evidence; returns a claim when it shows this type, `null` when it does not. */
  detect(evidence: Evidence, context: DetectContext): BackendClaim | null;
}

/** A hypervisor plugin: reads its own leaves and composes a backend's type. */
export interface HypervisorPlugin extends PluginBase {
  readonly kind: 'hypervisor';
  /** Returns a claim when this hypervisor composes the guest's type, `null` otherwise. */
  detect(evidence: Evidence, context: HypervisorContext): HypervisorClaim | null;
}

/** Any plugin. */
export type CocoPlugin = BackendPlugin | HypervisorPlugin;

/** Identity helper that checks a backend plugin's shape at compile time. */
export function defineBackend<const P extends BackendPlugin>(plugin: P): P {
  return plugin;
}

/** Identity helper that checks a hypervisor plugin's shape at compile time. */
export function defineHypervisor<const P extends HypervisorPlugin>(plugin: P): P {
  return plugin;
}
