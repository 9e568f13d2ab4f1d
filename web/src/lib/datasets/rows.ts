/**
 * The API's normalised rows: chat `{messages}`, plain `{text}`, preference `{prompt, chosen, rejected}`
 * or multiple choice `{question, choices, answer (0-based), subject?}`.
 */
export interface ChatMessage {
  role: string;
  content: string;
  reasoning_content?: string;
  tool_calls?: unknown[];
  tool_call_id?: string;
  name?: string;
}

export type RowShape =
  | { kind: 'chat'; messages: ChatMessage[]; tools?: unknown[] }
  | { kind: 'text'; text: string }
  | { kind: 'preference'; prompt: ChatMessage[]; chosen: ChatMessage[]; rejected: ChatMessage[] }
  | { kind: 'choice'; question: string; choices: string[]; answer: number; subject: string | null }
  | { kind: 'other'; data: Record<string, unknown> };

/** Choice letters, as the evaluator names the choices in its prompt. */
export const CHOICE_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function messages(value: unknown): ChatMessage[] | null {
  if (!Array.isArray(value)) return null;
  return value.map((m) => {
    const item = (m ?? {}) as Record<string, unknown>;
    return {
      ...item,
      role: typeof item.role === 'string' ? item.role : '?',
      content: typeof item.content === 'string' ? item.content : JSON.stringify(item.content ?? ''),
    } as ChatMessage;
  });
}

/** Reads a row defensively: anything unexpected is shown as JSON rather than breaking the page. */
export function rowShape(data: Record<string, unknown>): RowShape {
  const chat = messages(data.messages);
  if (chat) return { kind: 'chat', messages: chat, tools: Array.isArray(data.tools) ? data.tools : undefined };
  if (typeof data.text === 'string') return { kind: 'text', text: data.text };
  const prompt = messages(data.prompt);
  const chosen = messages(data.chosen);
  const rejected = messages(data.rejected);
  if (prompt && chosen && rejected) return { kind: 'preference', prompt, chosen, rejected };
  const { question, choices, answer, subject } = data;
  if (typeof question === 'string' && Array.isArray(choices) && typeof answer === 'number')
    return {
      kind: 'choice',
      question,
      choices: choices.map((c) => (typeof c === 'string' ? c : JSON.stringify(c))),
      answer,
      subject: typeof subject === 'string' ? subject : null,
    };
  return { kind: 'other', data };
}

/** What a new row looks like in the editor, in the version's row form. */
export function emptyRow(schemaKind: string | null | undefined): Record<string, unknown> {
  const kind = schemaKind?.toLowerCase();
  if (kind === 'text') return { text: '' };
  if (kind === 'multiple_choice') return { question: '', choices: ['', '', '', ''], answer: 0 };
  if (kind === 'preference') {
    return {
      prompt: [{ role: 'user', content: '' }],
      chosen: [{ role: 'assistant', content: '' }],
      rejected: [{ role: 'assistant', content: '' }],
    };
  }
  return {
    messages: [
      { role: 'user', content: '' },
      { role: 'assistant', content: '' },
    ],
  };
}

export type SplitName = 'train' | 'validation' | 'test';

/** Reads `splits` JSON ({train, validation, test} counts), or null. */
export function readSplits(value: unknown): Record<SplitName, number> | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  const n = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
  return { train: n(v.train), validation: n(v.validation), test: n(v.test) };
}

/** Rows are stored train, then validation, then test: the split of row `index`. */
export function splitOf(index: number, splits: Record<SplitName, number> | null): SplitName | null {
  if (!splits) return null;
  if (index < splits.train) return 'train';
  if (index < splits.train + splits.validation) return 'validation';
  return 'test';
}

/** A source value in a table cell: strings as they are, the rest as JSON, both shortened. */
export function cellText(value: unknown, max = 200): string {
  const text = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** A change to save as a new version: a row to update or delete (by index), or a new row to add. */
export interface RowEdit {
  op: 'UPDATE' | 'DELETE' | 'ADD';
  index: number | null;
  row: Record<string, unknown> | null;
}
