// Tests written from Stryker's survivors in own.ts (docs/mutation.md): a plugin's fields are read
// from the plugin and the prototypes of its class, never from Object.prototype, and a plugin
// without any prototype is read as well (issue 11: prototype pollution changes no result).
import { type BackendPlugin, createRegistry } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { toyBackend, toyRegEvidence } from './fixtures.js';

describe("a plugin's fields", () => {
  it('are never read from a polluted Object.prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.probes = { files: [{ path: '/etc/shadow', read: 'content' }], cpuinfo: ['serial'] };
    proto.logPatterns = [/./];
    try {
      const r = createRegistry().use(toyBackend);
      expect(r.probes()).toEqual({ files: [], cpuinfo: [], facts: [] });
      expect(r.logPatterns.some((p) => p.source === '.')).toBe(false);
    } finally {
      delete proto.probes;
      delete proto.logPatterns;
    }
  });

  it('are read from a plugin without a prototype, and through the prototypes of its class', () => {
    const bare = Object.assign(Object.create(null), toyBackend) as BackendPlugin;
    const r = createRegistry().use(bare);
    expect(r.backend('toy')).toBe(bare);
    expect(r.detect(toyRegEvidence('0x1234=0x33', 't')).type?.marking?.maskBit).toBe(51);
    const derived = Object.create(toyBackend) as BackendPlugin;
    expect(createRegistry().use(derived).detect(toyRegEvidence('0x1234=0x33', 't')).type?.id).toBe('toy');
  });
});
