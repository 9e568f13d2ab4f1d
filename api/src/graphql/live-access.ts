import type { Context } from '../context.js';
import { unauthenticated } from '../errors.js';
import { ApiToken } from '../modules/api-token/api-token.entity.js';
import { Session } from '../modules/auth/session.entity.js';

/**
 * For long-lived subscriptions: re-checks, at most every LIVE_AUTH_RECHECK_MS, that the subscriber's session or
 * API token still stands and that `check` (e.g. project membership) still passes. A failure throws,
 * which ends the subscription with the error. Events in between reuse the last answer.
 */
export class LiveAccess {
  private checkedAt = 0;

  constructor(
    private readonly ctx: Context,
    private readonly check: (ctx: Context) => Promise<unknown>,
    private readonly everyMs = ctx.config.LIVE_AUTH_RECHECK_MS,
  ) {}

  async assert(): Promise<void> {
    if (Date.now() - this.checkedAt < this.everyMs) return;
    const viewer = this.ctx.viewer;
    if (!viewer) throw unauthenticated();
    const em = this.ctx.em.fork();
    const now = new Date();
    const valid = viewer.apiTokenId
      ? await em.count(ApiToken, {
          id: viewer.apiTokenId,
          revokedAt: null,
          $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }],
        })
      : viewer.sessionId
        ? await em.count(Session, { id: viewer.sessionId, revokedAt: null, expiresAt: { $gt: now } })
        : 0;
    if (!valid) throw unauthenticated('Your session or token has ended; subscribe again after signing in');
    this.ctx.em.clear();
    await this.check(this.ctx);
    this.checkedAt = Date.now();
  }
}
