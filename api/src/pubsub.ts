import { setMaxListeners } from 'node:events';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, type PubSub, type PubSubEventTarget } from '@graphql-yoga/subscription';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** Progress of a dataset version being processed. */
export interface DatasetVersionProgressEvent {
  versionId: string;
  status: string;
  rowsProcessed: number;
  message: string | null;
}

export interface RunLogLineEvent {
  id: string;
  time: Date;
  attempt: number;
  level: string;
  message: string;
}

/** The typed topics. Payloads cross processes as JSON (see `reviveDates`). */
export type Topics = {
  DATASET_VERSION_PROGRESS: [versionId: string, payload: DatasetVersionProgressEvent];
  /** Something about the run changed (state, progress, attempt); subscribers re-read it. */
  RUN_UPDATED: [runId: string, payload: { runId: string }];
  /** Metric points just stored for a run. */
  RUN_METRICS: [runId: string, payload: { points: { key: string; step: number; value: number }[] }];
  RUN_LOGS: [runId: string, payload: { lines: RunLogLineEvent[] }];
  WORKER_UPDATED: [payload: { workerId: string }];
  /** Something about the evaluation changed (state, progress, summary); subscribers re-read it. */
  EVALUATION_UPDATED: [evaluationId: string, payload: { evaluationId: string }];
};

/**
 * The API's pub/sub, one per API instance (AppServices.pubsub). In process by default; with
 * REDIS_URL every instance publishes to and listens on Redis, so a subscriber connected to one
 * instance hears what was stored through another. Payloads are the wake-up and the data, never the
 * only copy: the live streams read their history from PostgreSQL and drop what they already sent.
 */
export interface AppPubSub extends PubSub<Topics> {
  /**
   * Resolves once every subscription started so far is active (for Redis: its SUBSCRIBE was
   * acknowledged). A stream awaits it between starting to listen and reading its history, so an
   * event published in between is never missed.
   */
  listening(): Promise<void>;
  /**
   * Round trip to the backing store (Redis PING); resolves at once in process. Rejects when Redis does
   * not answer within `timeoutMs`. For readiness checks.
   */
  ping(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface PubSubOptions {
  /** redis:// or rediss:// URL; unset = in process. */
  redisUrl?: string;
  /** Prepended to every Redis channel, so several deployments (or test runs) can share one Redis. */
  channelPrefix?: string;
  /** Where Redis connection problems are reported. */
  log?: Logger;
}

export function createAppPubSub(options: PubSubOptions = {}): AppPubSub {
  return options.redisUrl
    ? redisPubSub(options.redisUrl, options.channelPrefix ?? 'llmt:', options.log)
    : inProcessPubSub();
}

function inProcessPubSub(): AppPubSub {
  // Many subscribers of one run each listen on its topic: no listener-count "leak" warning at 11.
  const eventTarget = new EventTarget();
  setMaxListeners(0, eventTarget);
  const pubSub = createPubSub<Topics>({ eventTarget: eventTarget as never });
  return { ...pubSub, listening: async () => {}, ping: async () => {}, close: async () => {} };
}

function redisPubSub(url: string, prefix: string, log?: Logger): AppPubSub {
  // A connection in subscriber mode can only subscribe: publishing needs a second one.
  const publishClient = new Redis(url, { maxRetriesPerRequest: 3 });
  const subscribeClient = new Redis(url);
  // ioredis reconnects (and re-subscribes) by itself; an 'error' without a listener would end the process.
  let lastError = '';
  const report = (err: Error) => {
    if (err.message === lastError) return; // once per outage, not once per retry
    lastError = err.message;
    log?.warn({ err }, 'Redis (live events between API instances) is unavailable; retrying');
  };
  for (const client of [publishClient, subscribeClient]) {
    client.on('error', report);
    client.on('ready', () => (lastError = ''));
  }
  // The event target fires these and forgets them: a failure must not become an unhandled rejection.
  const ignoreFailure = (p: Promise<unknown>) => void p.catch(report);
  const redisTarget = createRedisEventTarget<CustomEvent>({
    publishClient: {
      publish: (channel: string, message: string) => ignoreFailure(publishClient.publish(channel, message)),
    } as never,
    subscribeClient: {
      on: (event: 'message', listener: (channel: string, message: string) => void) =>
        subscribeClient.on(event, listener),
      subscribe: (channel: string) => ignoreFailure(subscribeClient.subscribe(channel)),
      unsubscribe: (channel: string) => ignoreFailure(subscribeClient.unsubscribe(channel)),
    } as never,
    serializer: { stringify: JSON.stringify, parse: (text) => JSON.parse(text, reviveDates) },
  });
  const pubSub = createPubSub<Topics>({ eventTarget: prefixed(redisTarget, prefix) });
  return {
    ...pubSub,
    // Commands on one connection are answered in order: the PING's reply comes after every earlier SUBSCRIBE's.
    listening: async () => void (await subscribeClient.ping()),
    ping: async (timeoutMs = 2000) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Redis did not answer PING within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([publishClient.ping(), late]);
      } finally {
        clearTimeout(timer);
      }
    },
    close: async () => {
      await Promise.allSettled([publishClient.quit(), subscribeClient.quit()]);
    },
  };
}

/** Log lines carry their time as a Date; JSON turns it into a string on the way. */
function reviveDates(key: string, value: unknown) {
  return key === 'time' && typeof value === 'string' ? new Date(value) : value;
}

/** The same event target with every topic under `prefix` (the listener still sees the Redis channel). */
function prefixed(target: PubSubEventTarget<Topics>, prefix: string): PubSubEventTarget<Topics> {
  return {
    addEventListener: (type, listener, options) => target.addEventListener(prefix + type, listener, options),
    removeEventListener: (type, listener, options) => target.removeEventListener(prefix + type, listener, options),
    dispatchEvent: (event) => target.dispatchEvent(new CustomEvent(prefix + event.type, { detail: event.detail })),
  };
}
