/**
 * Property reads that prototype pollution cannot reach. A plugin runs in the same process as core
 * and may set `Object.prototype.guest = false` or `Object.prototype.msr = {...}` (at import or in
 * `detect`); every place where core reads an object it did not build — a parsed JSON document,
 * parameters, a plugin's answer or fields — reads through these, so such a property is never seen.
 */

/** True when `key` is `value`'s own property. */
export function hasOwn(value: unknown, key: PropertyKey): boolean {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, key);
}

/** `value[key]` when it is `value`'s own property, else `undefined`. */
export function own(value: unknown, key: PropertyKey): unknown {
  return hasOwn(value, key) ? (value as Record<PropertyKey, unknown>)[key] : undefined;
}

/**
 * `value[key]` from the object or the prototypes of its class, never from `Object.prototype` (or a
 * null prototype): plugins may be class instances, whose methods live on their class's prototype.
 */
export function fieldOf(value: unknown, key: PropertyKey): unknown {
  for (let o: unknown = value; typeof o === 'object' && o !== null && o !== Object.prototype; ) {
    if (Object.hasOwn(o, key)) return (value as Record<PropertyKey, unknown>)[key];
    o = Object.getPrototypeOf(o);
  }
  return undefined;
}
