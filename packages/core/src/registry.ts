import { ATTRIBUTES, type AttributeDefinition, assertAttributeId, isKernelAttribute } from './attributes.js';
import { detectWith } from './detect.js';
import type { Detection } from './detection.js';
import { CocoError, describeValue, isCocoError } from './errors.js';
import { CORE_LOG_PATTERNS } from './evidence/boot-log.js';
import type { Evidence } from './evidence/model.js';
import { fieldOf, own } from './own.js';
import {
  type BackendPlugin,
  type CocoPlugin,
  type HypervisorPlugin,
  PLUGIN_INTERFACE_VERSION,
  SUPPORTED_INTERFACE_VERSIONS,
} from './plugin.js';
import { TYPE_ID_PATTERN } from './type.js';

/** The major version of this copy of `@coco/core`; the default registry is shared per major. */
export const CORE_MAJOR = 1;

/** A set of registered plugins and the detection that asks them. */
export interface Registry {
  /** Registers a backend or hypervisor plugin. Throws a typed error for an invalid, duplicate or late plugin. */
  use(plugin: CocoPlugin): this;
  /** Freezes the registry: later `use` calls throw `REGISTRY_SEALED`. */
  seal(): this;
  readonly sealed: boolean;
  /** Every plugin, in registration order. */
  readonly plugins: readonly CocoPlugin[];
  readonly backends: readonly BackendPlugin[];
  readonly hypervisors: readonly HypervisorPlugin[];
  /** The backend that produces type `id`, if registered. */
  backend(id: string): BackendPlugin | undefined;
  /** The kernel's attributes followed by those the plugins add. */
  readonly attributes: readonly AttributeDefinition[];
  /** The kernel-log lines core and the registered plugins read (what a private snapshot keeps). */
  readonly logPatterns: readonly RegExp[];
  /** Detects the machine the evidence describes: hypervisor plugins first, then backends. */
  detect(evidence: Evidence): Detection;
}

type PluginErrorCode =
  | 'PLUGIN_INVALID'
  | 'PLUGIN_VERSION_UNSUPPORTED'
  | 'PLUGIN_DUPLICATE'
  | 'REGISTRY_SEALED';

const pluginError = (code: PluginErrorCode, problem: string, input: string, fix: string) =>
  new CocoError(code, problem, { input, fix });

const label = (id: unknown) =>
  typeof id === 'string' ? `plugin ${JSON.stringify(id.slice(0, 64))}` : 'plugin';

/** Shape checks after the version check: [field, test, problem, fix]. */
const SHAPE: readonly [
  string,
  (value: unknown, plugin: Record<string, unknown>) => boolean,
  string,
  string,
][] = [
  [
    'id',
    (v) => typeof v === 'string' && TYPE_ID_PATTERN.test(v),
    'is not a valid id',
    'use lower-case letters, digits and dashes, such as "acme-hv"',
  ],
  ['kind', (v) => v === 'backend' || v === 'hypervisor', 'is not "backend" or "hypervisor"', 'set kind'],
  [
    'packageName',
    (v) => typeof v === 'string' && v !== '',
    'is not a package name',
    'name the npm package that provides the plugin',
  ],
  ['detect', (v) => typeof v === 'function', 'is not a function', 'implement detect(evidence, context)'],
  [
    'createType',
    (v, p) => p.kind !== 'backend' || typeof v === 'function',
    'is not a function',
    'implement createType(params)',
  ],
  [
    'variants',
    (v, p) => p.kind !== 'backend' || Array.isArray(v),
    'is not an array',
    'list the variants with their attributes',
  ],
  ['attributes', (v) => v === undefined || Array.isArray(v), 'is not an array', 'list attribute definitions'],
  [
    'logPatterns',
    (v) => v === undefined || (Array.isArray(v) && v.every((p) => p instanceof RegExp)),
    'is not an array of regular expressions',
    'declare the kernel-log lines the plugin reads as RegExp patterns',
  ],
];

function checkAttributes(list: unknown, plugin: string): AttributeDefinition[] {
  return ((list ?? []) as Record<string, unknown>[]).map((def) => {
    const id = assertAttributeId(own(def, 'id'), `${plugin} attributes`);
    const kernelName = own(def, 'kernelName');
    const description = own(def, 'description');
    if (isKernelAttribute(id) || typeof kernelName !== 'string' || typeof description !== 'string') {
      throw pluginError(
        'PLUGIN_INVALID',
        `attribute ${JSON.stringify(id)} is not a new namespaced attribute with kernelName and description`,
        plugin,
        'define only namespaced ids such as "acme:secure-io", each with both strings',
      );
    }
    return Object.freeze({ id, kernelName, description });
  });
}

/** Reads and checks a plugin once; a hostile getter or a wrong shape becomes `PLUGIN_INVALID`. */
function inspectPlugin(plugin: unknown): {
  id: string;
  attributes: AttributeDefinition[];
  logPatterns: RegExp[];
} {
  if (typeof plugin !== 'object' || plugin === null) {
    throw pluginError(
      'PLUGIN_INVALID',
      `${describeValue(plugin)} is not a plugin object`,
      'plugin',
      'pass the plugin object a coco plugin package exports',
    );
  }
  let id: unknown;
  try {
    const p = plugin as Record<string, unknown>;
    id = fieldOf(p, 'id');
    const version = fieldOf(p, 'interfaceVersion');
    const kind = fieldOf(p, 'kind');
    if (typeof version !== 'number' && kind !== 'backend' && kind !== 'hypervisor') {
      throw pluginError(
        'PLUGIN_INVALID',
        'it has neither an interfaceVersion nor a kind: not a plugin object',
        label(id),
        'pass the plugin object a coco plugin package exports',
      );
    }
    if (typeof version !== 'number' || !SUPPORTED_INTERFACE_VERSIONS.includes(version)) {
      throw pluginError(
        'PLUGIN_VERSION_UNSUPPORTED',
        `it implements plugin interface version ${describeValue(version)}, but this @coco/core (major ${CORE_MAJOR}) supports version ${SUPPORTED_INTERFACE_VERSIONS.join(', ')}`,
        label(id),
        `install a release of the plugin for interface version ${PLUGIN_INTERFACE_VERSION}, or a @coco/core that supports version ${describeValue(version)}`,
      );
    }
    // Fields of the plugin or its class, never of Object.prototype (which another plugin may pollute).
    const fields: Record<string, unknown> = { kind: fieldOf(p, 'kind') };
    for (const [field, test, problem, fix] of SHAPE) {
      fields[field] = fieldOf(p, field);
      if (!test(fields[field], fields))
        throw pluginError('PLUGIN_INVALID', `${field} ${problem}`, label(id), fix);
    }
    // Without g or y, test() keeps no state between lines.
    const logPatterns = ((fields.logPatterns ?? []) as RegExp[]).map(
      (r) => new RegExp(r.source, r.flags.replace(/[gy]/g, '')),
    );
    return { id: id as string, attributes: checkAttributes(fields.attributes, label(id)), logPatterns };
  } catch (error) {
    if (isCocoError(error)) throw error;
    throw pluginError(
      'PLUGIN_INVALID',
      `reading it threw (${describeValue(error instanceof Error ? error.message : error)})`,
      label(id),
      'pass a plain plugin object whose fields can be read',
    );
  }
}

/** Creates an empty registry, independent of the default one. */
export function createRegistry(): Registry {
  const byId = new Map<string, CocoPlugin>();
  const order: CocoPlugin[] = [];
  const extraAttributes = new Map<string, AttributeDefinition>();
  const patterns = new Map<string, RegExp>(CORE_LOG_PATTERNS.map((r) => [`${r.flags}/${r.source}`, r]));
  let sealed = false;

  const registry: Registry = {
    use(plugin: CocoPlugin) {
      const { id, attributes, logPatterns } = inspectPlugin(plugin);
      const existing = byId.get(id);
      if (existing === plugin) return registry;
      if (sealed) {
        throw pluginError(
          'REGISTRY_SEALED',
          `cannot register plugin ${JSON.stringify(id)}: the registry is sealed`,
          `plugin ${JSON.stringify(id)}`,
          'register every plugin before calling seal()',
        );
      }
      if (existing) {
        throw pluginError(
          'PLUGIN_DUPLICATE',
          `another plugin with id ${JSON.stringify(id)} is already registered (${existing.packageName})`,
          `plugin ${JSON.stringify(id)}`,
          'register each plugin once; if two packages provide the same id, keep one',
        );
      }
      for (const a of attributes) {
        const known = extraAttributes.get(a.id);
        if (
          known &&
          known !== a &&
          (known.kernelName !== a.kernelName || known.description !== a.description)
        ) {
          throw pluginError(
            'PLUGIN_DUPLICATE',
            `attribute ${JSON.stringify(a.id)} is already defined differently`,
            `plugin ${JSON.stringify(id)}`,
            'use a namespace of your own',
          );
        }
      }
      for (const a of attributes) extraAttributes.set(a.id, a);
      for (const r of logPatterns)
        if (!patterns.has(`${r.flags}/${r.source}`)) patterns.set(`${r.flags}/${r.source}`, r);
      byId.set(id, plugin);
      order.push(plugin);
      return registry;
    },
    seal() {
      sealed = true;
      return registry;
    },
    get sealed() {
      return sealed;
    },
    get plugins() {
      return Object.freeze([...order]);
    },
    get backends() {
      return Object.freeze(order.filter((p): p is BackendPlugin => p.kind === 'backend'));
    },
    get hypervisors() {
      return Object.freeze(order.filter((p): p is HypervisorPlugin => p.kind === 'hypervisor'));
    },
    backend(id: string) {
      const p = byId.get(id);
      return p?.kind === 'backend' ? p : undefined;
    },
    get attributes() {
      return Object.freeze([...ATTRIBUTES, ...extraAttributes.values()]);
    },
    get logPatterns() {
      return Object.freeze([...patterns.values()]);
    },
    detect(evidence: Evidence) {
      return detectWith(registry, evidence);
    },
  };
  return registry;
}

const DEFAULT_KEY = Symbol.for(`@coco/core/default-registry@${CORE_MAJOR}`);

/**
 * The registry shared by every copy of `@coco/core` with this major version in the process (kept
 * on `globalThis`), so a duplicate install does not split plugins across two registries, and a
 * copy with another major never sees plugins written for this one.
 */
export function defaultRegistry(): Registry {
  const holder = globalThis as Record<symbol, Registry | undefined>;
  let registry = holder[DEFAULT_KEY];
  if (!registry) {
    registry = createRegistry();
    Object.defineProperty(globalThis, DEFAULT_KEY, {
      value: registry,
      configurable: false,
      enumerable: false,
      writable: false,
    });
  }
  return registry;
}

/** Registers plugins on the default registry. */
export function use(...plugins: CocoPlugin[]): Registry {
  const registry = defaultRegistry();
  for (const plugin of plugins) registry.use(plugin);
  return registry;
}

/** Detects the machine `evidence` describes, with the default registry unless another is given. */
export function detect(evidence: Evidence, registry: Registry = defaultRegistry()): Detection {
  return registry.detect(evidence);
}
