#!/usr/bin/env node
// Watch a training run from outside the web app: its loss history, then every new point live, until
// the run ends. Plain graphql-ws + an API token (Profile → API tokens, scope run:read is enough).
//
//   LLMTRAINER_URL=http://127.0.0.1:4000 LLMTRAINER_TOKEN=lt_pat_… node docs/examples/watch-run.mjs <runId>
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [runId] = process.argv.slice(2);
const base = process.env.LLMTRAINER_URL ?? 'http://127.0.0.1:4000';
const token = process.env.LLMTRAINER_TOKEN;
if (!runId || !token) {
  console.error('usage: LLMTRAINER_TOKEN=lt_pat_… node watch-run.mjs <runId>');
  process.exit(2);
}

const client = createClient({
  url: `${base.replace(/^http/, 'ws')}/graphql`,
  webSocketImpl: WebSocket,
  connectionParams: { authorization: `Bearer ${token}` },
});

/** One subscription as an async iterator of `data` (errors throw). */
async function* subscribe(query, variables) {
  for await (const result of client.iterate({ query, variables })) {
    if (result.errors) throw new Error(result.errors.map((e) => e.message).join('; '));
    yield result.data;
  }
}

// 1. History, downsampled to at most 200 points (min/max/last per bucket), and where it ends.
const res = await fetch(`${base}/graphql`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  body: JSON.stringify({
    query: `query($id: ID!) { run(id: $id) { name status metrics(keys: ["loss"], maxPoints: 200) {
      lastStep bucketSteps points { step last } } } }`,
    variables: { id: runId },
  }),
});
const { data, errors } = await res.json();
if (errors) throw new Error(errors.map((e) => e.message).join('; '));
const [loss] = data.run.metrics;
console.log(
  `${data.run.name}: ${data.run.status}; ${loss.points.length} history points (${loss.bucketSteps} steps each)`,
);
for (const p of loss.points) console.log(`history step ${p.step} loss ${p.last}`);

// 2. Live points after the history's last step: no gap, no repeat. 3. Stop when the run ends.
const live = (async () => {
  for await (const { runMetrics } of subscribe(
    `subscription($id: ID!, $after: Int) { runMetrics(runId: $id, keys: ["loss"], afterStep: $after) { points { step value } } }`,
    { id: runId, after: loss.lastStep ?? -1 },
  ))
    for (const p of runMetrics.points) console.log(`live step ${p.step} loss ${p.value}`);
})();
for await (const { runUpdated } of subscribe(`subscription($id: ID!) { runUpdated(id: $id) { status } }`, {
  id: runId,
}))
  if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(runUpdated.status)) {
    console.log(`run ended: ${runUpdated.status}`);
    break;
  }
await client.dispose();
await live.catch(() => undefined);
