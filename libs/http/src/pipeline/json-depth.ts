const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d; // }
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/**
 * True when a JSON text nests objects and arrays deeper than `maxDepth` (`{}` is depth 1).
 * One pass over the text, before it is parsed, with a counter instead of recursion, so no
 * input can exhaust the stack here; brackets inside strings do not count. Works on the raw
 * bytes too: in UTF-8 no byte of a multi-byte character looks like `{`, `[`, `"` or `\`.
 * Malformed text is left to the parser: this only measures.
 */
export function exceedsJsonDepth(text: string | Uint8Array, maxDepth: number): boolean {
  const at = typeof text === 'string' ? (i: number) => text.charCodeAt(i) : (i: number) => text[i];
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = at(i);
    if (inString) {
      if (char === BACKSLASH) i++;
      else if (char === QUOTE) inString = false;
    } else if (char === QUOTE) {
      inString = true;
    } else if (char === OPEN_OBJECT || char === OPEN_ARRAY) {
      if (++depth > maxDepth) return true;
    } else if (char === CLOSE_OBJECT || char === CLOSE_ARRAY) {
      depth--;
    }
  }
  return false;
}
