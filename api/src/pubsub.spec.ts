import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RedisServer } from '../test/fault-servers.js';
import { createAppPubSub, RESUMED } from './pubsub.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('pub/sub', () => {
  it('in process: ping answers at once; two instances do not hear each other', async () => {
    const [a, b] = [createAppPubSub(), createAppPubSub()];
    await a.ping();
    const heard = b.subscribe('RUN_UPDATED', 'r1')[Symbol.asyncIterator]();
    const next = heard.next();
    a.publish('RUN_UPDATED', 'r1', { runId: 'r1' });
    const raced = await Promise.race([next, new Promise((r) => setTimeout(() => r('nothing'), 100))]);
    expect(raced).toBe('nothing');
    await heard.return?.();
  });

  it('Redis: an event published on one instance reaches another, log times as dates', async () => {
    const channelPrefix = `test-${randomUUID()}:`;
    const [a, b] = [
      createAppPubSub({ redisUrl: REDIS_URL, channelPrefix }),
      createAppPubSub({ redisUrl: REDIS_URL, channelPrefix }),
    ];
    try {
      await b.ping();
      const heard = b.subscribe('RUN_LOGS', 'r1')[Symbol.asyncIterator]();
      const next = heard.next();
      await b.listening();
      const time = new Date();
      a.publish('RUN_LOGS', 'r1', { lines: [{ id: '1', time, attempt: 1, level: 'info', message: '你好' }] });
      expect((await next).value).toEqual({ lines: [{ id: '1', time, attempt: 1, level: 'info', message: '你好' }] });
      await heard.return?.();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('Redis restarted: each subscription gets RESUMED once its SUBSCRIBE is back, then hears what is published', async () => {
    const redis = await RedisServer.start();
    const [a, b] = [
      createAppPubSub({ redisUrl: redis.url, channelPrefix: 'x:' }),
      createAppPubSub({ redisUrl: redis.url, channelPrefix: 'x:' }),
    ];
    try {
      const heard = b.subscribe('RUN_UPDATED', 'r1')[Symbol.asyncIterator]();
      const next = heard.next();
      await b.listening();
      await redis.kill();
      await redis.start();
      expect((await next).value).toBe(RESUMED);
      a.publish('RUN_UPDATED', 'r1', { runId: 'r1' });
      expect((await heard.next()).value).toEqual({ runId: 'r1' });
      await heard.return?.();
    } finally {
      await a.close();
      await b.close();
      await redis.kill();
    }
  });

  it('Redis unreachable: ping fails within its timeout instead of hanging, and publishing does not crash', async () => {
    const pubsub = createAppPubSub({ redisUrl: 'redis://127.0.0.1:1', channelPrefix: 'x:' });
    try {
      pubsub.publish('WORKER_UPDATED', { workerId: 'w' });
      const started = Date.now();
      await expect(pubsub.ping(300)).rejects.toThrow(/PING|ECONNREFUSED|retries/);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await pubsub.close();
    }
  });
});
