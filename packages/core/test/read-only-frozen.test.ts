// The evidence views' classes and prototypes are frozen before the first view goes out, whichever
// function makes it: a plugin that replaced a prototype's `get` would change what every other
// plugin reads (issue "Robust under hostile input and hostile plugins"). Each test loads the module
// afresh, so that its function is the first to make a view.
import { describe, expect, it, vi } from 'vitest';

type ReadOnlyModule = typeof import('../src/evidence/read-only.js');
const FIRST_VIEW: Record<string, (m: ReadOnlyModule) => object> = {
  readOnlyMap: (m) => m.readOnlyMap([[1, 'one']]),
  readOnlyMapOf: (m) => m.readOnlyMapOf(new Map([[1, 'one']])),
  readOnlySetOf: (m) => m.readOnlySetOf(new Set([1])),
};

describe('read-only views', () => {
  for (const [name, make] of Object.entries(FIRST_VIEW)) {
    it(`${name}, making the first view, freezes both view classes and their prototypes`, async () => {
      vi.resetModules();
      const m = await import('../src/evidence/read-only.js');
      const frozenProto = (view: object) => {
        const proto = Object.getPrototypeOf(view) as { has: unknown; constructor: object };
        expect(Object.isFrozen(proto), name).toBe(true);
        expect(Object.isFrozen(proto.constructor), name).toBe(true);
        expect(() => {
          proto.has = () => true;
        }).toThrow(TypeError);
      };
      // Checked before any other view is made: this function froze them.
      const first = make(m);
      frozenProto(first);
      frozenProto(name === 'readOnlySetOf' ? m.readOnlyMapOf(new Map()) : m.readOnlySetOf(new Set()));
      expect((first as ReadonlyMap<number, string> | ReadonlySet<number>).has(2)).toBe(false);
    });
  }
});
