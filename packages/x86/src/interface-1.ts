import {
  CocoError,
  type CocoPlugin,
  type Evidence,
  type InterfaceAdapter,
  PLUGIN_INTERFACE_VERSION,
  type Sourced,
} from '@coco/core';
import { CPUID_FACT, type CpuidRecord, cpuidOf, cpuidRecordsOf, MSR_FACT, msrOf, msrsOf } from './facts.js';

/**
 * The evidence a plugin of interface 1 reads: interface 1 described x86 machines only, with CPUID,
 * MSRs and the TDX guest width as fixed fields. Built from interface-2 evidence on demand.
 */
export interface Interface1Evidence {
  readonly kinds: ReadonlySet<string>;
  cpuid(leaf: number, subleaf?: number): CpuidRecord | undefined;
  readonly cpuidRecords: readonly CpuidRecord[];
  msr(index: number): Sourced<bigint> | undefined;
  readonly msrs: ReadonlyMap<number, Sourced<bigint>>;
  readonly tdxGpaw: Sourced<number> | undefined;
  readonly kernelLog: Evidence['kernelLog'];
  readonly cpuinfoFlags: ReadonlyMap<string, string>;
  hasFlag(flag: string): boolean;
  file(path: string): Sourced<boolean> | undefined;
  readonly files: ReadonlyMap<string, Sourced<boolean>>;
  readonly unavailable: Evidence['unavailable'];
  readonly conflicts: Evidence['conflicts'];
  readonly machine: Evidence['machine'];
}

// Interface 1's kind names for the facts that now belong to plugins.
const V1_KIND: Readonly<Record<string, string>> = {
  [CPUID_FACT.id]: 'cpuid',
  [MSR_FACT.id]: 'msr',
  'tdx.gpaw': 'tdx',
};

/** Interface 1's view of interface-2 evidence. */
export function interface1Evidence(evidence: Evidence): Interface1Evidence {
  const gpaw = evidence.storedFacts.get('tdx.gpaw')?.get('');
  const kinds = new Set([...evidence.kinds].map((k) => V1_KIND[k] ?? k));
  return Object.freeze({
    kinds,
    cpuid: (leaf: number, subleaf = 0) => cpuidOf(evidence, leaf, subleaf),
    cpuidRecords: Object.freeze(cpuidRecordsOf(evidence)),
    msr: (index: number) => msrOf(evidence, index),
    msrs: msrsOf(evidence),
    tdxGpaw: gpaw && typeof gpaw.value === 'number' ? { value: gpaw.value, source: gpaw.source } : undefined,
    kernelLog: evidence.kernelLog,
    cpuinfoFlags: evidence.cpuinfoFlags,
    hasFlag: (flag: string) => evidence.hasFlag(flag),
    file: (path: string) => evidence.file(path),
    files: evidence.files,
    unavailable: Object.freeze(
      evidence.unavailable.map((n) =>
        n.kind && V1_KIND[n.kind] ? { ...n, kind: V1_KIND[n.kind] as string } : n,
      ),
    ),
    conflicts: evidence.conflicts,
    machine: evidence.machine,
  });
}

type AnyFn = (...args: unknown[]) => unknown;
const field = (plugin: object, key: string): unknown => (plugin as Record<string, unknown>)[key];

/** Wraps a reader object (`cvm`, `machine`) so its `read` gets interface 1's evidence. */
function wrapReader(reader: unknown): unknown {
  if (reader === null || typeof reader !== 'object') return reader;
  const read = field(reader, 'read');
  if (typeof read !== 'function') return reader;
  return Object.freeze({
    id: field(reader, 'id'),
    read: (evidence: Evidence) => (read as AnyFn).call(reader, interface1Evidence(evidence)),
  });
}

/**
 * Loads a plugin written for plugin interface 1 (such as a third party's KVM plugin) through
 * interface 2: its `detect`, `cvm` and `machine` read {@link Interface1Evidence}; its `createType`
 * takes the parameters it always took (it declares no schema, so `coco pte --param` cannot list
 * them). The x86 plugins carry it in `adapters`, so any registry with one of them loads interface-1
 * plugins, with a deprecation warning on each detection.
 */
export const INTERFACE_1_ADAPTER: InterfaceAdapter = Object.freeze({
  fromVersion: 1,
  adapt(plugin: object): CocoPlugin {
    const detect = field(plugin, 'detect');
    const kind = field(plugin, 'kind');
    if (typeof detect !== 'function' || (kind !== 'backend' && kind !== 'hypervisor')) {
      throw new CocoError('PLUGIN_INVALID', 'it is not an interface-1 plugin (no detect or kind)', {
        input: `plugin ${JSON.stringify(String(field(plugin, 'id')).slice(0, 64))}`,
        fix: 'pass the plugin object the package exports',
      });
    }
    const createType = field(plugin, 'createType');
    const adapted: Record<string, unknown> = {
      kind,
      id: field(plugin, 'id'),
      packageName: field(plugin, 'packageName'),
      interfaceVersion: PLUGIN_INTERFACE_VERSION,
      detect: (evidence: Evidence, context: unknown) =>
        (detect as AnyFn).call(plugin, interface1Evidence(evidence), context),
    };
    for (const key of ['attributes', 'logPatterns', 'variants'])
      if (field(plugin, key) !== undefined) adapted[key] = field(plugin, key);
    for (const key of ['cvm', 'machine'])
      if (field(plugin, key) !== undefined) adapted[key] = wrapReader(field(plugin, key));
    if (kind === 'backend') {
      adapted.params = Object.freeze({});
      adapted.createType = (params: unknown) => (createType as AnyFn).call(plugin, params);
    }
    return Object.freeze(adapted) as unknown as CocoPlugin;
  },
});
