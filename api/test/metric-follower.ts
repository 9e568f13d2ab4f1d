import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const RUN_METRICS = `subscription($runId: ID!, $keys: [String!], $afterStep: Int) {
  runMetrics(runId: $runId, keys: $keys, afterStep: $afterStep) { points { key step value } }
}`;

type MetricBatch = { runMetrics: { points: { key: string; step: number; value: number }[] } };

/**
 * A `runMetrics(keys: [key])` subscriber as a client of several API instances behind no load balancer
 * would be: graphql-ws with the instances' URLs, taken in turn at each (re)connection, retrying, and
 * the cursor (`afterStep`) kept in the subscription's variables, which graphql-ws sends again when it
 * re-subscribes after a reconnect; so the new instance replays only what this client has not seen.
 * `retryWait` runs before each reconnection (a test may hold it until it has done something).
 */
export function followMetrics(opts: {
  urls: string[];
  token: string;
  runId: string;
  key: string;
  retryWait?: () => Promise<void>;
}) {
  const variables = { runId: opts.runId, keys: [opts.key], afterStep: -1 };
  const steps: number[] = [];
  const errors: unknown[] = [];
  /** The instance of each connection made, in order. */
  const connectedTo: string[] = [];
  let closes = 0;
  let turn = 0;
  let current = '';
  let firstSeen!: () => void;
  const first = new Promise<void>((resolve) => (firstSeen = resolve));
  const client = createClient({
    url: () => (current = `${opts.urls[turn++ % opts.urls.length]!.replace('http', 'ws')}/graphql`),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${opts.token}` },
    retryAttempts: 30,
    shouldRetry: () => true,
    retryWait: opts.retryWait ?? (() => new Promise((resolve) => setTimeout(resolve, 100))),
    on: {
      connected: () => void connectedTo.push(current),
      closed: () => void closes++,
    },
  });
  client.subscribe<MetricBatch>(
    { query: RUN_METRICS, variables },
    {
      next: (value) => {
        if (value.errors) errors.push(value.errors);
        for (const p of value.data?.runMetrics.points ?? []) {
          steps.push(p.step);
          variables.afterStep = Math.max(variables.afterStep, p.step);
        }
        firstSeen();
      },
      error: (e) => errors.push(e),
      complete: () => {},
    },
  );
  return {
    /** Every step received, in the order received (repeats included, so that a test sees them). */
    steps,
    errors,
    connectedTo,
    /** Connections that closed under the client. */
    closes: () => closes,
    /** The first message (the history) arrived. */
    first,
    stop: () => client.dispose(),
  };
}

/** 1, 2, … n. */
export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
