import { AppError } from '../../../errors.js';

/** One element of the rows array: its text (to JSON.parse), or its length when it was too long to keep. */
export type JsonElement = { text: string } | { tooLong: number };

const WS = new Set([' ', '\t', '\n', '\r']);
const shape = () => new AppError('BAD_USER_INPUT', 'file: JSON must be an array of rows or an object of arrays');
const invalid = (what: string) => new AppError('BAD_USER_INPUT', `file: invalid JSON: ${what}`);

/**
 * Splits a JSON document into its rows as text arrives, never holding more than one row: the rows are
 * the elements of a top-level array, or of the arrays that are values of a top-level object
 * (`{"train": [...], "test": [...]}`; other values are skipped). Elements longer than `maxChars` are
 * reported by length and not kept. `partial`: the text is only the start of the file (detection), so
 * an unfinished document is not an error.
 */
export async function* jsonRowElements(
  chunks: AsyncIterable<string | Buffer>,
  maxChars: number,
  partial = false,
): AsyncGenerator<JsonElement[]> {
  const stack: string[] = []; // open containers, '{' or '['
  let inString = false;
  let escaped = false;
  let done = false; // the top-level value has closed
  let buf = ''; // text of the element in progress (from its first character)
  let start = -1; // index in the current chunk where the element began; -1: none in progress
  let length = 0; // characters of the element in progress seen before this chunk
  let kept = true; // false once the element passed maxChars (its text is dropped)
  let primitive = false; // the element in progress is a number, string, true, false or null
  const inRows = () =>
    (stack.length === 1 && stack[0] === '[') || (stack.length === 2 && stack[0] === '{' && stack[1] === '[');

  for await (const raw of chunks) {
    const s = typeof raw === 'string' ? raw : raw.toString('utf8');
    const out: JsonElement[] = [];
    const finish = (end: number) => {
      if (kept) out.push({ text: buf + s.slice(Math.max(start, 0), end) });
      else out.push({ tooLong: length + end - Math.max(start, 0) });
      buf = '';
      start = -1;
      length = 0;
      kept = true;
      primitive = false;
    };
    let nextBackslash = -1; // cached: searching each string for one would rescan the chunk
    let inElement = start >= 0 || length > 0;
    if (inElement) start = 0; // an element carried over from the previous chunk continues here
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (inString) {
        if (escaped) {
          escaped = false;
          continue;
        }
        // Jump to the next quote or backslash: strings are most of the text.
        const q = s.indexOf('"', i);
        if (nextBackslash < i) nextBackslash = s.indexOf('\\', i) >>> 0; // -1 becomes "never" (2^32 - 1)
        const b = nextBackslash;
        if (b < s.length && (q < 0 || b < q)) {
          i = b;
          escaped = true;
          continue;
        }
        if (q < 0) break; // the string goes on in the next chunk
        i = q;
        inString = false;
        if (primitive && inRows()) {
          // a string row: it ends with its closing quote
          finish(i + 1);
          inElement = false;
        }
        continue;
      }
      if (WS.has(c)) {
        if (primitive && inElement && inRows()) {
          finish(i);
          inElement = false;
        }
        continue;
      }
      if (done) throw invalid('unexpected data after the end of the document');
      if (stack.length === 0 && c !== '[' && c !== '{') throw shape();
      if (inRows() && !inElement && c !== ',' && c !== ']') {
        inElement = true;
        start = i;
        primitive = c !== '{' && c !== '[';
      }
      if (c === '"') inString = true;
      else if (c === '{' || c === '[') stack.push(c);
      else if (c === '}' || c === ']') {
        if (primitive && inElement && inRows()) {
          finish(i);
          inElement = false;
        }
        const open = stack.pop();
        if (open !== (c === '}' ? '{' : '[')) throw invalid(`unexpected "${c}"`);
        if (stack.length === 0) done = true;
        else if (inElement && !primitive && inRows()) {
          finish(i + 1);
          inElement = false;
        }
      } else if (c === ',' && primitive && inElement && inRows()) {
        finish(i);
        inElement = false;
      }
    }
    if (inElement) {
      const from = Math.max(start, 0);
      length += s.length - from;
      if (kept && length > maxChars) kept = false;
      if (kept) buf += s.slice(from);
      else buf = '';
      start = -1;
    }
    if (out.length) yield out;
  }
  if (partial) return;
  if (!done) throw invalid(stack.length ? 'the file ends before the document does' : 'the file is empty');
}
