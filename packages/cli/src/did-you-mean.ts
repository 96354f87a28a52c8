/**
 * The edit distance between two strings: insertions, deletions, substitutions and swaps of two
 * neighbouring characters each cost 1 (optimal string alignment), so `dtect` is 1 from `detect`
 * and `detcet` 1 from `detect`.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => (d[i] as number[])[j] as number;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The candidate a mistyped word most likely meant, or `undefined` when none is close: within 1 edit
 * for words of up to 4 characters, 2 up to 8, else 3; a prefix of a candidate (`exp` for
 * `explain`) counts as close too when it is unambiguous. Ties go to the first candidate listed.
 */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  const word = input.toLowerCase();
  if (word === '') return undefined;
  const limit = word.length <= 4 ? 1 : word.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best !== undefined && bestDistance <= limit) return best;
  const prefixed = candidates.filter((c) => c.toLowerCase().startsWith(word));
  return word.length >= 2 && prefixed.length === 1 ? prefixed[0] : undefined;
}
