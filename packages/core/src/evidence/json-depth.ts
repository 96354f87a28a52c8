import { stringEnd } from './json-string.js';

/**
 * The deepest nesting of arrays and objects a snapshot may have. What coco and its plugins write
 * is a few levels deep; `JSON.parse` of a text nested millions deep takes seconds and hundreds of
 * megabytes before anything can refuse it, so the depth is checked first.
 */
export const SNAPSHOT_MAX_DEPTH = 64;

/**
 * The offset at which `text` opens its `max + 1`th level of arrays or objects, or `-1` when it
 * never goes that deep. One linear pass that jumps over strings; it reads any text, valid JSON or not.
 */
export function tooDeepAt(text: string, max: number): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const end = stringEnd(text, i);
      if (end === -1) return -1;
      i = end;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > max) return i;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
  return -1;
}
