/**
 * Read-only views of a Map and a Set. Evidence is handed to every plugin: a `Map` typed as
 * `ReadonlyMap` still has a working `set` at run time, which would let one plugin change what the
 * next one concludes. These views expose only the reading methods, over a private copy, and are
 * frozen, so no plugin can add, remove or replace anything.
 */
export function readOnlyMap<K, V>(source: Iterable<readonly [K, V]>): ReadonlyMap<K, V> {
  const map = new Map<K, V>(source);
  const view: ReadonlyMap<K, V> = {
    get: (key) => map.get(key),
    has: (key) => map.has(key),
    get size() {
      return map.size;
    },
    forEach(callback, thisArg) {
      for (const [key, value] of map) callback.call(thisArg, value, key, view);
    },
    entries: () => map.entries(),
    keys: () => map.keys(),
    values: () => map.values(),
    [Symbol.iterator]: () => map[Symbol.iterator](),
  };
  return Object.freeze(view);
}

/** A frozen read-only view of a Set; see {@link readOnlyMap}. */
export function readOnlySet<T>(source: Iterable<T>): ReadonlySet<T> {
  const set = new Set<T>(source);
  const view: ReadonlySet<T> = {
    has: (value) => set.has(value),
    get size() {
      return set.size;
    },
    forEach(callback, thisArg) {
      for (const value of set) callback.call(thisArg, value, value, view);
    },
    entries: () => set.entries(),
    keys: () => set.keys(),
    values: () => set.values(),
    [Symbol.iterator]: () => set[Symbol.iterator](),
  } as ReadonlySet<T>;
  return Object.freeze(view);
}
