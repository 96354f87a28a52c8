import {
  ATTRIBUTES,
  CORE_MAJOR,
  type CocoPlugin,
  createRegistry,
  defaultRegistry,
  isCocoError,
  PLUGIN_INTERFACE_VERSION,
  type Registry,
} from '@coco/core';
import { describe, expect, it } from 'vitest';
import { otherBackend, toyBackend, toyHypervisor } from './fixtures.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return isCocoError(error) ? error.code : `not a coco error: ${String(error)}`;
  }
  return undefined;
}

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  return '';
}

describe('registry', () => {
  it('registers backends and hypervisor plugins in order and finds backends by id', () => {
    const r = createRegistry().use(toyBackend).use(toyHypervisor).use(otherBackend);
    expect(r.plugins.map((p) => p.id)).toEqual(['toy', 'toyhv', 'other']);
    expect(r.backends.map((p) => p.id)).toEqual(['toy', 'other']);
    expect(r.hypervisors.map((p) => p.id)).toEqual(['toyhv']);
    expect(r.backend('toy')).toBe(toyBackend);
    expect(r.backend('toyhv')).toBeUndefined();
    expect(r.backend('__proto__')).toBeUndefined();
  });

  it('refuses an unsupported interface version and names both versions', () => {
    const future = { ...toyBackend, interfaceVersion: 3 };
    const r = createRegistry();
    expect(codeOf(() => r.use(future))).toBe('PLUGIN_VERSION_UNSUPPORTED');
    const message = messageOf(() => r.use(future));
    expect(message).toContain('version 3');
    expect(message).toContain(`version ${PLUGIN_INTERFACE_VERSION}`);
    expect(codeOf(() => r.use({ ...toyBackend, interfaceVersion: '1' } as never))).toBe(
      'PLUGIN_VERSION_UNSUPPORTED',
    );
    const { interfaceVersion: _omitted, ...unversioned } = toyBackend;
    expect(messageOf(() => r.use(unversioned as never))).toContain('version undefined');
    expect(r.plugins).toHaveLength(0);
  });

  it('refuses a duplicate id unless it is the same object', () => {
    const r = createRegistry().use(toyBackend);
    expect(() => r.use(toyBackend)).not.toThrow();
    expect(r.plugins).toHaveLength(1);
    expect(codeOf(() => r.use({ ...toyBackend }))).toBe('PLUGIN_DUPLICATE');
    expect(messageOf(() => r.use({ ...toyBackend }))).toContain('toy-backend');
  });

  it('refuses registration after seal() but still accepts re-registering the same object', () => {
    const r = createRegistry().use(toyBackend).seal();
    expect(r.sealed).toBe(true);
    expect(codeOf(() => r.use(otherBackend))).toBe('REGISTRY_SEALED');
    expect(r.use(toyBackend).plugins).toHaveLength(1);
  });

  it('turns hostile or malformed plugins into PLUGIN_INVALID, never a crash', () => {
    const r = createRegistry();
    const hostile = Object.defineProperty({ ...toyBackend }, 'id', {
      get() {
        throw new Error('boom');
      },
    });
    const proxy = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
      },
    );
    const cases: unknown[] = [
      null,
      42,
      'toy',
      hostile,
      proxy,
      { ...toyBackend, id: '__proto__' },
      { ...toyBackend, id: 'Bad Id' },
      { ...toyBackend, kind: 'frontend' },
      { ...toyBackend, detect: 'nope' },
      { ...toyBackend, createType: undefined },
      { ...toyBackend, variants: {} },
      { ...toyBackend, packageName: '' },
      { ...toyBackend, attributes: [{ id: 'mem-encrypt', kernelName: 'X', description: 'y' }] },
      { ...toyBackend, attributes: [{ id: 'not namespaced', kernelName: 'X', description: 'y' }] },
    ];
    for (const [index, plugin] of cases.entries()) {
      expect(
        codeOf(() => r.use(plugin as CocoPlugin)),
        `case ${index}`,
      ).toMatch(/^(PLUGIN_INVALID|ATTRIBUTE_INVALID)$/);
    }
    expect(r.plugins).toHaveLength(0);
    expect(({} as Record<string, unknown>).toy).toBeUndefined();
  });

  it('adds namespaced attributes from plugins after the kernel vocabulary', () => {
    const def = { id: 'acme:secure-io' as const, kernelName: 'ACME_SECURE_IO', description: 'Secure I/O.' };
    const r = createRegistry().use({ ...toyBackend, attributes: [def] });
    expect(r.attributes.slice(0, ATTRIBUTES.length)).toEqual(ATTRIBUTES);
    expect(r.attributes.at(-1)).toEqual(def);
    const clash = { ...otherBackend, attributes: [{ ...def, description: 'Something else.' }] };
    expect(codeOf(() => r.use(clash))).toBe('PLUGIN_DUPLICATE');
  });
});

describe('default registry', () => {
  it('lives on globalThis under a Symbol.for key carrying the major version', () => {
    const key = Symbol.for(`@coco/core/default-registry@${CORE_MAJOR}`);
    const registry = defaultRegistry();
    expect((globalThis as Record<symbol, unknown>)[key]).toBe(registry);
    expect(defaultRegistry()).toBe(defaultRegistry());
  });

  it('is shared by two copies of core of the same major', async () => {
    // A query string makes the module loader evaluate the registry module twice, as a duplicate
    // install would; the packed-tarball proof in tools/packaging does the same with real copies.
    type RegistryModule = typeof import('../src/registry.js');
    const load = (copy: string): Promise<RegistryModule> =>
      import(/* @vite-ignore */ `../src/registry.ts?copy=${copy}`);
    const copyA = await load('a');
    const copyB = await load('b');
    expect(copyA.createRegistry).not.toBe(copyB.createRegistry);
    const plugin = { ...toyBackend, id: 'dup-copy-check' };
    copyA.use(plugin);
    expect((copyB.defaultRegistry() as Registry).backend('dup-copy-check')).toBe(plugin);
    expect(copyB.defaultRegistry()).toBe(defaultRegistry());
  });

  it('never returns a registry kept for another major', () => {
    const otherMajor = Symbol.for(`@coco/core/default-registry@${CORE_MAJOR + 1}`);
    const foreign = createRegistry();
    (globalThis as Record<symbol, unknown>)[otherMajor] = foreign;
    expect(defaultRegistry()).not.toBe(foreign);
    delete (globalThis as Record<symbol, unknown>)[otherMajor];
  });
});
