import { amdVtomBackend } from '@coco/amd-vtom';
import {
  type BackendPlugin,
  createRegistry,
  defineBackend,
  defineHypervisor,
  type HypervisorPlugin,
  isCocoError,
  PLUGIN_INTERFACE_VERSION,
} from '@coco/core';
import { tdxBackend } from '@coco/tdx';
import { describe, expect, it } from 'vitest';
import { hypervPlugin } from '../src/index.js';
import { cpuidEvidence, HIGH_ISOLATED } from './fixtures.js';

function thrown(run: () => unknown): { code?: string; message: string; input?: string } {
  try {
    run();
  } catch (error) {
    if (!isCocoError(error)) throw error;
    return error;
  }
  throw new Error('expected an error');
}

const acmeHypervisor = (overrides: Partial<HypervisorPlugin> = {}): HypervisorPlugin =>
  defineHypervisor({
    kind: 'hypervisor',
    id: 'acme-hv',
    packageName: 'coco-plugin-acme',
    interfaceVersion: PLUGIN_INTERFACE_VERSION,
    detect: () => null,
    ...overrides,
  });

describe('the plugin interface, as a third party meets it', () => {
  it('refuses a plugin written for an interface version core does not support, naming both versions', () => {
    const error = thrown(() => createRegistry().use(acmeHypervisor({ interfaceVersion: 3 })));
    expect(error.code).toBe('PLUGIN_VERSION_UNSUPPORTED');
    expect(error.message).toContain('version 3');
    expect(error.message).toContain(`version ${PLUGIN_INTERFACE_VERSION}`);
    expect(error.input).toBe('plugin "acme-hv"');
  });

  it('refuses a second plugin with an id already taken, and accepts the same object twice', () => {
    const registry = createRegistry().use(hypervPlugin);
    expect(() => registry.use(hypervPlugin)).not.toThrow();
    const impostor = acmeHypervisor({ id: 'hyperv' });
    const error = thrown(() => registry.use(impostor));
    expect(error.code).toBe('PLUGIN_DUPLICATE');
    expect(error.message).toContain('@coco/hyperv');
    expect(registry.hypervisors).toEqual([hypervPlugin]);
  });

  it('refuses a backend whose id collides with a hypervisor plugin', () => {
    const backend: BackendPlugin = defineBackend({
      ...tdxBackend,
      id: 'hyperv',
      packageName: 'coco-plugin-confused',
    });
    const error = thrown(() => createRegistry().use(hypervPlugin).use(backend));
    expect(error.code).toBe('PLUGIN_DUPLICATE');
  });

  it('refuses registration after seal(), naming the plugin', () => {
    const registry = createRegistry().use(hypervPlugin).seal();
    const error = thrown(() => registry.use(tdxBackend));
    expect(error.code).toBe('REGISTRY_SEALED');
    expect(error.message).toContain('"tdx"');
    expect(registry.backends).toEqual([]);
    // re-registering a plugin that is already in is harmless, even when sealed
    expect(() => registry.use(hypervPlugin)).not.toThrow();
  });

  it('contains a plugin whose detection throws: a warning names it and the others still answer', () => {
    const broken = acmeHypervisor({
      detect: () => {
        throw new Error('acme firmware table unreadable');
      },
    });
    const registry = createRegistry().use(broken).use(hypervPlugin).use(amdVtomBackend).use(tdxBackend);
    const json = registry.detect(cpuidEvidence({ high: HIGH_ISOLATED, groupA: 1, groupB: 0xba2 })).toJSON();
    expect(json).toMatchObject({ type: 'amd-vtom', hypervisor: 'hyperv', maskBit: 46, paravisor: true });
    expect(json.warnings).toHaveLength(1);
    expect(json.warnings[0]).toContain('acme-hv');
    expect(json.warnings[0]).toContain('coco-plugin-acme');
    expect(json.warnings[0]).toContain('acme firmware table unreadable');
  });

  it('contains a backend whose detection throws, too', () => {
    const broken: BackendPlugin = defineBackend({
      kind: 'backend',
      id: 'acme-realm',
      packageName: 'coco-plugin-acme',
      interfaceVersion: PLUGIN_INTERFACE_VERSION,
      params: {},
      variants: [],
      createType: () => {
        throw new Error('unused');
      },
      detect: () => {
        throw new TypeError('cannot read properties of undefined');
      },
    });
    const registry = createRegistry().use(hypervPlugin).use(amdVtomBackend).use(broken);
    const json = registry.detect(cpuidEvidence({ high: HIGH_ISOLATED, groupA: 1, groupB: 0xba2 })).toJSON();
    expect(json.type).toBe('amd-vtom');
    expect(json.warnings.some((w) => w.includes('acme-realm') && w.includes('cannot read properties'))).toBe(
      true,
    );
  });

  it('a hypervisor claim without a valid type is contained as well', () => {
    const liar = acmeHypervisor({
      detect: () => ({ type: { id: 'nope' } as never, paravisor: true }),
    });
    const json = createRegistry()
      .use(liar)
      .detect(cpuidEvidence({ high: 0 }))
      .toJSON();
    expect(json.type).toBeNull();
    expect(json.warnings.some((w) => w.includes('acme-hv'))).toBe(true);
  });
});
