import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printAppSchema, schemaFile } from './schema.js';

describe('schema/schema.graphql', () => {
  it('matches the schema the code builds (run `npm run schema:emit` and commit)', async () => {
    expect(readFileSync(schemaFile, 'utf8')).toBe(await printAppSchema());
  });
});
