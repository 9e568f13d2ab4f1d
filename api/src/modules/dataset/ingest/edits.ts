import { AppError, badInput } from '../../../errors.js';
import type { RowStore } from '../../../storage/row-store.js';
import { normalize, RowError, type Mapping, type NormalizedRow } from './schema.js';

export interface RowEdit {
  op: 'UPDATE' | 'DELETE' | 'ADD';
  index?: number | null;
  row?: Record<string, unknown> | null;
}

const SHAPES: Mapping[] = [
  { kind: 'openai', columns: { messages: 'messages', tools: 'tools' } },
  { kind: 'preference', columns: { prompt: 'prompt', chosen: 'chosen', rejected: 'rejected' } },
  { kind: 'text', columns: { text: 'text' } },
  {
    kind: 'multiple_choice',
    columns: { question: 'question', choices: 'choices', answer: 'answer', subject: 'subject' },
  },
];

/** Checks an edited row is in the normalised form; returns it canonicalised. */
function canonical(row: Record<string, unknown> | null | undefined, field: string): NormalizedRow {
  if (!row) throw badInput(field, 'give the row');
  const shape = SHAPES.find((s) => Object.values(s.columns).some((c) => c in row && c !== 'tools' && c !== 'subject'));
  if (!shape)
    throw badInput(field, 'must be {messages}, {text}, {prompt, chosen, rejected} or {question, choices, answer}');
  try {
    return normalize(row, shape);
  } catch (e) {
    if (e instanceof RowError) throw badInput(field, e.message);
    throw e;
  }
}

/** Validates edits against a version of `rowCount` rows and groups them for one streaming pass. */
export function planEdits(edits: RowEdit[], rowCount: number) {
  if (!edits.length) throw badInput('input.edits', 'give at least one edit');
  if (edits.length > 10_000) throw badInput('input.edits', 'at most 10000 edits at once');
  const updates = new Map<number, NormalizedRow>();
  const deletes = new Set<number>();
  const adds: NormalizedRow[] = [];
  edits.forEach((edit, i) => {
    const field = `input.edits.${i}`;
    if (edit.op === 'ADD') {
      adds.push(canonical(edit.row, `${field}.row`));
      return;
    }
    const index = edit.index;
    if (index == null || !Number.isInteger(index) || index < 0 || index >= rowCount) {
      throw badInput(`${field}.index`, `must be a row index from 0 to ${rowCount - 1}`);
    }
    if (updates.has(index) || deletes.has(index)) throw badInput(`${field}.index`, `row ${index} is edited twice`);
    if (edit.op === 'DELETE') deletes.add(index);
    else updates.set(index, canonical(edit.row, `${field}.row`));
  });
  return { updates, deletes, adds };
}

/** Writes the edited copy of a row set (copy-on-write: the source is untouched). */
export async function applyEdits(store: RowStore, sourceHash: string, plan: ReturnType<typeof planEdits>) {
  const writer = await store.writer();
  try {
    for await (const { index, line } of store.scan(sourceHash)) {
      if (plan.deletes.has(index)) continue;
      await writer.push(plan.updates.get(index) ?? JSON.parse(line));
    }
    for (const row of plan.adds) await writer.push(row);
  } catch (error) {
    await writer.abort();
    throw error;
  }
  const result = await writer.commit();
  if (result.hash === sourceHash)
    throw new AppError('CONFLICT', 'These edits leave the rows exactly as they are; nothing to save');
  return result;
}
