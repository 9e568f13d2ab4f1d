import { request } from 'node:http';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN, loginAdmin } from '../../test/factories.js';
import { ADMIN, errorCode, startTestApp, type TestApp } from '../../test/test-app.js';

/** Signs in over node:http (any Host header) and returns the refresh cookie as set. */
function loginCookie(app: TestApp, headers: Record<string, string>): Promise<string> {
  const url = new URL(`${app.url}/graphql`);
  const body = JSON.stringify({ query: LOGIN, variables: { input: ADMIN } });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(String(res.headers['set-cookie']?.[0] ?? '')));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const INTROSPECT = '{ __schema { queryType { name } } }';

describe('defaults outside the loopback demo', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ TRUST_PROXY: 'loopback' });
  });
  afterAll(() => app.close());

  it('sets the refresh cookie Secure unless the request is plain HTTP to a loopback host', async () => {
    expect(await loginCookie(app, {})).not.toMatch(/;\s*Secure/i);
    expect(await loginCookie(app, { host: 'trainer.example.com' })).toMatch(/;\s*Secure/i);
    // Behind a TLS-terminating proxy (trusted), even on a loopback name.
    expect(await loginCookie(app, { 'x-forwarded-proto': 'https' })).toMatch(/;\s*Secure/i);
  });

  it('refuses introspection and serves no playground', async () => {
    const res = await app.gql(INTROSPECT);
    expect(errorCode(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors![0].message).toMatch(/introspection/i);
    expect((await fetch(`${app.url}/playground`)).status).toBe(404);
  });

  it('refuses introspection over WebSocket too', async () => {
    const token = (await loginAdmin(app)).token;
    const client = createClient({
      url: `${app.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
      lazy: true,
    });
    try {
      const errors = await new Promise<readonly { message: string }[]>((resolve, reject) => {
        client.subscribe(
          { query: INTROSPECT },
          { next: () => undefined, error: (e) => resolve(e as never), complete: () => reject(new Error('answered')) },
        );
      });
      expect(errors[0].message).toMatch(/introspection/i);
    } finally {
      await client.dispose();
    }
  });

  it('hides field suggestions', async () => {
    const res = await app.gql('{ mee { id } }');
    expect(res.errors![0].message).not.toMatch(/Did you mean/);
  });

  it('keeps idle connections longer than clients and proxies do', () => {
    expect(app.server.httpServer.keepAliveTimeout).toBe(65_000);
    expect(app.server.httpServer.headersTimeout).toBe(66_000);
  });
});

describe('switched on', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ GRAPHQL_INTROSPECTION: 'true', GRAPHQL_PLAYGROUND: 'true', COOKIE_SECURE: 'false' });
  });
  afterAll(() => app.close());

  it('introspection, suggestions and the playground, and a cookie forced not Secure', async () => {
    expect((await app.gql(INTROSPECT)).data!.__schema.queryType.name).toBe('Query');
    expect((await app.gql('{ mee { id } }')).errors![0].message).toMatch(/Did you mean "me"/);
    expect((await fetch(`${app.url}/playground`)).status).toBe(200);
    expect(await loginCookie(app, { host: 'trainer.example.com' })).not.toMatch(/;\s*Secure/i);
  });
});
