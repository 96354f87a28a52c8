// Tests written from Stryker's mutants (docs/mutation.md): every refusal of the registry says what
// is wrong, for which plugin, and what to do, word for word; a plugin's id is quoted at most 64
// characters long.
import { type CocoPlugin, createRegistry, PLUGIN_INTERFACE_VERSION, type Registry } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { refusal, toyBackend, toyHypervisor } from './fixtures.js';

const use = (plugin: unknown, registry: Registry = createRegistry()) =>
  refusal(() => registry.use(plugin as CocoPlugin));

describe('the registry refuses a plugin, saying why and what to do', () => {
  it('what is not a plugin object', () => {
    expect(use(42)).toEqual({
      code: 'PLUGIN_INVALID',
      problem: '42 is not a plugin object',
      input: 'plugin',
      fix: 'pass the plugin object a coco plugin package exports',
    });
    expect(use({ id: 'x' })).toEqual({
      code: 'PLUGIN_INVALID',
      problem: 'it has neither an interfaceVersion nor a kind: not a plugin object',
      input: 'plugin "x"',
      fix: 'pass the plugin object a coco plugin package exports',
    });
    expect(use({ id: 7 }).input).toBe('plugin');
    // A kind alone, or a version alone, is a plugin object with something else wrong.
    expect(use({ id: 'x', kind: 'backend' }).code).toBe('PLUGIN_VERSION_UNSUPPORTED');
    expect(use({ id: 'x', kind: 'hypervisor' }).code).toBe('PLUGIN_VERSION_UNSUPPORTED');
    expect(use({ id: 'x', interfaceVersion: PLUGIN_INTERFACE_VERSION }).code).toBe('PLUGIN_INVALID');
    expect(use({ id: 'x', interfaceVersion: PLUGIN_INTERFACE_VERSION }).problem).not.toContain('neither');
  });

  it('another interface version', () => {
    expect(use({ ...toyBackend, interfaceVersion: 3 })).toEqual({
      code: 'PLUGIN_VERSION_UNSUPPORTED',
      problem: `it implements plugin interface version 3, but this @coco/core (major 1) supports version ${PLUGIN_INTERFACE_VERSION}`,
      input: 'plugin "toy"',
      fix: `install a release of the plugin for interface version ${PLUGIN_INTERFACE_VERSION}, or a @coco/core that supports version 3`,
    });
  });

  it('each field of the wrong shape', () => {
    const shape = (fields: Record<string, unknown>, base: object = toyBackend) => use({ ...base, ...fields });
    expect(shape({ id: 'Bad Id' })).toEqual({
      code: 'PLUGIN_INVALID',
      problem: 'id is not a valid id',
      input: 'plugin "Bad Id"',
      fix: 'use lower-case letters, digits and dashes, such as "acme-hv"',
    });
    expect(shape({ id: 5 }).problem).toBe('id is not a valid id');
    expect(shape({ kind: 'frontend' })).toEqual({
      code: 'PLUGIN_INVALID',
      problem: 'kind is not "backend" or "hypervisor"',
      input: 'plugin "toy"',
      fix: 'set kind',
    });
    for (const packageName of ['', 5]) {
      expect(shape({ packageName })).toEqual({
        code: 'PLUGIN_INVALID',
        problem: 'packageName is not a package name',
        input: 'plugin "toy"',
        fix: 'name the npm package that provides the plugin',
      });
    }
    expect(shape({ detect: 'nope' })).toEqual({
      code: 'PLUGIN_INVALID',
      problem: 'detect is not a function',
      input: 'plugin "toy"',
      fix: 'implement detect(evidence, context)',
    });
    expect(shape({ createType: undefined })).toEqual({
      code: 'PLUGIN_INVALID',
      problem: 'createType is not a function',
      input: 'plugin "toy"',
      fix: 'implement createType(params)',
    });
    expect(shape({ variants: {} })).toEqual({
      code: 'PLUGIN_INVALID',
      problem: 'variants is not an array',
      input: 'plugin "toy"',
      fix: 'list the variants with their attributes',
    });
    expect(shape({ attributes: {} })).toEqual({
      code: 'PLUGIN_INVALID',
      problem: 'attributes is not an array',
      input: 'plugin "toy"',
      fix: 'list attribute definitions',
    });
    expect(shape({ logPatterns: 'SEV' }).fix).toBe(
      'declare the kernel-log lines the plugin reads as RegExp patterns',
    );
  });

  it('a hypervisor plugin needs neither createType nor variants', () => {
    const r = createRegistry().use({ ...toyHypervisor, createType: undefined, variants: undefined } as never);
    expect(r.hypervisors.map((p) => p.id)).toEqual(['toyhv']);
  });

  it('attributes that are the kernel’s, or lack their names', () => {
    const fix = 'define only namespaced ids such as "acme:secure-io", each with both strings';
    expect(
      use({ ...toyBackend, attributes: [{ id: 'mem-encrypt', kernelName: 'X', description: 'y' }] }),
    ).toEqual({
      code: 'PLUGIN_INVALID',
      problem: 'attribute "mem-encrypt" is not a new namespaced attribute with kernelName and description',
      input: 'plugin "toy"',
      fix,
    });
    expect(use({ ...toyBackend, attributes: [{ id: 'acme:x', description: 'y' }] }).problem).toBe(
      'attribute "acme:x" is not a new namespaced attribute with kernelName and description',
    );
    expect(use({ ...toyBackend, attributes: [{ id: 'acme:x', kernelName: 'X' }] }).fix).toBe(fix);
    expect(
      use({ ...toyBackend, attributes: [{ id: 'bad id', kernelName: 'X', description: 'y' }] }).input,
    ).toBe('plugin "toy" attributes');
  });

  it('a plugin whose fields throw when read', () => {
    const hostile = Object.defineProperty({ ...toyBackend }, 'detect', {
      get() {
        throw new Error('boom');
      },
    });
    expect(use(hostile)).toEqual({
      code: 'PLUGIN_INVALID',
      problem: 'reading it threw ("boom")',
      input: 'plugin "toy"',
      fix: 'pass a plain plugin object whose fields can be read',
    });
    const odd = Object.defineProperty({ ...toyBackend }, 'detect', {
      get() {
        throw 7;
      },
    });
    expect(use(odd).problem).toBe('reading it threw (7)');
  });

  it('quotes at most 64 characters of an id', () => {
    const id = `a${'b'.repeat(99)}`;
    expect(use({ ...toyBackend, id, interfaceVersion: 2 }).input).toBe(
      `plugin ${JSON.stringify(id.slice(0, 64))}`,
    );
  });

  it('a sealed registry, a duplicate id, an attribute defined twice', () => {
    expect(use({ ...toyBackend }, createRegistry().seal())).toEqual({
      code: 'REGISTRY_SEALED',
      problem: 'cannot register plugin "toy": the registry is sealed',
      input: 'plugin "toy"',
      fix: 'register every plugin before calling seal()',
    });
    expect(use({ ...toyBackend }, createRegistry().use(toyBackend))).toEqual({
      code: 'PLUGIN_DUPLICATE',
      problem: 'another plugin with id "toy" is already registered (toy-backend)',
      input: 'plugin "toy"',
      fix: 'register each plugin once; if two packages provide the same id, keep one',
    });
    const def = { id: 'acme:x' as const, kernelName: 'ACME_X', description: 'X.' };
    const r = createRegistry().use({ ...toyBackend, attributes: [def] });
    for (const other of [
      { ...def, kernelName: 'ACME_Y' },
      { ...def, description: 'Y.' },
    ]) {
      expect(use({ ...toyBackend, id: 'toy2', attributes: [other] }, r)).toEqual({
        code: 'PLUGIN_DUPLICATE',
        problem: 'attribute "acme:x" is already defined differently',
        input: 'plugin "toy2"',
        fix: 'use a namespace of your own',
      });
    }
    // The same definition again is fine.
    r.use({ ...toyBackend, id: 'toy3', attributes: [{ ...def }] });
    expect(r.attributes.filter((a) => a.id === 'acme:x')).toHaveLength(1);
  });
});
