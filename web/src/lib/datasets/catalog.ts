import type { FileFormat, SchemaKind, TextEncoding, TextMode } from '$lib/graphql/generated/graphql';

/** What the reader can be told to use instead of what detection found (the API's enums). */
export const FILE_FORMATS: FileFormat[] = ['JSONL', 'JSON', 'CSV', 'TSV', 'PARQUET', 'TXT'];
export const TEXT_ENCODINGS: TextEncoding[] = ['UTF8', 'UTF16LE', 'UTF16BE', 'GB18030'];
export const TEXT_MODES: TextMode[] = ['LINES', 'DOCUMENT'];

/** Schema kinds as the API's mapping JSON names them (`alpaca`), in the order the picker shows. */
export const SCHEMA_KINDS = [
  'alpaca',
  'sharegpt',
  'openai',
  'prompt_completion',
  'text',
  'preference',
  'multiple_choice',
] as const;
export type SchemaKindName = (typeof SCHEMA_KINDS)[number];

/** Canonical fields of each kind; the required ones first. Mirrors the API's ingest/schema.ts. */
export const CANONICAL_FIELDS: Record<SchemaKindName, { required: string[]; optional: string[] }> = {
  alpaca: { required: ['instruction', 'output'], optional: ['input', 'system', 'history'] },
  sharegpt: { required: ['conversations'], optional: ['system', 'tools'] },
  openai: { required: ['messages'], optional: ['tools'] },
  prompt_completion: { required: ['prompt', 'completion'], optional: ['system'] },
  text: { required: ['text'], optional: [] },
  preference: { required: ['prompt', 'chosen', 'rejected'], optional: ['system'] },
  // The choices are a `choices` list or letter columns A, B, … (the API reads up to Z; the editor offers A–H).
  multiple_choice: {
    required: ['question', 'answer'],
    optional: ['choices', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'subject'],
  },
};

export function isSchemaKind(value: unknown): value is SchemaKindName {
  return typeof value === 'string' && (SCHEMA_KINDS as readonly string[]).includes(value);
}

/** `prompt_completion` → `PROMPT_COMPLETION`, the input enum. */
export const kindEnum = (kind: SchemaKindName): SchemaKind => kind.toUpperCase() as SchemaKind;

/** A mapping as the API's JSON gives it (`{kind, columns}`), or null when it is not one. */
export function readMapping(value: unknown): { kind: SchemaKindName; columns: Record<string, string> } | null {
  if (!value || typeof value !== 'object') return null;
  const { kind, columns } = value as { kind?: unknown; columns?: unknown };
  if (!isSchemaKind(kind)) return null;
  const result: Record<string, string> = {};
  if (columns && typeof columns === 'object') {
    for (const [field, column] of Object.entries(columns)) if (typeof column === 'string') result[field] = column;
  }
  return { kind, columns: result };
}

/**
 * A first guess of the columns for `kind`: each canonical field takes the source column of the same
 * name (any case), or keeps what it had. The API's detection knows more aliases; this only helps
 * when the reader switches kind by hand.
 */
export function guessColumns(
  kind: SchemaKindName,
  sourceColumns: string[],
  previous: Record<string, string> = {},
): Record<string, string> {
  const lower = new Map(sourceColumns.map((c) => [c.toLowerCase(), c]));
  const { required, optional } = CANONICAL_FIELDS[kind];
  const result: Record<string, string> = {};
  for (const field of [...required, ...optional]) {
    const column =
      lower.get(field.toLowerCase()) ?? (sourceColumns.includes(previous[field] ?? '') ? previous[field] : undefined);
    if (column) result[field] = column;
  }
  return result;
}

/**
 * Required fields of `kind` that `columns` leaves without a source column; multiple choice also
 * needs its choices: a `choices` column, or at least columns A and B.
 */
export function missingFields(kind: SchemaKindName, columns: Record<string, string>): string[] {
  const missing = CANONICAL_FIELDS[kind].required.filter((field) => !columns[field]);
  if (kind === 'multiple_choice' && !columns.choices && !(columns.A && columns.B)) missing.push('choices');
  return missing;
}

/** The API's stored encoding name (`utf-8`, `gb18030`) → the enum name used for labels (`UTF8`). */
export const encodingKey = (name: string): string => name.replace(/-/g, '').toUpperCase();
