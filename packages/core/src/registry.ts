import { ATTRIBUTES, type AttributeDefinition, assertAttributeId, isKernelAttribute } from './attributes.js';
import { detectWith } from './detect.js';
import type { Detection } from './detection.js';
import { CocoError, describeValue } from './errors.js';
import type { Evidence } from './evidence/model.js';
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
  /** Detects the machine the evidence describes: hypervisor plugins first, then backends. */
  detect(evidence: Evidence): Detection;
}

function pluginError(
  code: 'PLUGIN_INVALID' | 'PLUGIN_VERSION_UNSUPPORTED' | 'PLUGIN_DUPLICATE' | 'REGISTRY_SEALED',
  problem: string,
  input: string,
  fix: string,
): CocoError {
  return new CocoError(code, problem, { input, fix });
}

/** Reads and checks a plugin once; a hostile getter or a wrong shape becomes `PLUGIN_INVALID`. */
function inspectPlugin(plugin: unknown): { id: string; attributes: AttributeDefinition[] } {
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
    id = p.id;
    const label = typeof id === 'string' ? `plugin ${JSON.stringify(id.slice(0, 64))}` : 'plugin';
    const version = p.interfaceVersion;
    if (typeof version !== 'number') {
      throw pluginError(
        'PLUGIN_INVALID',
        'it declares no interfaceVersion',
        label,
        `set interfaceVersion: ${PLUGIN_INTERFACE_VERSION}`,
      );
    }
    if (!SUPPORTED_INTERFACE_VERSIONS.includes(version)) {
      throw pluginError(
        'PLUGIN_VERSION_UNSUPPORTED',
        `it implements plugin interface version ${describeValue(version)}, but this @coco/core (major ${CORE_MAJOR}) supports version ${SUPPORTED_INTERFACE_VERSIONS.join(', ')}`,
        label,
        `install a release of the plugin for interface version ${PLUGIN_INTERFACE_VERSION}, or a @coco/core that supports version ${describeValue(version)}`,
      );
    }
    if (typeof id !== 'string' || !TYPE_ID_PATTERN.test(id)) {
      throw pluginError(
        'PLUGIN_INVALID',
        `id ${describeValue(id)} is not valid`,
        label,
        'use lower-case letters, digits and dashes, such as "acme-hv"',
      );
    }
    const kind = p.kind;
    if (kind !== 'backend' && kind !== 'hypervisor') {
      throw pluginError(
        'PLUGIN_INVALID',
        `kind ${describeValue(kind)} is not "backend" or "hypervisor"`,
        label,
        'set kind',
      );
    }
    if (typeof p.packageName !== 'string' || p.packageName === '') {
      throw pluginError(
        'PLUGIN_INVALID',
        'it names no packageName',
        label,
        'set packageName to the npm package that provides it',
      );
    }
    if (typeof p.detect !== 'function') {
      throw pluginError(
        'PLUGIN_INVALID',
        'detect is not a function',
        label,
        'implement detect(evidence, context)',
      );
    }
    if (kind === 'backend') {
      if (typeof p.createType !== 'function') {
        throw pluginError(
          'PLUGIN_INVALID',
          'createType is not a function',
          label,
          'implement createType(params)',
        );
      }
      if (!Array.isArray(p.variants)) {
        throw pluginError(
          'PLUGIN_INVALID',
          'variants is not an array',
          label,
          'list the variants with their attributes',
        );
      }
    }
    const attributes: AttributeDefinition[] = [];
    if (p.attributes !== undefined) {
      if (!Array.isArray(p.attributes)) {
        throw pluginError(
          'PLUGIN_INVALID',
          'attributes is not an array',
          label,
          'list attribute definitions',
        );
      }
      for (const a of p.attributes as unknown[]) {
        const def = a as Record<string, unknown>;
        const attrId = assertAttributeId(def?.id, `${label} attributes`);
        if (
          isKernelAttribute(attrId) ||
          typeof def.kernelName !== 'string' ||
          typeof def.description !== 'string'
        ) {
          throw pluginError(
            'PLUGIN_INVALID',
            `attribute ${JSON.stringify(attrId)} is not a new namespaced attribute with kernelName and description`,
            label,
            'define only namespaced ids such as "acme:secure-io" with both strings',
          );
        }
        attributes.push(
          Object.freeze({ id: attrId, kernelName: def.kernelName, description: def.description }),
        );
      }
    }
    return { id, attributes };
  } catch (error) {
    if (error instanceof CocoError) throw error;
    throw pluginError(
      'PLUGIN_INVALID',
      `reading it threw (${error instanceof Error ? error.message : describeValue(error)})`,
      typeof id === 'string' ? `plugin ${JSON.stringify(id.slice(0, 64))}` : 'plugin',
      'pass a plain plugin object whose fields can be read',
    );
  }
}

/** Creates an empty registry, independent of the default one. */
export function createRegistry(): Registry {
  const byId = new Map<string, CocoPlugin>();
  const order: CocoPlugin[] = [];
  const extraAttributes = new Map<string, AttributeDefinition>();
  let sealed = false;

  const registry: Registry = {
    use(plugin: CocoPlugin) {
      const { id, attributes } = inspectPlugin(plugin);
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
