import { describe, expect, it } from 'vitest';
import { filenameFrom } from './content-disposition';

describe('filenameFrom', () => {
  it('reads the UTF-8 file name the API sends, and the plain form', () => {
    expect(filenameFrom("attachment; filename*=UTF-8''%E5%AE%A2%E6%9C%8D-v2.jsonl")).toBe('客服-v2.jsonl');
    expect(filenameFrom('attachment; filename="data.parquet"')).toBe('data.parquet');
    expect(filenameFrom(null)).toBeNull();
  });
});
