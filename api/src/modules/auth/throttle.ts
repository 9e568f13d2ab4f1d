import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';

/**
 * Login throttling from the audit log itself: failed `auth.login` events per account (since its last
 * success) and per client address, within a sliding window. Shared by every API instance, survives
 * restarts, and needs no second store.
 */
export async function checkLoginThrottle(
  em: EntityManager,
  config: Config,
  email: string,
  ip: string | null,
): Promise<void> {
  const windowSeconds = config.LOGIN_THROTTLE_WINDOW_SECONDS;
  const byAccount = await countFailures(
    em,
    windowSeconds,
    `actor_email = ? and at > coalesce((select max(at) from audit_events
       where action = 'auth.login' and success and actor_email = ?), '-infinity')`,
    [email, email],
    config.LOGIN_MAX_FAILURES_PER_ACCOUNT,
  );
  const byClient = ip
    ? await countFailures(em, windowSeconds, 'ip = ?', [ip], config.LOGIN_MAX_FAILURES_PER_CLIENT)
    : 0;
  const retryAfter = Math.max(byAccount, byClient);
  if (retryAfter > 0) {
    throw new AppError('RATE_LIMITED', `Too many failed sign-in attempts. Try again in ${formatWait(retryAfter)}.`, {
      retryAfterSeconds: retryAfter,
    });
  }
}

/** Seconds until the attempt is allowed again, or 0 when it is allowed now. */
async function countFailures(
  em: EntityManager,
  windowSeconds: number,
  condition: string,
  params: unknown[],
  max: number,
): Promise<number> {
  // The max-th newest failure in the window is the one whose expiry frees a slot.
  const rows = await em.getConnection().execute<{ at: Date }[]>(
    `select at from audit_events
      where action = 'auth.login' and not success and at > now() - make_interval(secs => ?)
        and ${condition}
      order by at desc offset ? limit 1`,
    [windowSeconds, ...params, max - 1],
  );
  if (!rows.length) return 0;
  const freeAt = new Date(rows[0].at).getTime() + windowSeconds * 1000;
  return Math.max(1, Math.ceil((freeAt - Date.now()) / 1000));
}

function formatWait(seconds: number): string {
  return seconds < 120 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
}
