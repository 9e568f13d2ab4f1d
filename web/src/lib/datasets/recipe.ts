/** How a version was made, read from its `recipe` JSON for display. */
export type RecipeSummary =
  | { kind: 'upload'; filename: string; excludeInvalidRows: boolean }
  | { kind: 'pipeline'; steps: { op: string; rows: number | null }[] }
  | { kind: 'edits'; updated: number; deleted: number; added: number }
  | { kind: 'unknown' };

const record = (value: unknown): Record<string, unknown> =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const count = (value: unknown) => (typeof value === 'number' ? value : 0);

export function describeRecipe(recipe: unknown): RecipeSummary {
  const r = record(recipe);
  if (Array.isArray(r.pipeline)) {
    const rows = Array.isArray(r.stepRows) ? r.stepRows.map(record) : [];
    return {
      kind: 'pipeline',
      steps: r.pipeline.map((step, i) => ({
        op: String(record(step).op ?? '?'),
        rows: typeof rows[i]?.rows === 'number' ? (rows[i].rows as number) : null,
      })),
    };
  }
  if (r.edits) {
    const e = record(r.edits);
    return { kind: 'edits', updated: count(e.updated), deleted: count(e.deleted), added: count(e.added) };
  }
  if (r.source) {
    const s = record(r.source);
    return {
      kind: 'upload',
      filename: typeof s.filename === 'string' ? s.filename : '',
      excludeInvalidRows: r.excludeInvalidRows === true,
    };
  }
  return { kind: 'unknown' };
}
