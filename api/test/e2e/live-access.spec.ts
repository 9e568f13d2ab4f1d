// Live re-authorisation is shared: many subscriptions of one session to one run re-check the session
// and the membership once per LIVE_AUTH_RECHECK_MS window, not once each; another run is checked apart.
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, createUser, type TestUser } from '../factories.js';
import { startTestApp, type TestApp } from '../test-app.js';
import { CREATE_RUN, chatRows, datasetVersion, tinyRun } from '../training.js';

let app: TestApp;
let user: TestUser;
let sessionChecks = 0;
const clients: Client[] = [];

beforeAll(async () => {
  app = await startTestApp({ LIVE_AUTH_RECHECK_MS: '600000' }, (sql) => {
    if (/live-reauth/.test(sql)) sessionChecks++;
  });
  user = await createUser(app, ['MEMBER'], 'tabs');
}, 120_000);
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await app?.close();
});

/** Subscribes to a run's logs; resolves with the first batch (the backlog, read after the access check). */
function subscribe(runId: string) {
  const client = createClient({
    url: `${app.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${user.token}` },
  });
  clients.push(client);
  return new Promise<void>((resolve, reject) => {
    client.subscribe(
      { query: `subscription($id: ID!) { runLogs(runId: $id) { lines { id } } }`, variables: { id: runId } },
      { next: () => resolve(), error: reject, complete: () => reject(new Error('ended without a batch')) },
    );
  });
}

describe('live re-authorisation', () => {
  it('is done once per session and run within the window, however many subscriptions', async () => {
    const projectId = await createProject(app, user.token, 'Tabs');
    const version = await datasetVersion(app, user, projectId, 'rows', chatRows(4));
    const runs = await Promise.all(
      [1, 2].map(async () => (await app.gql(CREATE_RUN, { i: tinyRun(version) }, user.token)).data!.createRun.id),
    );
    // A log line each, written as the trainer's would be, so every subscription has a backlog to deliver.
    for (const runId of runs)
      await app.runtime.pool.query(
        `insert into run_events (run_id, attempt, seq, kind, time, payload) values ($1, 1, 0, 'log', now(), '{"message": "hi"}')`,
        [runId],
      );
    sessionChecks = 0;
    await Promise.all(Array.from({ length: 10 }, () => subscribe(runs[0])));
    await subscribe(runs[1]);
    expect(sessionChecks).toBe(2);
  });
});
