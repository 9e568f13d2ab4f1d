import { Template } from '@huggingface/jinja';
import { badInput } from '../../errors.js';
import { CATALOG, findModel } from '../base-model/catalog.js';
import { chatTemplate, type ChatTemplate } from '../base-model/chat-templates.js';
import type { Message, NormalizedRow } from './ingest/schema.js';
import { tokenizer } from './tokenizers.js';

export interface RenderResult {
  text: string;
  tokens: { id: number; text: string; trained: boolean }[];
  totalTokens: number;
  trainedTokens: number;
  truncatedAt: number | null;
  warnings: string[];
  template: string;
}

/** The longest UTF-8 sequence is 4 bytes, so a character spans at most 4 byte-level tokens. */
const MAX_TOKENS_PER_CHARACTER = 4;

/**
 * Each token's share of the text, such that the shares join into the decoded whole. Byte-level BPE
 * splits a character's UTF-8 bytes across tokens, and a token decoded alone is then "�"; the first
 * token of such a run carries the whole character(s) and the rest carry "".
 */
export function tokenTexts(ids: number[], decode: (ids: number[]) => string): string[] {
  const texts: string[] = [];
  let i = 0;
  while (i < ids.length) {
    let end = i + 1;
    let text = decode(ids.slice(i, end));
    // Twice the longest sequence: a run that never decodes cleanly (a literal "�") still ends.
    while (text.includes('\uFFFD') && end < ids.length && end - i < MAX_TOKENS_PER_CHARACTER * 2) {
      end++;
      text = decode(ids.slice(i, end));
    }
    texts.push(text, ...Array<string>(end - i - 1).fill(''));
    i = end;
  }
  return texts;
}

const compiled = new Map<string, Template>();
function render(template: ChatTemplate, messages: Message[], addGenerationPrompt: boolean): string {
  let t = compiled.get(template.name);
  if (!t) {
    t = new Template(template.source);
    compiled.set(template.name, t);
  }
  return t.render({
    messages,
    add_generation_prompt: addGenerationPrompt,
    bos_token: template.bos,
    eos_token: template.eos,
  });
}

/**
 * Character spans of `text` that are trained on: each assistant turn from after its header through
 * the end-of-turn marker. Found by rendering the conversation up to each assistant turn with a
 * generation prompt, which is a prefix of the full rendering for these templates.
 */
function assistantSpans(
  template: ChatTemplate,
  messages: Message[],
  text: string,
  warnings: string[],
): [number, number][] {
  const spans: [number, number][] = [];
  messages.forEach((m, i) => {
    if (m.role !== 'assistant') return;
    const prefix = render(template, messages.slice(0, i), true);
    if (!text.startsWith(prefix)) {
      warnings.push(`assistant turn ${i} is rendered differently in context; its loss mask is approximate`);
    }
    const start = text.startsWith(prefix) ? prefix.length : Math.max(0, text.indexOf(m.content));
    const end = text.indexOf(template.endOfTurn, start);
    spans.push([start, end < 0 ? text.length : end + template.endOfTurn.length]);
  });
  return spans;
}

function conversation(row: NormalizedRow): Message[] | null {
  if ('messages' in row) return row.messages;
  if ('prompt' in row) return [...row.prompt, ...row.chosen];
  return null;
}

/**
 * A row as the trainer will see it for `modelId`: chat template applied, tokens with the
 * assistant-only loss mask, where `maxLength` cuts, and the traps worth a warning.
 */
export function renderRow(row: NormalizedRow, modelId: string, maxLength: number): RenderResult {
  const model = findModel(modelId);
  if (!model) throw badInput('baseModelId', `unknown model; one of ${CATALOG.map((m) => m.id).join(', ')}`);
  if (!Number.isInteger(maxLength) || maxLength < 16 || maxLength > model.contextLength) {
    throw badInput('maxLength', `must be 16 to ${model.contextLength} (the model's context length)`);
  }
  if ('choices' in row)
    throw badInput('index', 'this is a multiple-choice question: it is scored by an evaluation, not trained on');
  const template = chatTemplate(model);
  const tok = tokenizer(model.tokenizer);
  const warnings: string[] = [];
  const messages = conversation(row);
  let segments: { text: string; trained: boolean }[];
  let text: string;
  if (messages) {
    text = render(template, messages, false);
    const spans = assistantSpans(template, messages, text, warnings);
    segments = [];
    let at = 0;
    for (const [s, e] of spans) {
      if (s > at) segments.push({ text: text.slice(at, s), trained: false });
      segments.push({ text: text.slice(s, e), trained: true });
      at = e;
    }
    if (at < text.length) segments.push({ text: text.slice(at), trained: false });
    for (const m of messages) {
      if (m.role === 'system' && m.content.trim() && !text.includes(m.content))
        warnings.push('the system prompt is dropped by this template');
    }
    if (model.template === 'qwen3' && /<think>\s*<\/think>/.test(text)) {
      warnings.push(
        'empty <think></think> block: the model learns to answer without reasoning (use thinking: strip_empty, or add reasoning_content)',
      );
    }
    const last = spans.at(-1);
    if (last && !text.slice(last[0], last[1]).endsWith(template.endOfTurn))
      warnings.push(`the answer does not end with ${template.endOfTurn}; the model may not learn to stop`);
  } else {
    text = (row as { text: string }).text;
    segments = [{ text, trained: true }];
    if (!text.endsWith(template.eos))
      warnings.push(`plain text rows get ${template.eos} appended by the trainer so documents end`);
  }
  const tokens = segments.flatMap((seg) =>
    tok.encode(seg.text, { add_special_tokens: false }).map((id) => ({ id, trained: seg.trained })),
  );
  const trainedTokens = tokens.filter((t) => t.trained).length;
  if (!trainedTokens) warnings.push('no token of this row is trained on');
  let truncatedAt: number | null = null;
  if (tokens.length > maxLength) {
    truncatedAt = maxLength;
    const cutTrained = tokens.slice(maxLength).some((t) => t.trained);
    warnings.push(
      cutTrained
        ? `maxLength ${maxLength} cuts ${tokens.length - maxLength} tokens, including trained answer tokens`
        : `maxLength ${maxLength} cuts ${tokens.length - maxLength} tokens`,
    );
  }
  const kept = tokens.slice(0, maxLength);
  const texts = tokenTexts(
    kept.map((t) => t.id),
    (ids) => tok.decode(ids),
  );
  const shown = kept.map((t, i) => ({ ...t, text: texts[i] }));
  return {
    text,
    tokens: shown,
    totalTokens: tokens.length,
    trainedTokens,
    truncatedAt,
    warnings,
    template: template.name,
  };
}
