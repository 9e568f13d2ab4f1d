import { describe, expect, it } from 'vitest';
import { describeRecipe } from './recipe';

describe('describeRecipe', () => {
  it('reads an upload', () => {
    expect(
      describeRecipe({ source: { filename: 'qa.csv', uploadId: 'u' }, read: {}, excludeInvalidRows: true }),
    ).toEqual({ kind: 'upload', filename: 'qa.csv', excludeInvalidRows: true });
  });

  it('reads pipeline steps with the rows left after each', () => {
    expect(
      describeRecipe({
        from: 'v1',
        pipeline: [{ op: 'DEDUPE_EXACT' }, { op: 'SPLIT', seed: 1, ratios: [0.8, 0.1, 0.1] }],
        stepRows: [
          { op: 'DEDUPE_EXACT', rows: 9 },
          { op: 'SPLIT', rows: 9 },
        ],
      }),
    ).toEqual({
      kind: 'pipeline',
      steps: [
        { op: 'DEDUPE_EXACT', rows: 9 },
        { op: 'SPLIT', rows: 9 },
      ],
    });
  });

  it('reads edits and gives up on anything else', () => {
    expect(describeRecipe({ from: 'v1', edits: { updated: 1, deleted: 2, added: 0 } })).toEqual({
      kind: 'edits',
      updated: 1,
      deleted: 2,
      added: 0,
    });
    expect(describeRecipe(null)).toEqual({ kind: 'unknown' });
  });
});
