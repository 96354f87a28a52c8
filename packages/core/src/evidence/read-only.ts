/**
 * Read-only views of a Map and a Set. Evidence is handed to every plugin: a `Map` typed as
 * `ReadonlyMap` still has a working `set` at run time, which would let one plugin change what the
 * next one concludes. These views expose only the reading methods, over a private copy (a `#`
 * field no plugin can reach), and are frozen, as are their classes and prototypes, so no plugin can
 * add, remove or replace anything. The methods live on the (frozen) prototype: a view costs one
 * small object and its copy, not a closure per method (evidence builds a dozen views per machine).
 */
class ReadOnlyMapView<K, V> implements ReadonlyMap<K, V> {
  readonly #map: Map<K, V>;
  constructor(map: Map<K, V>) {
    this.#map = map;
    Object.freeze(this);
  }
  get(key: K): V | undefined {
    return this.#map.get(key);
  }
  has(key: K): boolean {
    return this.#map.has(key);
  }
  get size(): number {
    return this.#map.size;
  }
  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.#map) callback.call(thisArg, value, key, this);
  }
  entries(): IterableIterator<[K, V]> {
    return this.#map.entries();
  }
  keys(): IterableIterator<K> {
    return this.#map.keys();
  }
  values(): IterableIterator<V> {
    return this.#map.values();
  }
  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.#map[Symbol.iterator]();
  }
}

class ReadOnlySetView<T> implements ReadonlySet<T> {
  readonly #set: Set<T>;
  constructor(set: Set<T>) {
    this.#set = set;
    Object.freeze(this);
  }
  has(value: T): boolean {
    return this.#set.has(value);
  }
  get size(): number {
    return this.#set.size;
  }
  forEach(callback: (value: T, key: T, set: ReadonlySet<T>) => void, thisArg?: unknown): void {
    for (const value of this.#set) callback.call(thisArg, value, value, this);
  }
  entries(): IterableIterator<[T, T]> {
    return this.#set.entries();
  }
  keys(): IterableIterator<T> {
    return this.#set.keys();
  }
  values(): IterableIterator<T> {
    return this.#set.values();
  }
  [Symbol.iterator](): IterableIterator<T> {
    return this.#set[Symbol.iterator]();
  }
}

// The classes and prototypes are frozen before the first view is made (not at import: a module
// without side effects lets bundlers leave it out of code that never builds evidence).
let frozen = false;
function freezeClasses(): void {
  for (const c of [ReadOnlyMapView, ReadOnlySetView]) {
    Object.freeze(c.prototype);
    Object.freeze(c);
  }
  frozen = true;
}

/** A frozen read-only view of a private copy of `source`. */
export function readOnlyMap<K, V>(source: Iterable<readonly [K, V]>): ReadonlyMap<K, V> {
  if (!frozen) freezeClasses();
  return new ReadOnlyMapView(new Map<K, V>(source));
}

/**
 * @internal A frozen read-only view of `map` itself, not a copy: for an owner that never changes
 * `map` again once the view is out (the evidence builder copies its collections before it changes
 * them after a build).
 */
export function readOnlyMapOf<K, V>(map: Map<K, V>): ReadonlyMap<K, V> {
  if (!frozen) freezeClasses();
  return new ReadOnlyMapView(map);
}

/** @internal A frozen read-only view of `set` itself; see {@link readOnlyMapOf}. */
export function readOnlySetOf<T>(set: Set<T>): ReadonlySet<T> {
  if (!frozen) freezeClasses();
  return new ReadOnlySetView(set);
}
