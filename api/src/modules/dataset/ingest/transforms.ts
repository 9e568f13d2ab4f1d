import type { Message, NormalizedRow } from './schema.js';

/** Applies `fn` to every piece of text in a row (content, reasoning, plain text). */
export function mapText(row: NormalizedRow, fn: (s: string) => string): NormalizedRow {
  const messages = (list: Message[]) =>
    list.map((m) => ({
      ...m,
      content: fn(m.content),
      ...(m.reasoning_content !== undefined ? { reasoning_content: fn(m.reasoning_content) } : {}),
    }));
  if ('text' in row) return { text: fn(row.text) };
  if ('messages' in row) return { ...row, messages: messages(row.messages) };
  if ('choices' in row) return { ...row, question: fn(row.question), choices: row.choices.map(fn) };
  return { prompt: messages(row.prompt), chosen: messages(row.chosen), rejected: messages(row.rejected) };
}

/** NFKC (full-width → half-width, compatibility forms), unified newlines, trimmed, collapsed spaces and blank lines. */
export function normalizeText(s: string): string {
  return s
    .normalize('NFKC')
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t\u00a0\u3000]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const EMAIL = /[\w.+-]+@[\w-]+(\.[\w-]+)+/g;
// Mainland China resident ID: 6-digit area, birth date, 3 digits, check digit (digit or X).
const CN_ID = /(?<!\d)\d{6}(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dXx](?!\d)/g;
// Mainland mobile numbers (with optional +86) and common international formats.
const CN_MOBILE = /(?<!\d)(\+?86[- ]?)?1[3-9]\d{9}(?!\d)/g;
const PHONE = /(?<![\w])\+?\d{1,3}[- .]?\(?\d{2,4}\)?[- .]\d{3,4}[- .]\d{3,4}(?![\w])/g;

/** Replaces emails, ID-card numbers and phone numbers with typed placeholders. */
export function scrubPii(s: string): string {
  return s
    .replace(EMAIL, '<EMAIL>')
    .replace(CN_ID, '<ID_NUMBER>')
    .replace(CN_MOBILE, '<PHONE>')
    .replace(PHONE, '<PHONE>');
}
