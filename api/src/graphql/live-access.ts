import type { Context } from '../context.js';
import { unauthenticated } from '../errors.js';
import { ApiToken } from '../modules/api-token/api-token.entity.js';
import { Session } from '../modules/auth/session.entity.js';

/** Recent answers per (session or token, target), shared by that viewer's subscriptions to it. */
const recent = new Map<string, { at: number; answer: Promise<void> }>();

/**
 * For long-lived subscriptions: re-checks, at most every LIVE_AUTH_RECHECK_MS, that the subscriber's session or
 * API token still stands and that `check` (e.g. project membership of `target`) still passes. A failure throws,
 * which ends the subscription with the error. Events in between reuse the last answer, and subscriptions of
 * one session or token to one target share it: a dashboard open in 25 tabs re-checks once per window, not 25 times.
 */
export class LiveAccess {
  private checkedAt = 0;

  constructor(
    private readonly ctx: Context,
    private readonly target: string,
    private readonly check: (ctx: Context) => Promise<unknown>,
    private readonly everyMs = ctx.config.LIVE_AUTH_RECHECK_MS,
  ) {}

  async assert(): Promise<void> {
    const now = Date.now();
    if (now - this.checkedAt < this.everyMs) return;
    const viewer = this.ctx.viewer;
    if (!viewer) throw unauthenticated();
    const key = `${viewer.sessionId ?? ''}|${viewer.apiTokenId ?? ''}|${this.target}`;
    let entry = recent.get(key);
    if (!entry || now - entry.at >= this.everyMs) {
      if (recent.size > 10_000) for (const [k, e] of recent) if (now - e.at >= this.everyMs) recent.delete(k);
      entry = { at: now, answer: this.recheck() };
      recent.set(key, entry);
      // A failure is not kept: the next event asks again (the ones waiting now share the failure).
      entry.answer.catch(() => recent.get(key) === entry && recent.delete(key));
    }
    await entry.answer;
    this.checkedAt = entry.at;
  }

  private async recheck(): Promise<void> {
    const viewer = this.ctx.viewer!;
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
  }
}
