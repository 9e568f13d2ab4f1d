// Live streams do not outlive what would refuse a new request: a revoked session, a disabled account, a
// permission the viewer no longer holds. LIVE_AUTH_RECHECK_MS=0: every event re-checks.
import { randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, createProject, createUser, loginAdmin, type TestUser } from '../factories.js';
import { startTestApp, type TestApp } from '../test-app.js';
import { CREATE_RUN, chatRows, datasetVersion, tinyRun, workerToken } from '../training.js';

let app: TestApp;
let admin: TestUser;
let user: TestUser;
let runId: string;
const clients: Client[] = [];

beforeAll(async () => {
  app = await startTestApp({ LIVE_AUTH_RECHECK_MS: '0' });
  admin = await loginAdmin(app);
  user = await createUser(app, ['MEMBER'], 'watcher');
  const projectId = await createProject(app, user.token, 'Live');
  const version = await datasetVersion(app, user, projectId, 'rows', chatRows(3));
  runId = (await app.gql(CREATE_RUN, { i: tinyRun(version) }, user.token)).data!.createRun.id;
}, 120_000);
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await app?.close();
});

/** Subscribes; `first` resolves on the first event, `end` with the error (or a second event) that follows. */
function watch(token: string, query: string, variables: Record<string, unknown> = {}) {
  const client = createClient({
    url: `${app.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
  });
  clients.push(client);
  let events = 0;
  let started!: () => void;
  const first = new Promise<void>((resolve) => (started = resolve));
  const end = new Promise<{ code?: string; message: string }>((resolve) => {
    client.subscribe(
      { query, variables },
      {
        next: (value) => {
          if (value.errors)
            resolve({ code: value.errors[0].extensions?.code as string, message: value.errors[0].message });
          else if (++events === 1) started();
          else resolve({ message: `a further event was delivered: ${JSON.stringify(value.data)}` });
        },
        error: (e) => {
          const error = (Array.isArray(e) ? e[0] : e) as { message: string; extensions?: { code?: string } };
          resolve({ code: error.extensions?.code, message: error.message });
        },
        complete: () => resolve({ message: 'completed without an error' }),
      },
    );
  });
  return { first, end };
}

describe('live re-authorisation', () => {
  it("ends a disabled user's API-token subscription", async () => {
    await app.runtime.pool.query(
      `insert into run_events (run_id, attempt, seq, kind, time, payload) values ($1, 1, 0, 'log', now(), '{"message": "hi"}')`,
      [runId],
    );
    const token = await createApiToken(app, user, ['run:read']);
    const logs = watch(token, `subscription($id: ID!) { runLogs(runId: $id) { lines { id message } } }`, { id: runId });
    await logs.first;
    await app.gql(`mutation($id: ID!) { disableUser(id: $id) { id } }`, { id: user.id }, admin.token);
    const line = { id: '999999', time: new Date(), attempt: 1, level: 'info', message: 'after disabling' };
    app.runtime.pubsub.publish('RUN_LOGS', runId, { lines: [line] });
    expect(await logs.end).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringContaining('disabled') });
    await app.gql(`mutation($id: ID!) { enableUser(id: $id) { id } }`, { id: user.id }, admin.token);
  });

  it("ends workerUpdated once the admin's roles no longer give worker:manage", async () => {
    const role = await app.gql(
      `mutation($i: CreateRoleInput!) { createRole(input: $i) { name } }`,
      { i: { name: `OPS_${randomUUID().slice(0, 8).toUpperCase()}`, permissions: ['worker:manage'] } },
      admin.token,
    );
    const ops = await createUser(app, [role.data!.createRole.name], 'ops');
    await workerToken(app, admin, 'gpu-box');
    const workerId = (await app.gql(`{ workers { nodes { id } } }`, {}, admin.token)).data!.workers.nodes[0].id;
    const workers = watch(ops.token, `subscription { workerUpdated { id name } }`);
    await workers.first;
    await app.gql(
      `mutation($i: SetUserRolesInput!) { setUserRoles(input: $i) { id } }`,
      { i: { userId: ops.id, roles: ['MEMBER'] } },
      admin.token,
    );
    app.runtime.pubsub.publish('WORKER_UPDATED', { workerId });
    expect(await workers.end).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('worker:manage') });
  });

  it('ends runUpdated once its session is revoked (signed out)', async () => {
    const owner = await createUser(app, ['MEMBER'], 'owner');
    const project = await createProject(app, owner.token, 'Signed out');
    const version = await datasetVersion(app, owner, project, 'rows', chatRows(2));
    const run = (await app.gql(CREATE_RUN, { i: tinyRun(version) }, owner.token)).data!.createRun.id;
    const updates = watch(owner.token, `subscription($id: ID!) { runUpdated(id: $id) { id status } }`, { id: run });
    await updates.first;
    expect((await app.gql(`mutation { logout }`, {}, owner.token)).data?.logout).toBe(true);
    app.runtime.pubsub.publish('RUN_UPDATED', run, { runId: run });
    expect(await updates.end).toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
