import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAdmin } from '../../test/factories.js';
import { errorCode, startTestApp, type TestApp } from '../../test/test-app.js';

let app: TestApp;
let token: string;
beforeAll(async () => {
  app = await startTestApp({
    GRAPHQL_MAX_DEPTH: '6',
    GRAPHQL_MAX_ALIASES: '5',
    GRAPHQL_MAX_COST: '60',
    GRAPHQL_MAX_TOKENS: '300',
    GRAPHQL_MAX_BATCH: '3',
    BODY_LIMIT: '20kb',
    CORS_ORIGINS: 'https://allowed.example',
    GRAPHQL_PLAYGROUND: 'true',
  });
  token = (await loginAdmin(app)).token;
});
afterAll(() => app.close());

const post = (body: string, headers: Record<string, string>) =>
  fetch(`${app.url}/graphql`, { method: 'POST', headers, body });

describe('GraphQL limits', () => {
  it('refuses a query deeper than the limit', async () => {
    // Small pages, so that only depth is over its limit (cost multiplies by page sizes).
    const deep = '{ projects(first: 1) { nodes { members(first: 1) { nodes { user { roles { name } } } } } } }';
    const res = await app.gql(deep, {}, token);
    expect(errorCode(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors![0].message).toMatch(/depth/i);
  });

  it('refuses too many aliases', async () => {
    const res = await app.gql(`{ ${Array.from({ length: 6 }, (_, i) => `a${i}: me { id }`).join(' ')} }`, {}, token);
    expect(res.errors![0].message).toMatch(/alias/i);
  });

  it('refuses a query above the cost limit', async () => {
    const fields = 'id name description archivedAt createdAt updatedAt myRole';
    const res = await app.gql(
      `{ a: projects { nodes { ${fields} } } b: projects { nodes { ${fields} } } c: projects { nodes { ${fields} } } }`,
      {},
      token,
    );
    expect(res.errors![0].message).toMatch(/cost/i);
  });

  it('refuses a query with too many tokens', async () => {
    const res = await app.gql(`{ me { ${'id '.repeat(400)} } }`, {}, token);
    expect(res.errors![0].message).toMatch(/token/i);
  });

  it('answers a query within every limit', async () => {
    const res = await app.gql('{ me { id email } }', {}, token);
    expect(res.errors).toBeUndefined();
  });

  it('limits operations per batch', async () => {
    const op = { query: '{ me { id } }' };
    const ok = await post(JSON.stringify([op, op, op]), {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toHaveLength(3);
    const tooMany = await post(JSON.stringify([op, op, op, op]), { 'content-type': 'application/json' });
    expect(tooMany.status).toBe(400);
  });

  it('refuses a body over the size limit', async () => {
    const res = await post(JSON.stringify({ query: `{ me { id } }`, variables: { pad: 'x'.repeat(30_000) } }), {
      'content-type': 'application/json',
    });
    expect(res.status).toBe(413);
  });
});

describe('CSRF and CORS', () => {
  it('refuses a text/plain POST (a simple cross-site request)', async () => {
    const res = await post(JSON.stringify({ query: 'mutation { logout }' }), { 'content-type': 'text/plain' });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/Cross-Site Request Forgery/);
  });

  it('allows listed origins only', async () => {
    const preflight = (origin: string) =>
      fetch(`${app.url}/graphql`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    expect((await preflight('https://allowed.example')).headers.get('access-control-allow-origin')).toBe(
      'https://allowed.example',
    );
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('health', () => {
  it('reports live and ready (migrations applied)', async () => {
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${app.url}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('serves the offline GraphQL playground from its own assets', async () => {
    const res = await fetch(`${app.url}/playground`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const page = await res.text();
    expect(page).toMatch(/graphiql/i);
    expect(page).not.toMatch(/https?:\/\/(unpkg|cdn|jsdelivr)/);
    const scripts = [...page.matchAll(/src="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) expect((await fetch(`${app.url}${src}`)).status).toBe(200);
  });
});
