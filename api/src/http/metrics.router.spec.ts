import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { AppMetrics } from '../metrics.js';
import { metricsRouter } from './metrics.router.js';
import type { Config } from '../config.js';

describe('metricsRouter', () => {
  it('answers 404 when METRICS_TOKEN is unset, even to a bearer token', async () => {
    const pool = new pg.Pool(); // never queried: nothing is scraped
    const app = express().use(metricsRouter({ config: {} as Config, metrics: new AppMetrics(pool) }));
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
      expect((await fetch(url)).status).toBe(404);
      expect((await fetch(url, { headers: { authorization: 'Bearer anything-at-all-1234' } })).status).toBe(404);
    } finally {
      server.close();
      await pool.end();
    }
  });
});
