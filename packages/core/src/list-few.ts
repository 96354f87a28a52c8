/**
 * Names at most `max` items, quoted, and counts the rest: `"a", "b" and 3 more`. Messages that
 * name what a document holds stay short however much it holds.
 */
export function namedFew(items: readonly string[], max = 3): string {
  const named = items
    .slice(0, max)
    .map((item) => JSON.stringify(item.length > 80 ? `${item.slice(0, 79)}…` : item));
  const rest = items.length - named.length;
  if (rest > 0) return `${named.join(', ')} and ${rest} more`;
  if (named.length <= 1) return named.join('');
  return `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`;
}
