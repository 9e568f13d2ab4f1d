// Multiple-choice rows (C-Eval / CMMLU): their choices and answer read from a source record, and the
// evaluator's rules for them (workers/trainer/README.md, "Evaluation set rows"), so that a set that
// validates here is one the evaluator reads as it is.
import { RowError } from './row-error.js';
import type { Problem } from './validate.js';

/**
 * A multiple-choice question (C-Eval / CMMLU): `answer` is the 0-based index of the right choice,
 * whatever the source gave (a letter, an index or the choice's text); `subject` only when given.
 */
export interface ChoiceRow {
  question: string;
  choices: string[];
  answer: number;
  subject?: string;
}

/** Choice letters: a row has at most 26 choices, A to Z (the evaluator's prompt names them so). */
export const CHOICE_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && !v.trim());

/** A choice as text: numbers (CSV-less sources of arithmetic questions) are written out; blanks stay blank. */
function choiceText(value: unknown, where: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new RowError({
    code: 'UNEXPECTED_TYPE',
    message: `${where} is ${Array.isArray(value) ? 'a list' : typeof value}, not text`,
  });
}

/** The choices of a row: its `choices` list, or its letter columns up to the last one with a value. */
export function choiceList(record: Record<string, unknown>, c: Record<string, string>): string[] {
  if (c.choices) {
    let list = record[c.choices];
    if (list === undefined || list === null)
      throw new RowError({ code: 'MISSING_FIELD', message: `missing choices (column "${c.choices}")` });
    if (typeof list === 'string') {
      try {
        list = JSON.parse(list); // CSV and Parquet carry lists as JSON text
      } catch {
        throw new RowError({ code: 'UNEXPECTED_TYPE', message: 'choices is text, not a list of choices' });
      }
    }
    if (!Array.isArray(list))
      throw new RowError({ code: 'UNEXPECTED_TYPE', message: 'choices is not a list of choices' });
    return list.map((v, i) => choiceText(v, `choice ${CHOICE_LETTERS[i] ?? i + 1}`));
  }
  const letters = [...CHOICE_LETTERS].filter((l) => c[l]);
  if (letters.length < 2)
    throw new RowError({
      code: 'MISSING_FIELD',
      message: 'missing choices (map a choices column, or columns A, B, …)',
    });
  // Rows of a file with columns A–D may use fewer: blank last letters are not choices.
  const values = letters.map((l) => record[c[l]]);
  let end = values.length;
  while (end > 0 && blank(values[end - 1])) end--;
  return values.slice(0, end).map((v, i) => choiceText(v, `choice ${letters[i]}`));
}

/**
 * The 0-based index of the right choice: the answer is a letter (a single letter within the choices
 * is read as one first, as the evaluator does), the text of a choice, or a 0-based index.
 */
export function answerIndex(answer: unknown, choices: string[], column: string): number {
  if (answer === undefined || answer === null)
    throw new RowError({ code: 'MISSING_FIELD', message: `missing answer (column "${column}")` });
  // No choice at all: nothing the answer could name (a row with one keeps it, flagged by checkChoices).
  if (!choices.length)
    throw new RowError({ code: 'BAD_CHOICES', message: 'needs at least two choices; this row has 0' });
  const letters = `A–${CHOICE_LETTERS[Math.min(choices.length, 26) - 1]}`;
  if (typeof answer === 'number') {
    if (Number.isInteger(answer) && answer >= 0 && answer < choices.length) return answer;
    throw new RowError({
      code: 'BAD_ANSWER',
      message: `answer ${answer} is not among the choices (0-based indexes 0–${choices.length - 1})`,
    });
  }
  if (typeof answer !== 'string')
    throw new RowError({
      code: 'BAD_ANSWER',
      message: `answer must be a letter, a 0-based index or the text of a choice, not ${Array.isArray(answer) ? 'a list' : typeof answer}`,
    });
  // NFKC: full-width letters (Ｂ), common in Chinese sources, read as B.
  const a = answer.normalize('NFKC').trim();
  const letter = a.length === 1 ? CHOICE_LETTERS.indexOf(a.toUpperCase()) : -1;
  if (letter >= 0 && letter < choices.length) return letter;
  const text = choices.findIndex((c) => c.trim() === answer.trim());
  if (text >= 0) return text;
  // Digits that name no choice are an index, as a number is: Parquet and CSV exports carry it as text.
  if (/^\d+$/.test(a)) return answerIndex(Number(a), choices, column);
  throw new RowError({
    code: 'BAD_ANSWER',
    message: `answer ${JSON.stringify(answer)} is not among the choices ${letters}`,
  });
}

/** The evaluator's rules for a question: text, two to 26 choices, none empty, none twice (spaces aside). */
export function checkChoices(row: ChoiceRow): Problem[] {
  const problems: Problem[] = [];
  if (!row.question.trim()) problems.push({ code: 'EMPTY_TEXT', message: 'question is empty' });
  const n = row.choices.length;
  if (n < 2) problems.push({ code: 'BAD_CHOICES', message: `needs at least two choices; this row has ${n}` });
  if (n > CHOICE_LETTERS.length)
    problems.push({
      code: 'BAD_CHOICES',
      message: `at most ${CHOICE_LETTERS.length} choices (A–Z); this row has ${n}`,
    });
  const letter = (i: number) => CHOICE_LETTERS[i] ?? `#${i + 1}`;
  const trimmed = row.choices.map((c) => c.trim());
  const empty = trimmed.indexOf('');
  if (empty >= 0) problems.push({ code: 'BAD_CHOICES', message: `choice ${letter(empty)} is empty` });
  const first = new Map<string, number>();
  for (const [i, c] of trimmed.entries()) {
    const earlier = first.get(c);
    if (c && earlier !== undefined) {
      problems.push({
        code: 'BAD_CHOICES',
        message: `choices ${letter(earlier)} and ${letter(i)} are the same (${JSON.stringify(c)})`,
      });
      break;
    }
    first.set(c, i);
  }
  return problems;
}
