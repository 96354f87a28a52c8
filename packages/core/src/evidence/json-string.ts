/**
 * The offset of the quote that closes the JSON string opening at `open` (a `"`): the next quote
 * not escaped by an odd number of backslashes, or `-1` when the text ends first. It jumps from
 * quote to quote with `indexOf`, so a long string costs no step per character; each run of
 * backslashes is counted once, by the quote that follows it.
 */
export function stringEnd(text: string, open: number): number {
  let end = text.indexOf('"', open + 1);
  while (end !== -1) {
    let b = end - 1;
    while (b > open && text.charCodeAt(b) === 0x5c /* \ */) b--;
    if ((end - 1 - b) % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
  return -1;
}
