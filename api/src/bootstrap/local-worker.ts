import { writeFile } from 'node:fs/promises';
import { ApiToken } from '../modules/api-token/api-token.entity.js';
import { API_TOKEN_PREFIX, newOpaqueToken, sha256 } from '../modules/auth/tokens.js';
import { Worker } from '../modules/worker/worker.entity.js';
import { buildContext } from '../context.js';
import type { Runtime } from '../app.js';

/**
 * `npm start` trains on this machine: the worker "local" (created once, like an admin would) gets a
 * fresh token at each start, written to `file` (mode 600) for the agent that start.mjs launches.
 * Earlier tokens of the local worker are revoked.
 */
export async function provisionLocalWorker(runtime: Runtime, file: string) {
  const em = runtime.orm.em.fork();
  const worker = await em.findOne(Worker, { name: 'local' }, { populate: ['account'] });
  if (!worker) {
    const ctx = buildContext(runtime, {
      requestId: 'local-worker',
      log: runtime.log,
      em,
      ip: null,
      userAgent: null,
      viewer: null,
      authError: null,
    });
    const created = await ctx.services.workers.createToken('local');
    await writeFile(file, created.token, { mode: 0o600 });
    return;
  }
  worker.revokedAt = null;
  worker.account.disabledAt = null;
  await em.nativeUpdate(ApiToken, { user: worker.account, revokedAt: null }, { revokedAt: new Date() });
  const secret = newOpaqueToken(API_TOKEN_PREFIX);
  em.persist(
    Object.assign(new ApiToken(), {
      user: worker.account,
      name: 'worker local',
      prefix: secret.slice(0, API_TOKEN_PREFIX.length + 6),
      tokenHash: sha256(secret),
      scopes: ['worker:run'],
    }),
  );
  await em.flush();
  await writeFile(file, secret, { mode: 0o600 });
}
