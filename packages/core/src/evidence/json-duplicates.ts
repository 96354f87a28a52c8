import { stringEnd } from './json-string.js';

/** A key that appears twice in one JSON object, and the JSON path of that object. */
export interface DuplicateKey {
  readonly key: string;
  /** The path of the object holding it, such as `$.msr` or `$.cpuid[2]`. */
  readonly path: string;
}

const member = (path: string, key: string) =>
  /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;

/** Keys of an object are compared in a list up to this many, then in a set. */
const LIST_KEYS = 16;

/**
 * Finds the first key that appears twice in one object of a JSON text, which `JSON.parse` would
 * silently resolve by keeping the last. The text must already be valid JSON (parse it first); one
 * linear pass, no recursion, so depth costs nothing. Per nesting level it keeps only the keys of the
 * open object (in arrays reused from one object to the next), the key or index whose value is being
 * read, and builds the path only for a duplicate: a snapshot costs no allocation but its keys.
 */
export function findDuplicateKey(text: string): DuplicateKey | null {
  // One entry per open object or array, outermost first.
  const isObject: boolean[] = [];
  const pending: (string | null)[] = []; // an object's key whose value comes next
  const index: number[] = []; // an array's next element index
  const lists: string[][] = []; // an object's keys so far (the first LIST_KEYS)
  const sets: (Set<string> | null)[] = []; // all its keys, once there are more
  let depth = 0;
  const pathOf = (level: number): string => {
    let path = '$';
    for (let d = 0; d < level; d++)
      path = isObject[d] ? member(path, pending[d] ?? '') : `${path}[${index[d] as number}]`;
    return path;
  };
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const end = stringEnd(text, i);
      if (end === -1) return null; // not JSON: the caller parsed it first
      const top = depth - 1;
      // A string is a key when it is in an object and no key is waiting for its value.
      if (top >= 0 && isObject[top] && pending[top] === null) {
        const raw = text.slice(i + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        const list = lists[top] as string[];
        const set = sets[top] as Set<string> | null;
        if (set !== null ? set.has(key) : list.includes(key)) return { key, path: pathOf(top) };
        if (set !== null) set.add(key);
        else if (list.length < LIST_KEYS) list.push(key);
        else sets[top] = new Set([...list, key]);
        pending[top] = key;
      }
      i = end;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      isObject[depth] = c === 0x7b;
      pending[depth] = null;
      index[depth] = 0;
      if (c === 0x7b) {
        const list = lists[depth];
        if (list === undefined) lists[depth] = [];
        else list.length = 0;
        sets[depth] = null;
      }
      depth++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    } else if (c === 0x2c /* , */ && depth > 0) {
      if (isObject[depth - 1]) pending[depth - 1] = null;
      else index[depth - 1] = (index[depth - 1] as number) + 1;
    }
  }
  return null;
}
