import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/test-app.js';

describe('readiness with Redis configured', () => {
  let up: TestApp;
  let down: TestApp;
  beforeAll(async () => {
    up = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:6379' });
    // Nothing listens on port 1: Redis is configured but unreachable.
    down = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1' });
  });
  afterAll(async () => {
    await up?.close();
    await down?.close();
  });

  it('is ready when Redis answers, and says "redis" when it does not (while still alive)', async () => {
    const ready = await fetch(`${up.url}/health/ready`);
    expect(await ready.json()).toEqual({ status: 'ready' });
    const notReady = await fetch(`${down.url}/health/ready`);
    expect(notReady.status).toBe(503);
    expect((await notReady.json()).failed).toEqual(['redis']);
    expect((await fetch(`${down.url}/health/live`)).status).toBe(200);
  });
});
