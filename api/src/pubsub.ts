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
 * Yielded by every subscription when the connection to Redis came back after it was lost: whatever was
 * published meanwhile never arrived, so a live stream reads the database again (after its cursor).
 */
export const RESUMED = Symbol('pubsub resumed');
export type Resumed = typeof RESUMED;

type Payload<K extends keyof Topics> = Topics[K][1] extends undefined ? Topics[K][0] : Topics[K][1];

/**
 * The API's pub/sub, one per API instance (AppServices.pubsub). In process by default; with
 * REDIS_URL every instance publishes to and listens on Redis, so a subscriber connected to one
 * instance hears what was stored through another. Payloads are the wake-up and the data, never the
 * only copy: the live streams read their history from PostgreSQL and drop what they already sent,
 * and read it again at RESUMED (Redis was away: the announcements made meanwhile are lost).
 */
export interface AppPubSub extends Omit<PubSub<Topics>, 'subscribe'> {
  subscribe<K extends keyof Topics>(
    ...args: Topics[K][1] extends undefined ? [K] : [K, Topics[K][0]]
  ): AsyncIterable<Payload<K> | Resumed>;
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
  return {
    ...pubSub,
    subscribe: pubSub.subscribe as AppPubSub['subscribe'],
    listening: async () => {},
    ping: async () => {},
    close: async () => {},
  };
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
  const target = resumable(prefixed(redisTarget, prefix));
  // After an outage ioredis reconnects and re-subscribes by itself; once Redis has acknowledged those
  // SUBSCRIBEs (the PING's reply follows theirs), every subscription is told to catch up.
  let lost = false;
  subscribeClient.on('close', () => (lost = true));
  subscribeClient.on('ready', () => {
    if (!lost) return;
    lost = false;
    subscribeClient.ping().then(target.resume, report);
  });
  const pubSub = createPubSub<Topics>({ eventTarget: target });
  return {
    ...pubSub,
    // (Its type knows only the topics' payloads; RESUMED comes through the same listeners.)
    subscribe: pubSub.subscribe as AppPubSub['subscribe'],
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

/** The event target, and `resume()`, which hands RESUMED to every listener it has now. */
function resumable(target: PubSubEventTarget<Topics>) {
  const listeners = new Map<string, Set<EventListenerOrEventListenerObject>>();
  return {
    addEventListener: (type, listener, options) => {
      if (listener) listeners.set(type, (listeners.get(type) ?? new Set()).add(listener as never));
      target.addEventListener(type, listener, options);
    },
    removeEventListener: (type, listener, options) => {
      listeners.get(type)?.delete(listener as never);
      if (!listeners.get(type)?.size) listeners.delete(type);
      target.removeEventListener(type, listener, options);
    },
    dispatchEvent: (event) => target.dispatchEvent(event),
    resume: () => {
      for (const [type, set] of listeners)
        for (const listener of set) {
          const event = new CustomEvent(type, { detail: RESUMED });
          if (typeof listener === 'function') listener(event);
          else listener.handleEvent(event);
        }
    },
  } satisfies PubSubEventTarget<Topics> & { resume(): void };
}

/** The same event target with every topic under `prefix` (the listener still sees the Redis channel). */
function prefixed(target: PubSubEventTarget<Topics>, prefix: string): PubSubEventTarget<Topics> {
  return {
    addEventListener: (type, listener, options) => target.addEventListener(prefix + type, listener, options),
    removeEventListener: (type, listener, options) => target.removeEventListener(prefix + type, listener, options),
    dispatchEvent: (event) => target.dispatchEvent(new CustomEvent(prefix + event.type, { detail: event.detail })),
  };
}
