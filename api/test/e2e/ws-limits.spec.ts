// WebSocket hardening: message size refused from the frame header, signed-in sockets only, subscription
// caps per socket and per user, and run histories sent in pages.
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, createUser, type TestUser } from '../factories.js';
import { startTestApp, type TestApp } from '../test-app.js';
import { CREATE_RUN, chatRows, datasetVersion, tinyRun } from '../training.js';

const PER_SOCKET = 3;
const PER_USER = 5;
const PAGE = 10;

let app: TestApp;
let user: TestUser;
let runId: string;
const clients: Client[] = [];

beforeAll(async () => {
  app = await startTestApp({
    WS_MAX_SUBSCRIPTIONS_PER_SOCKET: String(PER_SOCKET),
    WS_MAX_SUBSCRIPTIONS_PER_USER: String(PER_USER),
    LIVE_BACKLOG_PAGE_SIZE: String(PAGE),
  });
  user = await createUser(app, ['MEMBER'], 'sockets');
  const projectId = await createProject(app, user.token, 'Sockets');
  const version = await datasetVersion(app, user, projectId, 'rows', chatRows(3));
  runId = (await app.gql(CREATE_RUN, { i: tinyRun(version) }, user.token)).data!.createRun.id;
}, 120_000);
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await app?.close();
});

const wsUrl = () => `${app.url.replace('http', 'ws')}/graphql`;

function client(token?: string): Client {
  const c = createClient({
    url: wsUrl(),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
  });
  clients.push(c);
  return c;
}

type Outcome = { data?: unknown; error?: { code?: string | number; message: string } };

/** Subscribes; resolves with the first event or the refusal (a GraphQL error or the socket's close). */
function firstOf(c: Client, query: string, variables: Record<string, unknown> = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    c.subscribe(
      { query, variables },
      {
        next: (value) =>
          resolve(
            value.errors
              ? { error: { code: value.errors[0].extensions?.code as string, message: value.errors[0].message } }
              : { data: value.data },
          ),
        error: (e) => {
          if (Array.isArray(e)) resolve({ error: { code: e[0].extensions?.code, message: e[0].message } });
          else {
            const close = e as { code?: number; reason?: string };
            resolve({ error: { code: close.code, message: close.reason ?? String(e) } });
          }
        },
        complete: () => resolve({ error: { message: 'completed' } }),
      },
    );
  });
}

const RUN_UPDATED = `subscription($id: ID!) { runUpdated(id: $id) { id } }`;

describe('WebSocket limits', () => {
  it('closes a socket sent a 20 MB frame from its header, without buffering it', async () => {
    const ws = new WebSocket(wsUrl(), 'graphql-transport-ws');
    ws.on('error', () => undefined); // the server hangs up mid-write
    await once(ws, 'open');
    const closed = once(ws, 'close') as Promise<[number, Buffer]>;
    const socket = (ws as unknown as { _socket: Socket })._socket;
    const size = 20 * 1024 ** 2;
    // A masked text frame with a 64-bit length; the all-zero mask key leaves the payload as written.
    const header = Buffer.alloc(14);
    header[0] = 0x81;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(size), 2);
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    socket.write(header);
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    for (; sent < size && !socket.destroyed && socket.writable; sent += chunk.length) {
      if (!socket.write(chunk)) await Promise.race([once(socket, 'drain'), once(socket, 'close')]);
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    const [code] = await closed;
    peak = Math.max(peak, process.memoryUsage().rss);
    console.log(
      `20 MB frame: close ${code}, ${(sent / 1024 ** 2).toFixed(1)} MB written, RSS growth ${((peak - before) / 1024 ** 2).toFixed(1)} MB`,
    );
    expect(code).toBe(1009); // Message Too Big
    // Buffering it (before maxPayload) grew this process's RSS by ~33 MB; refused from the header, < 1 MB.
    expect(peak - before).toBeLessThan(20 * 1024 ** 2);
  });

  it('refuses a socket without a token, and one with a bad token', async () => {
    const anonymous = await firstOf(client(), RUN_UPDATED, { id: runId });
    expect(anonymous.error).toEqual({ code: 4403, message: expect.stringContaining('Sign in first') });
    const forged = await firstOf(client('lt_pat_not-a-real-token'), RUN_UPDATED, { id: runId });
    expect(forged.error?.code).toBe(4403);
  });

  it('refuses the subscription over the cap per socket, then per user, with a clear error', async () => {
    const first = client(user.token);
    for (let i = 0; i < PER_SOCKET; i++)
      expect(await firstOf(first, RUN_UPDATED, { id: runId })).toHaveProperty('data');
    const overSocket = await firstOf(first, RUN_UPDATED, { id: runId });
    expect(overSocket.error).toEqual({
      code: 'RATE_LIMITED',
      message: `At most ${PER_SOCKET} subscriptions per connection; complete one first`,
    });
    const second = client(user.token);
    for (let i = PER_SOCKET; i < PER_USER; i++)
      expect(await firstOf(second, RUN_UPDATED, { id: runId })).toHaveProperty('data');
    const overUser = await firstOf(second, RUN_UPDATED, { id: runId });
    expect(overUser.error).toEqual({
      code: 'RATE_LIMITED',
      message: `At most ${PER_USER} subscriptions per user; complete one first`,
    });
    // Closing a socket gives its subscriptions back.
    await first.dispose();
    await expect.poll(async () => (await firstOf(second, RUN_UPDATED, { id: runId })).error).toBeUndefined();
    await second.dispose();
  });

  it('sends a metric history larger than a page complete, in step order, without repeats', async () => {
    const steps = Array.from({ length: 23 }, (_, i) => i + 1);
    await app.runtime.pool.query(
      `insert into run_metrics (run_id, key, step, value, attempt, time)
       select $1, k, s, s, 1, now() from unnest($2::int[]) as s, unnest(array['loss', 'lr']) as k`,
      [runId, steps],
    );
    const expected = steps.flatMap((s) => ['loss', 'lr'].map((key) => `${s}:${key}`));
    const messages: { key: string; step: number }[][] = [];
    const c = client(user.token);
    await new Promise<void>((resolve, reject) => {
      c.subscribe<{ runMetrics: { points: { key: string; step: number }[] } }>(
        {
          query: `subscription($id: ID!) { runMetrics(runId: $id) { points { key step } } }`,
          variables: { id: runId },
        },
        {
          next: (v) => {
            if (v.errors) return reject(new Error(JSON.stringify(v.errors)));
            messages.push(v.data!.runMetrics.points);
            if (messages.flat().length >= expected.length) resolve();
          },
          error: reject,
          complete: () => reject(new Error('ended')),
        },
      );
    });
    expect(messages.map((m) => m.length)).toEqual([10, 10, 10, 10, 6]);
    expect(messages.flat().map((p) => `${p.step}:${p.key}`)).toEqual(expected);
  });

  it('sends a log history larger than a page complete, in order, without repeats', async () => {
    const { rows } = await app.runtime.pool.query<{ id: string }>(
      `insert into run_events (run_id, attempt, seq, kind, time, payload)
       select $1, 1, 1000 + n, 'log', now(), jsonb_build_object('message', 'line ' || n) from generate_series(1, 25) as n
       returning id::text`,
      [runId],
    );
    const lines: string[][] = [];
    const c = client(user.token);
    await new Promise<void>((resolve, reject) => {
      c.subscribe<{ runLogs: { lines: { id: string; message: string }[] } }>(
        { query: `subscription($id: ID!) { runLogs(runId: $id) { lines { id message } } }`, variables: { id: runId } },
        {
          next: (v) => {
            if (v.errors) return reject(new Error(JSON.stringify(v.errors)));
            lines.push(v.data!.runLogs.lines.map((l) => l.message));
            if (lines.flat().length >= rows.length) resolve();
          },
          error: reject,
          complete: () => reject(new Error('ended')),
        },
      );
    });
    expect(lines.map((m) => m.length)).toEqual([10, 10, 5]);
    expect(lines.flat()).toEqual(Array.from({ length: 25 }, (_, i) => `line ${i + 1}`));
  });
});
