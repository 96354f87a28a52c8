/**
 * Characters a terminal acts on rather than shows: C0 controls (ESC, CR, newline, backspace...),
 * DEL, C1 controls (0x80-0x9f, which include the 8-bit CSI), the line and paragraph separators, and
 * the bidirectional overrides and isolates that reorder what is displayed.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Text from outside coco (a plugin's trail steps, warnings, titles and ids; a file name; an error
 * message) made safe to print on a terminal: control characters are shown escaped (`\x1b`, `\n`,
 * `\u202e`) so that such text cannot move the cursor, change colours or fake lines of output.
 * Everything else, including non-ASCII letters, is left alone. Apply it to the text itself, before
 * coco adds its own colours.
 */
export function safeText(text: string): string {
  return String(text).replace(UNSAFE, escapeChar);
}
