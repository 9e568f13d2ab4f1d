import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, parse, validate, Kind, type OperationDefinitionNode } from 'graphql';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { repoRoot } from '../config.js';
import { loginAdmin } from '../../test/factories.js';
import { startTestApp, type TestApp } from '../../test/test-app.js';
import { costLimitRule, documentCost } from './cost.js';

const DEFAULT_MAX_COST = 10_000;
const rowsBomb = (aliases: number, limit: number) =>
  `query Bomb($v: ID!) { ${Array.from(
    { length: aliases },
    (_, i) => `a${i}: datasetVersion(id: $v) { rows(limit: ${limit}) { total rows { index data } } }`,
  ).join(' ')} }`;

let app: TestApp;
let token: string;
/** Version look-ups the API made (SQL statements reading dataset_versions). */
let versionQueries = 0;
beforeAll(async () => {
  app = await startTestApp({ GRAPHQL_MAX_RESPONSE_BYTES: '4096', GRAPHQL_INTROSPECTION: 'true' }, (sql) => {
    if (/from "dataset_versions"/.test(sql)) versionQueries++;
  });
  token = (await loginAdmin(app)).token;
});
afterAll(() => app.close());

const post = (body: unknown) =>
  fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });

describe('query cost weighs list sizes', () => {
  it('refuses the rows-alias bomb (15 aliases × rows(limit: 500) × 10 batched operations) before running any of it', async () => {
    const v = crypto.randomUUID();
    const op = { query: rowsBomb(15, 500), variables: { v } };
    const before = versionQueries;
    const res = await post(Array.from({ length: 10 }, () => op));
    const body = (await res.json()) as { errors?: { message: string; extensions: Record<string, unknown> }[] };
    expect(res.status).toBe(400);
    expect(body.errors?.[0].message).toMatch(/cost \d+ exceeds the limit of 10000/);
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', maxCost: 10_000 });
    expect(versionQueries - before).toBe(0); // no resolver looked the version up
  });

  it('counts a batch as one request: operations cheap one by one are refused together', async () => {
    const v = crypto.randomUUID();
    const op = { query: rowsBomb(1, 500), variables: { v } }; // 6502 each (JSON rows weigh 10)
    const one = await post(op);
    expect(one.status).toBe(200); // runs (the version does not exist)
    const before = versionQueries;
    const two = await post([op, op]);
    expect(two.status).toBe(400);
    expect(((await two.json()) as { errors: { message: string }[] }).errors[0].message).toMatch(
      /Batch of 2 operations: total cost 13004 exceeds the limit of 10000/,
    );
    expect(versionQueries - before).toBe(0);
  });

  it('weighs a list size given by a variable at its value', async () => {
    const query = `query($v: ID!, $n: Int!) { ${Array.from({ length: 5 }, (_, i) => `a${i}: datasetVersion(id: $v) { rows(limit: $n) { rows { data } } }`).join(' ')} }`;
    const executed = versionQueries;
    const small = await post({ query, variables: { v: crypto.randomUUID(), n: 10 } });
    expect(small.status).toBe(200);
    // Each alias looks the version up; the first NOT_FOUND answers before the others finish.
    await expect.poll(() => versionQueries - executed).toBe(5);
    const before = versionQueries;
    const large = await post({ query, variables: { v: crypto.randomUUID(), n: 500 } });
    expect(large.status).toBe(400);
    expect(versionQueries - before).toBe(0);
  });

  it('refuses the bomb over WebSocket too (the shared validation rules)', async () => {
    const client = createClient({
      url: `${app.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
    });
    const before = versionQueries;
    const errors = await new Promise<unknown>((resolve) => {
      client.subscribe(
        { query: rowsBomb(15, 500), variables: { v: crypto.randomUUID() } },
        { next: (r) => resolve(r.errors), error: resolve, complete: () => resolve(null) },
      );
    }).finally(() => client.dispose());
    expect(JSON.stringify(errors)).toMatch(/cost \d+ exceeds the limit of 10000/);
    expect(versionQueries - before).toBe(0);
  });

  it('weighs metric points lighter than rows: the largest metrics page the API serves passes', async () => {
    const query = `query($id: ID!) { run(id: $id) { metrics(keys: ["loss"], maxPoints: 10000) { bucketSteps lastStep points { step last } } } }`;
    expect(documentCost(schema, parse(query))).toBeLessThanOrEqual(DEFAULT_MAX_COST);
  });

  it('replaces a response over GRAPHQL_MAX_RESPONSE_BYTES by an error', async () => {
    const res = await post({ query: '{ __schema { types { name description fields { name description } } } }' });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
    expect(body.errors[0].message).toMatch(/The response is \d+ bytes, over the limit of 4096/);
    expect(body.errors[0].extensions.code).toBe('RESPONSE_TOO_LARGE');
    expect((await post({ query: '{ me { id } }' })).status).toBe(200);
  });
});

const schema = buildSchema(readFileSync(join(repoRoot, 'schema/schema.graphql'), 'utf8'));

describe("the web app's own operations", () => {
  const dir = join(repoRoot, 'web/src/lib/graphql/operations');
  const document = parse(
    readdirSync(dir)
      .filter((f) => f.endsWith('.graphql'))
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n'),
  );
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  // The largest sizes the web asks for (page of 100, 100 preview rows, 1000 metric points).
  const webSizes = { first: 100, limit: 100, maxPoints: 1000, offset: 0 };

  it('reads every operation', () => expect(operations.length).toBeGreaterThan(40));

  it.each(operations.map((op) => [op.name!.value, op] as const))('%s stays within the default cost', (name) => {
    expect(documentCost(schema, document, name, webSizes)).toBeLessThanOrEqual(DEFAULT_MAX_COST);
  });

  it('passes the WebSocket rule for every subscription (sizes by variable counted at their largest)', () => {
    const subscriptions = operations.filter((op) => op.operation === 'subscription');
    expect(subscriptions.length).toBeGreaterThan(0);
    for (const op of subscriptions) {
      const single = parse(
        [op, ...document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)]
          .map((d) => d.loc!.source.body.slice(d.loc!.start, d.loc!.end))
          .join('\n'),
      );
      const errors = validate(schema, single, [costLimitRule(DEFAULT_MAX_COST)]);
      expect(errors.map((e) => e.message)).toEqual([]);
    }
  });
});
