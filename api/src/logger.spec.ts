import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { accessLog } from './http/request-context.js';
import { createLogger } from './logger.js';

/** A logger writing into an array, as main.ts builds it. */
function capture(level: string, json: boolean) {
  const lines: string[] = [];
  const log = createLogger(level, { json, destination: { write: (s: string) => void lines.push(s) } });
  return { log, lines };
}

async function request(log: ReturnType<typeof capture>['log']) {
  const app = express()
    .use(accessLog(log))
    .get('/graphql', (_req, res) => void res.send('ok'));
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql?x=1`)).text();
  } finally {
    server.close();
  }
}

describe('console output', () => {
  it('prints no line per HTTP request at the default level (info)', async () => {
    const { log, lines } = capture('info', false);
    await request(log);
    expect(lines).toEqual([]);
  });

  it('prints each request at LOG_LEVEL=debug, with its full path', async () => {
    const { log, lines } = capture('debug', true);
    await request(log);
    await expect.poll(() => lines.length).toBe(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: 'request', method: 'GET', path: '/graphql', status: 200 });
  });

  it('writes JSON lines in production and one readable line otherwise', () => {
    const json = capture('info', true);
    json.log.warn({ runId: 'r1' }, 'run lease lapsed');
    expect(JSON.parse(json.lines[0]!)).toMatchObject({ level: 40, msg: 'run lease lapsed', runId: 'r1' });
    const human = capture('info', false);
    human.log.warn({ runId: 'r1', req: { headers: { authorization: 'Bearer secret' } } }, 'run lease lapsed');
    expect(human.lines).toHaveLength(1);
    expect(human.lines[0]).toMatch(/^\d\d:\d\d:\d\d WARN {2}run lease lapsed runId=r1 req=.*\[redacted\].*\n$/);
    expect(human.lines[0]).not.toContain('secret');
  });
});
