import type { Context } from '../context.js';
import { forbidden, unauthenticated } from '../errors.js';
import { reauthenticate } from '../modules/auth/viewer.js';
import type { Permission } from '../modules/role/permissions.js';

/**
 * Recent answers per (session or token, permission, target), shared by that viewer's subscriptions to it.
 * Per API process on purpose: with several instances each keeps its own (a revocation is seen by every
 * instance within LIVE_AUTH_RECHECK_MS, as the database is the source); sharing it through Redis would
 * add a round trip to save one cheap query per window.
 */
const recent = new Map<string, { at: number; answer: Promise<void> }>();

/**
 * For long-lived subscriptions: re-checks, at most every LIVE_AUTH_RECHECK_MS, everything a new request would
 * face — the session or API token still stands, the account is not disabled, the viewer still holds
 * `permission` (roles can change; a token holds its scopes ∩ its owner's permissions) — and that `check`
 * (e.g. project membership of `target`) still passes. A failure throws, which ends the subscription with the
 * error. Events in between reuse the last answer, and subscriptions of one session or token to one target
 * share it: a dashboard open in 25 tabs re-checks once per window, not 25 times.
 */
export class LiveAccess {
  private checkedAt = 0;

  constructor(
    private readonly ctx: Context,
    private readonly target: string,
    private readonly permission: Permission,
    private readonly check: (ctx: Context) => Promise<unknown>,
    private readonly everyMs = ctx.config.LIVE_AUTH_RECHECK_MS,
  ) {}

  async assert(): Promise<void> {
    const now = Date.now();
    if (now - this.checkedAt < this.everyMs) return;
    const viewer = this.ctx.viewer;
    if (!viewer) throw unauthenticated();
    const key = `${viewer.sessionId ?? ''}|${viewer.apiTokenId ?? ''}|${this.permission}|${this.target}`;
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
    const auth = await reauthenticate(this.ctx.em.fork(), this.ctx.viewer!);
    if (!auth.viewer) {
      const reason = auth.error?.message ?? 'Your session or token has ended';
      throw unauthenticated(`${reason}; subscribe again after signing in`);
    }
    if (!auth.viewer.permissions.has(this.permission)) throw forbidden(`Requires the ${this.permission} permission`);
    this.ctx.em.clear();
    await this.check(this.ctx);
  }
}
