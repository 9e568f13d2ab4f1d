import { checkChoices } from './choices.js';
import type { Message, NormalizedRow } from './schema.js';

/** Every problem code a validation report can count. */
export const PROBLEM_CODES = [
  'PARSE_ERROR',
  'MISSING_FIELD',
  'NON_STRING_CONTENT',
  'UNEXPECTED_TYPE',
  'BAD_ROLE',
  'EMPTY_ASSISTANT',
  'BAD_ROLE_ORDER',
  'EMPTY_TEXT',
  'TOO_LONG',
  'DUPLICATE',
  'BAD_ANSWER',
  'BAD_CHOICES',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

export interface Problem {
  code: ProblemCode;
  message: string;
}

const chars = (messages: Message[]) =>
  messages.reduce((n, m) => n + m.content.length + (m.reasoning_content?.length ?? 0), 0);

export function rowChars(row: NormalizedRow): number {
  if ('text' in row) return row.text.length;
  if ('messages' in row) return chars(row.messages);
  if ('choices' in row) return row.question.length + row.choices.reduce((n, c) => n + c.length, 0);
  return chars(row.prompt) + chars(row.chosen) + chars(row.rejected);
}

/** Conversation shape: optional system first, then user/assistant alternating, tools after tool calls, ending on the assistant. */
function checkTurns(messages: Message[], where: string, mustEndWithAssistant: boolean): Problem[] {
  const problems: Problem[] = [];
  let previous = 'start' as Message['role'] | 'start';
  messages.forEach((m, i) => {
    const ok =
      (m.role === 'system' && i === 0) ||
      (m.role === 'user' &&
        (previous === 'start' || previous === 'system' || previous === 'assistant' || previous === 'tool')) ||
      (m.role === 'assistant' && (previous === 'user' || previous === 'tool')) ||
      (m.role === 'tool' && (previous === 'assistant' || previous === 'tool'));
    if (!ok && problems.length === 0) {
      problems.push({
        code: 'BAD_ROLE_ORDER',
        message: `${where}[${i}] is ${m.role} after ${previous === 'start' ? 'the start' : previous}`,
      });
    }
    if (m.role === 'assistant' && !m.content.trim() && !m.tool_calls?.length) {
      problems.push({ code: 'EMPTY_ASSISTANT', message: `${where}[${i}] is an empty assistant turn` });
    }
    previous = m.role;
  });
  if (mustEndWithAssistant && previous !== 'assistant') {
    problems.push({ code: 'BAD_ROLE_ORDER', message: `${where} does not end with an assistant turn` });
  }
  return problems;
}

/** Checks one normalised row. Duplicates are found by the caller, which sees every row. */
export function validateRow(row: NormalizedRow, maxChars: number): Problem[] {
  const problems: Problem[] = [];
  if ('text' in row) {
    if (!row.text.trim()) problems.push({ code: 'EMPTY_TEXT', message: 'text is empty' });
  } else if ('messages' in row) {
    problems.push(...checkTurns(row.messages, 'messages', true));
  } else if ('choices' in row) {
    problems.push(...checkChoices(row));
  } else {
    problems.push(...checkTurns(row.prompt, 'prompt', false));
    for (const side of ['chosen', 'rejected'] as const) {
      if (!row[side].some((m) => m.role === 'assistant' && m.content.trim())) {
        problems.push({ code: 'EMPTY_ASSISTANT', message: `${side} has no assistant answer` });
      }
    }
  }
  const length = rowChars(row);
  if (length > maxChars)
    problems.push({ code: 'TOO_LONG', message: `row has ${length} characters; the limit is ${maxChars}` });
  return problems;
}
