import { ATTRIBUTES, type AttributeDefinition, assertAttributeId, isKernelAttribute } from './attributes.js';
import { detectWith } from './detect.js';
import type { Detection } from './detection.js';
import { CocoError, describeValue, isCocoError } from './errors.js';
import { CORE_LOG_PATTERNS } from './evidence/boot-log.js';
import { checkFactKind, type FactKind } from './evidence/facts.js';
import type { Evidence } from './evidence/model.js';
import { type ParseOptions, parseSnapshot, setDefaultFactKinds } from './evidence/snapshot.js';
import { fieldOf, own } from './own.js';
import { checkParamSchema } from './params.js';
import {
  type BackendPlugin,
  type CocoPlugin,
  type FactProbe,
  type FileProbe,
  type HypervisorPlugin,
  type InterfaceAdapter,
  PLUGIN_INTERFACE_VERSION,
  SUPPORTED_INTERFACE_VERSIONS,
} from './plugin.js';
import { TYPE_ID_PATTERN } from './type.js';

/** The major version of this copy of `@coco/core`; the default registry is shared per major. */
export const CORE_MAJOR = 1;

/** What a registry's plugins read from a live machine of one architecture. */
export interface ProbePlan {
  readonly files: readonly FileProbe[];
  readonly cpuinfo: readonly string[];
  readonly facts: readonly FactProbe[];
}

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
  /** The fact kinds the registered plugins declare (to read and check snapshots with). */
  readonly factKinds: readonly FactKind[];
  /** The `/proc/cpuinfo` fields the registered plugins read (what a private snapshot keeps). */
  readonly cpuinfoFields: readonly string[];
  /**
   * What the plugins read from a live machine of architecture `arch` (Node's `process.arch`
   * names); without `arch`, the union over every architecture (a machine image of unknown kind).
   */
  probes(arch?: string): ProbePlan;
  /**
   * Parses a snapshot with this registry's fact kinds: format 2's facts are checked now, and
   * format 1's plugin keys (`cpuid`, `msr`, ...) convert through the kinds that declare them.
   */
  parseSnapshot(input: unknown, options?: ParseOptions): Evidence;
  /** Notices about the plugins themselves (one loaded through an adapter), added to each detection's warnings. */
  readonly notices: readonly string[];
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
    'params',
    (v, p) => p.kind !== 'backend' || (v !== null && typeof v === 'object' && !Array.isArray(v)),
    'is not a parameter schema',
    'declare params: { name: { type, description, ... } } (an empty object when the type takes none)',
  ],
  [
    'facts',
    (v) => v === undefined || Array.isArray(v),
    'is not an array',
    'list the fact kinds the plugin declares',
  ],
  [
    'probes',
    (v) => v === undefined || (v !== null && typeof v === 'object' && !Array.isArray(v)),
    'is not an object',
    'declare probes: { architectures?, files?, cpuinfo?, facts? }',
  ],
  ['adapters', (v) => v === undefined || Array.isArray(v), 'is not an array', 'list interface adapters'],
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

const list = (value: unknown): unknown[] => (Array.isArray(value) ? [...value] : []);

interface Declared {
  readonly architectures: readonly string[] | null;
  readonly files: FileProbe[];
  readonly cpuinfo: string[];
  readonly facts: FactProbe[];
}

const ARCH = /^[a-z0-9_]{1,16}$/;

function checkProbes(probes: unknown, plugin: string, kinds: readonly FactKind[]): Declared {
  const bad = (what: string, fix: string): never => {
    throw pluginError('PLUGIN_INVALID', `probes.${what} is not valid`, plugin, fix);
  };
  const archs = own(probes, 'architectures');
  if (
    archs !== undefined &&
    (!Array.isArray(archs) || !archs.every((a) => typeof a === 'string' && ARCH.test(a)))
  )
    bad('architectures', 'list the Node process.arch names of the machines the probes apply to');
  const files = list(own(probes, 'files')).map((f) => {
    const path = own(f, 'path');
    const read = own(f, 'read');
    if (
      typeof path !== 'string' ||
      !path.startsWith('/') ||
      path.includes('..') ||
      (read !== 'exists' && read !== 'content')
    )
      bad('files', 'give { path: "/absolute/path", read: "exists" | "content" }');
    return Object.freeze({ path: path as string, read: read as FileProbe['read'] });
  });
  const cpuinfo = list(own(probes, 'cpuinfo')).map((field) => {
    if (typeof field !== 'string' || field.length === 0 || field.length > 64)
      bad('cpuinfo', 'list cpuinfo field names');
    return field as string;
  });
  const facts = list(own(probes, 'facts')).map((probe) => {
    const kind = own(probe, 'kind') as FactKind | undefined;
    if (typeof own(probe, 'run') !== 'function' || !kinds.some((k) => k.id === kind?.id))
      bad('facts', 'give { kind, run(io, sink) } for a fact kind the plugin declares in facts');
    return probe as FactProbe;
  });
  return {
    architectures: archs === undefined ? null : Object.freeze([...(archs as string[])]),
    files,
    cpuinfo,
    facts,
  };
}

/** Reads and checks a plugin once; a hostile getter or a wrong shape becomes `PLUGIN_INVALID`. */
function inspectPlugin(plugin: unknown): {
  id: string;
  attributes: AttributeDefinition[];
  logPatterns: RegExp[];
  facts: FactKind[];
  probes: Declared;
  adapters: InterfaceAdapter[];
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
      throw unsupported(id, version, []);
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
    if (fields.kind === 'backend') checkParamSchema(fields.params, label(id));
    const facts = list(fields.facts).map((k) => checkFactKind(k, label(id)));
    const adapters = list(fields.adapters).map((a) => {
      if (typeof own(a, 'fromVersion') !== 'number' || typeof own(a, 'adapt') !== 'function')
        throw pluginError(
          'PLUGIN_INVALID',
          'adapters holds an invalid adapter',
          label(id),
          'give { fromVersion, adapt(plugin) }',
        );
      return a as InterfaceAdapter;
    });
    return {
      id: id as string,
      attributes: checkAttributes(fields.attributes, label(id)),
      logPatterns,
      facts,
      probes: checkProbes(fields.probes, label(id), facts),
      adapters,
    };
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

function unsupported(id: unknown, version: unknown, adapted: readonly number[]) {
  const versions = [...SUPPORTED_INTERFACE_VERSIONS, ...adapted].sort().join(', ');
  return pluginError(
    'PLUGIN_VERSION_UNSUPPORTED',
    `it implements plugin interface version ${describeValue(version)}, but this @coco/core (major ${CORE_MAJOR}) supports version ${versions}`,
    label(id),
    version === 1
      ? 'register the plugins that carry the interface-1 adapter first (see "Migrating from interface 1" in the plugin guide), or update the plugin to interface 2'
      : `install a release of the plugin for interface version ${PLUGIN_INTERFACE_VERSION}, or a @coco/core that supports version ${describeValue(version)}`,
  );
}

/** The interface version a plugin object declares, read without trusting it. */
function declaredVersion(plugin: unknown): unknown {
  try {
    return typeof plugin === 'object' && plugin !== null
      ? fieldOf(plugin as Record<string, unknown>, 'interfaceVersion')
      : undefined;
  } catch {
    return undefined;
  }
}

/** Creates an empty registry, independent of the default one. */
export function createRegistry(): Registry {
  const byId = new Map<string, CocoPlugin>();
  const adapters = new Map<number, InterfaceAdapter>();
  const factKinds = new Map<string, FactKind>();
  const declared: Declared[] = [];
  const notices: string[] = [];
  // Plugins of an older interface registered before any plugin that carries its adapter: they are
  // adapted when one arrives, and refused when detection or seal() comes first.
  const waiting: { plugin: CocoPlugin; version: number }[] = [];
  const adaptedOriginals = new WeakSet<object>();
  const refuseWaiting = () => {
    const first = waiting[0];
    if (first)
      throw unsupported(fieldOf(first.plugin as unknown as Record<string, unknown>, 'id'), first.version, [
        ...adapters.keys(),
      ]);
  };
  const order: CocoPlugin[] = [];
  const extraAttributes = new Map<string, AttributeDefinition>();
  const patterns = new Map<string, RegExp>(CORE_LOG_PATTERNS.map((r) => [`${r.flags}/${r.source}`, r]));
  let sealed = false;
  // The frozen lists the getters answer, built once per registration rather than per read:
  // detection reads several of them for every machine. Emptied whenever a plugin is registered.
  let lists = new Map<string, unknown>();
  const list = <T>(name: string, build: () => T): T => {
    if (lists.has(name)) return lists.get(name) as T;
    const value = build();
    lists.set(name, value);
    return value;
  };

  const registry: Registry = {
    use(given: CocoPlugin) {
      let plugin = given;
      const version = declaredVersion(given);
      if (typeof version === 'number' && !SUPPORTED_INTERFACE_VERSIONS.includes(version)) {
        if (adaptedOriginals.has(given)) return registry;
        const adapter = adapters.get(version);
        if (!adapter) {
          if (version >= 1 && version < PLUGIN_INTERFACE_VERSION && !sealed) {
            if (!waiting.some((w) => w.plugin === given)) waiting.push({ plugin: given, version });
            return registry;
          }
          throw unsupported(fieldOf(given as unknown as Record<string, unknown>, 'id'), version, [
            ...adapters.keys(),
          ]);
        }
        plugin = adapter.adapt(given);
        adaptedOriginals.add(given);
        lists = new Map();
        notices.push(
          `plugin ${JSON.stringify(plugin.id)} (${plugin.packageName}) implements plugin interface ${version}, which is deprecated: it runs through an adapter; update it to interface ${PLUGIN_INTERFACE_VERSION}`,
        );
      }
      const { id, attributes, logPatterns, facts, probes, adapters: carried } = inspectPlugin(plugin);
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
      for (const kind of facts) {
        const known = factKinds.get(kind.id);
        if (known && known !== kind && known.title !== kind.title) {
          throw pluginError(
            'PLUGIN_DUPLICATE',
            `fact kind ${JSON.stringify(kind.id)} is already declared differently`,
            `plugin ${JSON.stringify(id)}`,
            'use a namespace of your own, or the kind object the owning package exports',
          );
        }
      }
      for (const kind of facts) if (!factKinds.has(kind.id)) factKinds.set(kind.id, kind);
      for (const adapter of carried)
        if (!adapters.has(adapter.fromVersion)) adapters.set(adapter.fromVersion, adapter);
      declared.push(probes);
      for (const a of attributes) extraAttributes.set(a.id, a);
      for (const r of logPatterns)
        if (!patterns.has(`${r.flags}/${r.source}`)) patterns.set(`${r.flags}/${r.source}`, r);
      byId.set(id, plugin);
      order.push(plugin);
      lists = new Map();
      for (const w of [...waiting]) {
        if (!adapters.has(w.version)) continue;
        waiting.splice(waiting.indexOf(w), 1);
        registry.use(w.plugin);
      }
      return registry;
    },
    seal() {
      refuseWaiting();
      sealed = true;
      return registry;
    },
    get sealed() {
      return sealed;
    },
    get plugins() {
      return list('plugins', () => Object.freeze([...order]));
    },
    get backends() {
      return list('backends', () =>
        Object.freeze(order.filter((p): p is BackendPlugin => p.kind === 'backend')),
      );
    },
    get hypervisors() {
      return list('hypervisors', () =>
        Object.freeze(order.filter((p): p is HypervisorPlugin => p.kind === 'hypervisor')),
      );
    },
    backend(id: string) {
      const p = byId.get(id);
      return p?.kind === 'backend' ? p : undefined;
    },
    get attributes() {
      return list('attributes', () => Object.freeze([...ATTRIBUTES, ...extraAttributes.values()]));
    },
    get logPatterns() {
      return list('logPatterns', () => Object.freeze([...patterns.values()]));
    },
    get factKinds() {
      return list('factKinds', () => Object.freeze([...factKinds.values()]));
    },
    get cpuinfoFields() {
      return list('cpuinfoFields', () => Object.freeze([...new Set(declared.flatMap((d) => d.cpuinfo))]));
    },
    probes(arch?: string) {
      const applies = declared.filter(
        (d) => arch === undefined || d.architectures === null || d.architectures.includes(arch),
      );
      const files = new Map<string, FileProbe>();
      for (const d of applies)
        for (const f of d.files) if (files.get(f.path)?.read !== 'content') files.set(f.path, f);
      const facts = new Map<string, FactProbe>();
      for (const d of applies) for (const f of d.facts) if (!facts.has(f.kind.id)) facts.set(f.kind.id, f);
      return Object.freeze({
        files: Object.freeze([...files.values()]),
        cpuinfo: Object.freeze([...new Set(applies.flatMap((d) => d.cpuinfo))]),
        facts: Object.freeze([...facts.values()]),
      });
    },
    parseSnapshot(input: unknown, options: ParseOptions = {}) {
      return parseSnapshot(input, {
        ...(options.source !== undefined && { source: options.source }),
        factKinds: registry.factKinds,
      });
    },
    get notices() {
      return list('notices', () => Object.freeze([...notices]));
    },
    detect(evidence: Evidence) {
      refuseWaiting();
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

setDefaultFactKinds(() => {
  const registry = (globalThis as Record<symbol, Registry | undefined>)[DEFAULT_KEY];
  return registry ? registry.factKinds : [];
});

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
