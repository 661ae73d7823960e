// Counts the elements of a top-level JSON array without parsing it, so that a request can be
// refused before the work (and the memory) of building its events: `[{},{},…]` of 48 MB is
// 16.7 million objects to JSON.parse, but a count that stops at the limit reads a few bytes.
import { yieldToIo } from '../core/timers.js';

/** Characters scanned between two yields to the event loop. */
const SLICE = 1 << 20;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_SQUARE = 0x5b;
const CLOSE_SQUARE = 0x5d;
const OPEN_CURLY = 0x7b;
const CLOSE_CURLY = 0x7d;

/**
 * Whether `json`, if it is an array, has more than `limit` elements (counted as the commas at
 * the top level, plus one). Text that is not an array answers false: JSON.parse then says
 * what is wrong with it. Scans in slices, yielding to the event loop between them.
 */
export async function arrayLongerThan(json: string, limit: number): Promise<boolean> {
  let i = 0;
  const n = json.length;
  while (i < n && json.charCodeAt(i) <= 0x20) i++;
  if (json.charCodeAt(i) !== OPEN_SQUARE) return false;
  i++;
  let depth = 1;
  let inString = false;
  let elements = 1;
  while (i < n) {
    const end = Math.min(n, i + SLICE);
    for (; i < end; i++) {
      const c = json.charCodeAt(i);
      if (inString) {
        if (c === BACKSLASH) i++;
        else if (c === QUOTE) inString = false;
      } else if (c === QUOTE) inString = true;
      else if (c === OPEN_CURLY || c === OPEN_SQUARE) depth++;
      else if (c === CLOSE_CURLY || c === CLOSE_SQUARE) {
        if (--depth === 0) return false;
      } else if (c === COMMA && depth === 1 && ++elements > limit) return true;
    }
    if (i < n) await yieldToIo();
  }
  return false;
}
