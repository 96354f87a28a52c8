// Tests written from Stryker's mutants (docs/mutation.md) that no core test covered: what plugins
// declare they read (interface 2 `probes`), the union the registry gives the live probe per
// architecture, fact kinds declared twice, adapters, interface-1 plugins waiting for an adapter,
// and the registry's own snapshot parser.
import { type BackendPlugin, createRegistry, type FactKind, type ProbeIO } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { refusal, TOY_LEAF, TOY_REG, toyBackend, toyHypervisor } from './fixtures.js';

const regProbe = { kind: TOY_REG, run: (_io: ProbeIO, _sink: unknown) => undefined };
const leafProbe = { kind: TOY_LEAF, run: (_io: ProbeIO, _sink: unknown) => undefined };
const withProbes = (probes: unknown, id = 'toy', extra: object = {}) =>
  ({ ...toyBackend, id, packageName: `${id}-backend`, probes, ...extra }) as BackendPlugin;
const use = (plugin: unknown) => refusal(() => createRegistry().use(plugin as BackendPlugin));

describe('a plugin declares what it reads', () => {
  it('refuses probes of the wrong shape, naming the field and the fix', () => {
    for (const probes of [null, 5, []]) {
      expect(use(withProbes(probes))).toEqual({
        code: 'PLUGIN_INVALID',
        input: 'plugin "toy"',
        problem: 'probes is not an object',
        fix: 'declare probes: { architectures?, files?, cpuinfo?, facts? }',
      });
    }
    const archFix = 'list the Node process.arch names of the machines the probes apply to';
    for (const architectures of ['x64', ['x64', 5], ['X64'], [''], ['a'.repeat(17)]]) {
      expect(use(withProbes({ architectures })), JSON.stringify(architectures)).toEqual({
        code: 'PLUGIN_INVALID',
        input: 'plugin "toy"',
        problem: 'probes.architectures is not valid',
        fix: archFix,
      });
    }
    const fileFix = 'give { path: "/absolute/path", read: "exists" | "content" }';
    for (const file of [
      { path: 'sys/x', read: 'exists' },
      { path: 5, read: 'exists' },
      { path: '/sys/../etc/shadow', read: 'content' },
      { path: '/sys/x', read: 'all' },
      { path: '/sys/x' },
    ]) {
      expect(use(withProbes({ files: [file] })), JSON.stringify(file)).toEqual({
        code: 'PLUGIN_INVALID',
        input: 'plugin "toy"',
        problem: 'probes.files is not valid',
        fix: fileFix,
      });
    }
    for (const field of ['', 'f'.repeat(65), 5]) {
      expect(use(withProbes({ cpuinfo: [field] })), String(field)).toEqual({
        code: 'PLUGIN_INVALID',
        input: 'plugin "toy"',
        problem: 'probes.cpuinfo is not valid',
        fix: 'list cpuinfo field names',
      });
    }
    const factFix = 'give { kind, run(io, sink) } for a fact kind the plugin declares in facts';
    const undeclared: FactKind = { ...TOY_REG, id: 'acme.other' } as FactKind;
    for (const probe of [
      { kind: TOY_REG },
      { kind: TOY_REG, run: 5 },
      { kind: undeclared, run: () => undefined },
      { run: () => undefined },
    ]) {
      expect(use(withProbes({ facts: [probe] }))).toEqual({
        code: 'PLUGIN_INVALID',
        input: 'plugin "toy"',
        problem: 'probes.facts is not valid',
        fix: factFix,
      });
    }
    // The edges that are accepted: 16-character architectures, 64-character fields, `content` reads.
    expect(() =>
      createRegistry().use(
        withProbes({
          architectures: ['a'.repeat(16), 'x64'],
          files: [{ path: '/sys/x', read: 'content' }],
          cpuinfo: ['f'.repeat(64), 'f'],
          facts: [regProbe],
        }),
      ),
    ).not.toThrow();
  });

  it('gives the union for an architecture: every file once (content wins), fields and fact probes once', () => {
    const r = createRegistry()
      .use(
        withProbes({
          architectures: ['x64'],
          files: [
            { path: '/dev/a', read: 'exists' },
            { path: '/sys/b', read: 'content' },
          ],
          cpuinfo: ['flags'],
          facts: [regProbe],
        }),
      )
      .use(
        withProbes(
          {
            architectures: ['arm64'],
            files: [{ path: '/dev/realm', read: 'exists' }],
            cpuinfo: ['Features'],
            facts: [leafProbe],
          },
          'arm',
        ),
      )
      .use(
        withProbes(
          {
            files: [
              { path: '/dev/a', read: 'content' },
              { path: '/sys/b', read: 'exists' },
            ],
            cpuinfo: ['flags', 'vendor_id'],
            facts: [{ ...regProbe }],
          },
          'any',
        ),
      );
    const x64 = r.probes('x64');
    expect(x64).toEqual({
      files: [
        { path: '/dev/a', read: 'content' },
        { path: '/sys/b', read: 'content' },
      ],
      cpuinfo: ['flags', 'vendor_id'],
      facts: [regProbe],
    });
    expect(x64.facts[0]).toBe(regProbe);
    expect(Object.isFrozen(x64) && Object.isFrozen(x64.files) && Object.isFrozen(x64.facts)).toBe(true);
    expect(r.probes('arm64')).toEqual({
      files: [
        { path: '/dev/realm', read: 'exists' },
        { path: '/dev/a', read: 'content' },
        { path: '/sys/b', read: 'exists' },
      ],
      cpuinfo: ['Features', 'flags', 'vendor_id'],
      facts: [leafProbe, { ...regProbe }],
    });
    expect(r.probes('s390x').files.map((f) => f.path)).toEqual(['/dev/a', '/sys/b']);
    // No architecture given: every plugin's probes.
    expect(r.probes().files.map((f) => f.path)).toEqual(['/dev/a', '/sys/b', '/dev/realm']);
    expect(r.probes().facts).toHaveLength(2);
    // The snapshot keeps every field any plugin reads.
    expect(r.cpuinfoFields).toEqual(['flags', 'Features', 'vendor_id']);
    expect(createRegistry().probes()).toEqual({ files: [], cpuinfo: [], facts: [] });
  });
});

describe('fact kinds, adapters and waiting plugins', () => {
  it('takes the same kind twice, or a copy with the same title, and refuses a different one', () => {
    const r = createRegistry().use(toyBackend).use(toyHypervisor);
    expect(r.factKinds).toEqual([TOY_REG, TOY_LEAF]);
    const copy = { ...toyBackend, id: 'copy', facts: [{ ...TOY_REG }] } as BackendPlugin;
    expect(r.use(copy).factKinds[0]).toBe(TOY_REG);
    const other = {
      ...toyBackend,
      id: 'other',
      facts: [{ ...TOY_REG, title: 'other registers' }],
    } as BackendPlugin;
    expect(refusal(() => r.use(other))).toEqual({
      code: 'PLUGIN_DUPLICATE',
      input: 'plugin "other"',
      problem: 'fact kind "toy.reg" is already declared differently',
      fix: 'use a namespace of your own, or the kind object the owning package exports',
    });
  });

  it('refuses an adapter without a version or an adapt function', () => {
    for (const adapter of [
      { adapt: () => toyBackend },
      { fromVersion: 1 },
      { fromVersion: '1', adapt: () => toyBackend },
    ]) {
      expect(use({ ...toyBackend, adapters: [adapter] })).toEqual({
        code: 'PLUGIN_INVALID',
        input: 'plugin "toy"',
        problem: 'adapters holds an invalid adapter',
        fix: 'give { fromVersion, adapt(plugin) }',
      });
    }
  });

  it('keeps an interface-1 plugin waiting once, and adapts it when a plugin brings the adapter', () => {
    const old = { ...toyBackend, id: 'old', packageName: 'old-backend', interfaceVersion: 1 };
    const adapted: BackendPlugin[] = [];
    const adapter = {
      fromVersion: 1,
      adapt: (p: object) => {
        const plugin = { ...(p as BackendPlugin), interfaceVersion: 2 } as BackendPlugin;
        adapted.push(plugin);
        return plugin;
      },
    };
    const r = createRegistry();
    r.use(old as never).use(old as never);
    expect(r.plugins).toEqual([]);
    r.use({ ...toyBackend, adapters: [adapter] } as BackendPlugin);
    // Adapted once, though it was given twice.
    expect(adapted).toHaveLength(1);
    expect(r.backend('old')).toBe(adapted[0]);
    expect(r.notices).toEqual([
      'plugin "old" (old-backend) implements plugin interface 1, which is deprecated: it runs through an adapter; update it to interface 2',
    ]);
    // The original again: already adapted, nothing changes.
    r.use(old as never);
    expect([adapted.length, r.plugins.length]).toEqual([1, 2]);
  });

  it('reads the interface version of a plugin whose getter throws as no version', () => {
    const hostile = {
      ...toyBackend,
      get interfaceVersion(): number {
        throw new Error('no');
      },
    };
    expect(use(hostile)).toMatchObject({ code: 'PLUGIN_INVALID', input: 'plugin "toy"' });
  });
});

describe("the registry's snapshot parser", () => {
  it('checks format 2 facts and converts format 1 keys with the kinds of its plugins', () => {
    const r = createRegistry().use(toyBackend);
    const v1 = r.parseSnapshot('{"format":"coco-snapshot/1","reg":{"0x1234":"0x33"}}', { source: 's.json' });
    expect(v1.fact(TOY_REG, '0x1234')).toEqual({ value: 0x33n, source: 'snapshot s.json' });
    expect(
      r.parseSnapshot('{"format":"coco-snapshot/1","reg":{"0x1234":"0x33"}}').fact(TOY_REG, '0x1234')?.source,
    ).toBe('snapshot');
    expect(
      refusal(() => r.parseSnapshot('{"format":"coco-snapshot/2","facts":{"toy.reg":{"0x1":5}}}')),
    ).toMatchObject({
      code: 'SNAPSHOT_INVALID',
      input: 'snapshot',
      problem: 'reg 0x1 is not valid (not a 64-bit hex string)',
    });
  });
});
