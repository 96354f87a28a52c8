/** A key that appears twice in one JSON object, and the JSON path of that object. */
export interface DuplicateKey {
  readonly key: string;
  /** The path of the object holding it, such as `$.msr` or `$.cpuid[2]`. */
  readonly path: string;
}

interface Frame {
  readonly path: string;
  /** The keys seen so far, for an object; `null` for an array. */
  readonly keys: Set<string> | null;
  /** The next element's index, for an array. */
  index: number;
  /** The key whose value comes next, for an object. */
  pending: string | null;
}

const member = (path: string, key: string) =>
  /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;

/**
 * Finds the first key that appears twice in one object of a JSON text, which `JSON.parse` would
 * silently resolve by keeping the last. The text must already be valid JSON (parse it first); one
 * linear pass, no recursion, so depth costs nothing.
 */
export function findDuplicateKey(text: string): DuplicateKey | null {
  const stack: Frame[] = [];
  const childPath = (): string => {
    const top = stack[stack.length - 1];
    if (!top) return '$';
    if (top.keys) return member(top.path, top.pending ?? '');
    return `${top.path}[${top.index}]`;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let end = i + 1;
      while (end < text.length && text.charCodeAt(end) !== 0x22) end += text.charCodeAt(end) === 0x5c ? 2 : 1;
      const top = stack[stack.length - 1];
      // A string is a key when it is in an object and no key is waiting for its value.
      if (top?.keys && top.pending === null) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) return { key, path: top.path };
        top.keys.add(key);
        top.pending = key;
      }
      i = end;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      stack.push({ path: childPath(), keys: c === 0x7b ? new Set() : null, index: 0, pending: null });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.keys) top.pending = null;
      else if (top) top.index++;
    }
  }
  return null;
}
