import { answerIndex, CHOICE_LETTERS, choiceList, type ChoiceRow } from './choices.js';
import { RowError } from './row-error.js';

export { CHOICE_LETTERS, RowError, type ChoiceRow };
export type { RowProblem } from './row-error.js';

/**
 * Dataset schemas we recognise, and their normalisation to the platform's one row form:
 * chat `{messages, tools?}`, plain text `{text}`, preference `{prompt, chosen, rejected}`, or
 * multiple choice `{question, choices, answer, subject?}`. The trainer and the evaluator read
 * exactly these shapes.
 */
export const SCHEMA_KINDS = [
  'alpaca',
  'sharegpt',
  'openai',
  'prompt_completion',
  'text',
  'preference',
  'multiple_choice',
] as const;
export type SchemaKind = (typeof SCHEMA_KINDS)[number];

export type Role = 'system' | 'user' | 'assistant' | 'tool';
export interface Message {
  role: Role;
  content: string;
  reasoning_content?: string;
  tool_calls?: unknown[];
  tool_call_id?: string;
  name?: string;
}
export type NormalizedRow =
  | { messages: Message[]; tools?: unknown[] }
  | { text: string }
  | { prompt: Message[]; chosen: Message[]; rejected: Message[] }
  | ChoiceRow;

/** Which source column feeds each canonical field of a schema kind. */
export interface Mapping {
  kind: SchemaKind;
  columns: Record<string, string>;
}

/** Canonical fields per kind: required first, then optional, each with accepted source-column aliases. */
const FIELDS: Record<SchemaKind, { required: Record<string, string[]>; optional: Record<string, string[]> }> = {
  openai: { required: { messages: ['messages'] }, optional: { tools: ['tools'] } },
  sharegpt: {
    required: { conversations: ['conversations', 'conversation'] },
    optional: { system: ['system'], tools: ['tools'] },
  },
  preference: {
    required: { prompt: ['prompt', 'question', 'instruction'], chosen: ['chosen'], rejected: ['rejected'] },
    optional: { system: ['system'] },
  },
  alpaca: {
    required: { instruction: ['instruction'], output: ['output'] },
    optional: { input: ['input'], system: ['system'], history: ['history'] },
  },
  prompt_completion: {
    required: { prompt: ['prompt', 'query', 'question'], completion: ['completion', 'response', 'answer'] },
    optional: { system: ['system'] },
  },
  text: { required: { text: ['text', 'content', 'document'] }, optional: {} },
  // The choices are a `choices` list or letter columns A, B, … (CMMLU's headers are capitalised).
  multiple_choice: {
    required: { question: ['question', '问题', '题目'], answer: ['answer', '答案'] },
    optional: {
      choices: ['choices', 'options', '选项'],
      subject: ['subject', '科目', '学科'],
      ...Object.fromEntries([...CHOICE_LETTERS].map((l) => [l, [l.toLowerCase()]])),
    },
  },
};

/**
 * Detection order matters: preference rows also have `prompt`, chat rows may also have `text`,
 * multiple-choice rows also have `question` and `answer` (prompt/completion without the choices).
 */
const DETECTION_ORDER: SchemaKind[] = [
  'openai',
  'sharegpt',
  'preference',
  'alpaca',
  'multiple_choice',
  'prompt_completion',
  'text',
];

/** Source columns that must hold a value in every row of `kind`, beyond its required fields. */
function extraRequired(kind: SchemaKind, mapped: Record<string, string>): string[] | null {
  if (kind !== 'multiple_choice') return [];
  if (mapped.choices) return [mapped.choices];
  return mapped.A && mapped.B ? [mapped.A, mapped.B] : null;
}

export interface Detection {
  mapping: Mapping | null;
  /** Share of sampled records that have every required column of the detected kind. */
  confidence: number;
  columns: string[];
}

function findColumn(keys: string[], aliases: string[]): string | undefined {
  const lower = new Map(keys.map((k) => [k.toLowerCase(), k]));
  for (const alias of aliases) if (lower.has(alias)) return lower.get(alias);
  return undefined;
}

/** Picks the schema kind that the sampled records fit best, with a column mapping. */
export function detectSchema(sample: Record<string, unknown>[]): Detection {
  const columns = [...new Set(sample.flatMap((r) => Object.keys(r)))];
  for (const kind of DETECTION_ORDER) {
    const { required, optional } = FIELDS[kind];
    const mapped: Record<string, string> = {};
    let complete = true;
    for (const [field, aliases] of Object.entries(required)) {
      const col = findColumn(columns, aliases);
      if (!col) complete = false;
      else mapped[field] = col;
    }
    if (!complete) continue;
    for (const [field, aliases] of Object.entries(optional)) {
      const col = findColumn(columns, aliases);
      if (col) mapped[field] = col;
    }
    // A choices list wins over letter columns; letters count only from A, without a gap.
    if (kind === 'multiple_choice') {
      const gap = [...CHOICE_LETTERS].findIndex((l) => !mapped[l]);
      for (const l of CHOICE_LETTERS.slice(mapped.choices ? 0 : gap === -1 ? 26 : gap)) delete mapped[l];
    }
    const extra = extraRequired(kind, mapped);
    if (!extra) continue;
    const requiredColumns = [...Object.keys(required).map((field) => mapped[field]), ...extra];
    const fits = sample.filter((r) => requiredColumns.every((col) => r[col] !== undefined && r[col] !== null)).length;
    return { mapping: { kind, columns: mapped }, confidence: sample.length ? fits / sample.length : 0, columns };
  }
  return { mapping: null, confidence: 0, columns };
}

const SHAREGPT_ROLES: Record<string, Role> = {
  human: 'user',
  user: 'user',
  gpt: 'assistant',
  assistant: 'assistant',
  chatgpt: 'assistant',
  bing: 'assistant',
  bard: 'assistant',
  system: 'system',
  function_call: 'assistant',
  observation: 'tool',
  tool: 'tool',
  function: 'tool',
};
const ROLES = new Set<Role>(['system', 'user', 'assistant', 'tool']);

function text(
  record: Record<string, unknown>,
  column: string | undefined,
  field: string,
  required: boolean,
): string | undefined {
  if (!column || record[column] === undefined || record[column] === null) {
    if (required)
      throw new RowError({
        code: 'MISSING_FIELD',
        message: `missing ${field}${column ? ` (column "${column}")` : ''}`,
      });
    return undefined;
  }
  const value = record[column];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') {
    throw new RowError({ code: 'NON_STRING_CONTENT', message: `${field} is a ${typeof value}, not text` });
  }
  throw new RowError({
    code: 'UNEXPECTED_TYPE',
    message: `${field} is ${Array.isArray(value) ? 'a list' : typeof value}, not text`,
  });
}

function message(
  raw: unknown,
  where: string,
  roleKey = 'role',
  contentKey = 'content',
  roleMap?: Record<string, Role>,
): Message {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new RowError({ code: 'UNEXPECTED_TYPE', message: `${where} is not an object` });
  }
  const m = raw as Record<string, unknown>;
  const rawRole = typeof m[roleKey] === 'string' ? (m[roleKey] as string).toLowerCase() : undefined;
  const role = roleMap ? (rawRole ? roleMap[rawRole] : undefined) : (rawRole as Role | undefined);
  if (!role || !ROLES.has(role))
    throw new RowError({ code: 'BAD_ROLE', message: `${where} has role ${JSON.stringify(m[roleKey])}` });
  const content = m[contentKey] ?? (m.tool_calls ? '' : undefined);
  if (content === undefined || content === null)
    throw new RowError({ code: 'MISSING_FIELD', message: `${where} has no ${contentKey}` });
  if (typeof content !== 'string') {
    throw new RowError({
      code: 'NON_STRING_CONTENT',
      message: `${where}.${contentKey} is ${Array.isArray(content) ? 'a list' : typeof content}, not text`,
    });
  }
  const out: Message = { role, content };
  if (typeof m.reasoning_content === 'string') out.reasoning_content = m.reasoning_content;
  if (Array.isArray(m.tool_calls)) out.tool_calls = m.tool_calls;
  if (typeof m.tool_call_id === 'string') out.tool_call_id = m.tool_call_id;
  if (typeof m.name === 'string') out.name = m.name;
  return out;
}

function messageList(
  value: unknown,
  field: string,
  roleKey?: string,
  contentKey?: string,
  roleMap?: Record<string, Role>,
): Message[] {
  let list = value;
  if (typeof list === 'string') {
    try {
      list = JSON.parse(list); // CSV and Parquet often carry conversations as JSON text
    } catch {
      throw new RowError({ code: 'UNEXPECTED_TYPE', message: `${field} is text, not a list of messages` });
    }
  }
  if (!Array.isArray(list))
    throw new RowError({ code: 'UNEXPECTED_TYPE', message: `${field} is not a list of messages` });
  return list.map((m, i) => message(m, `${field}[${i}]`, roleKey, contentKey, roleMap));
}

function withSystem(messages: Message[], system: string | undefined): Message[] {
  return system && messages[0]?.role !== 'system' ? [{ role: 'system', content: system }, ...messages] : messages;
}

/** A preference side: plain text (one assistant turn) or a list of messages. */
function side(value: unknown, field: string, role: Role): Message[] {
  if (typeof value === 'string') return [{ role, content: value }];
  if (value === undefined || value === null) throw new RowError({ code: 'MISSING_FIELD', message: `missing ${field}` });
  return messageList(value, field);
}

/** Turns one source record into the normalised row form; throws RowError naming the problem. */
export function normalize(record: Record<string, unknown>, mapping: Mapping): NormalizedRow {
  const c = mapping.columns;
  switch (mapping.kind) {
    case 'openai': {
      const messages = messageList(record[c.messages], 'messages');
      const tools = c.tools && Array.isArray(record[c.tools]) ? (record[c.tools] as unknown[]) : undefined;
      return tools ? { messages, tools } : { messages };
    }
    case 'sharegpt': {
      const messages = withSystem(
        messageList(record[c.conversations], 'conversations', 'from', 'value', SHAREGPT_ROLES),
        text(record, c.system, 'system', false),
      );
      const tools = c.tools && Array.isArray(record[c.tools]) ? (record[c.tools] as unknown[]) : undefined;
      return tools ? { messages, tools } : { messages };
    }
    case 'alpaca': {
      const instruction = text(record, c.instruction, 'instruction', true)!;
      const input = text(record, c.input, 'input', false);
      const history: Message[] = [];
      const rawHistory = c.history ? record[c.history] : undefined;
      if (Array.isArray(rawHistory)) {
        for (const pair of rawHistory) {
          if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
            throw new RowError({
              code: 'UNEXPECTED_TYPE',
              message: 'history must be a list of [user, assistant] text pairs',
            });
          }
          history.push({ role: 'user', content: pair[0] }, { role: 'assistant', content: pair[1] });
        }
      }
      const user = input ? `${instruction}\n\n${input}` : instruction;
      const messages: Message[] = [
        ...history,
        { role: 'user', content: user },
        { role: 'assistant', content: text(record, c.output, 'output', true)! },
      ];
      return { messages: withSystem(messages, text(record, c.system, 'system', false)) };
    }
    case 'prompt_completion': {
      const messages: Message[] = [
        { role: 'user', content: text(record, c.prompt, 'prompt', true)! },
        { role: 'assistant', content: text(record, c.completion, 'completion', true)! },
      ];
      return { messages: withSystem(messages, text(record, c.system, 'system', false)) };
    }
    case 'text':
      return { text: text(record, c.text, 'text', true)! };
    case 'multiple_choice': {
      const question = text(record, c.question, 'question', true)!;
      const choices = choiceList(record, c);
      const answer = answerIndex(c.answer ? record[c.answer] : undefined, choices, c.answer ?? 'answer');
      const subject = text(record, c.subject, 'subject', false)?.trim();
      return subject ? { question, choices, answer, subject } : { question, choices, answer };
    }
    case 'preference': {
      const prompt = withSystem(side(record[c.prompt], 'prompt', 'user'), text(record, c.system, 'system', false));
      return {
        prompt,
        chosen: side(record[c.chosen], 'chosen', 'assistant'),
        rejected: side(record[c.rejected], 'rejected', 'assistant'),
      };
    }
  }
}
