import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { clientIp } from './request-context.js';

/**
 * The client address the API sees (throttling, audit, sessions) for each TRUST_PROXY form, with the
 * request arriving from 127.0.0.1 through proxies that appended to X-Forwarded-For. The app is set up
 * exactly as server.ts does it.
 */
async function seenAddress(trustProxy: string | undefined, forwardedFor: string): Promise<string | null> {
  const config = loadConfig(trustProxy === undefined ? {} : { TRUST_PROXY: trustProxy });
  const app = express();
  if (config.TRUST_PROXY !== undefined) app.set('trust proxy', config.TRUST_PROXY);
  app.get('/ip', (req, res) => void res.json({ ip: clientIp(req) }));
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/ip`, { headers: { 'x-forwarded-for': forwardedFor } });
    return ((await res.json()) as { ip: string | null }).ip;
  } finally {
    server.close();
  }
}

// The client claims 6.6.6.6; the outer proxy saw 203.0.113.9; the inner proxy 10.1.2.3 connects to us.
const CHAIN = '6.6.6.6, 203.0.113.9, 10.1.2.3';

describe('TRUST_PROXY', () => {
  it('unset: the socket address, X-Forwarded-For ignored', async () => {
    expect(await seenAddress(undefined, CHAIN)).toBe('127.0.0.1');
  });

  it('false: the socket address', async () => {
    expect(await seenAddress('false', CHAIN)).toBe('127.0.0.1');
  });

  it('1 hop: the address the one trusted proxy saw', async () => {
    expect(await seenAddress('1', CHAIN)).toBe('10.1.2.3');
  });

  it('2 hops: one further back', async () => {
    expect(await seenAddress('2', CHAIN)).toBe('203.0.113.9');
  });

  it('true: the left-most (client-supplied) address', async () => {
    expect(await seenAddress('true', CHAIN)).toBe('6.6.6.6');
  });

  it('address/CIDR list: skips trusted proxies only', async () => {
    expect(await seenAddress('127.0.0.1,10.0.0.0/8', CHAIN)).toBe('203.0.113.9');
  });

  it("Express's names: loopback, and uniquelocal (private ranges, 10.0.0.0/8 among them)", async () => {
    expect(await seenAddress('loopback', CHAIN)).toBe('10.1.2.3');
    expect(await seenAddress('loopback, uniquelocal', CHAIN)).toBe('203.0.113.9');
  });
});
