import { isIP } from 'node:net';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';

/**
 * Throttle counters in PostgreSQL (table `sign_in_throttles`), shared by every API instance.
 *
 * An attempt is RESERVED before the password is checked: under the counters' row locks, every key is
 * checked and counted as a failure in one transaction, so of N concurrent attempts only the free ones
 * get to run argon2. A success then takes its reservation back. Once a key's free attempts are spent,
 * each further failure doubles the wait (LOGIN_BACKOFF_BASE_SECONDS … LOGIN_BACKOFF_MAX_SECONDS);
 * nothing is locked for good, and a counter is forgotten after a quiet LOGIN_THROTTLE_WINDOW_SECONDS.
 *
 * Keys: `login-pair` (account + client address) and `login-client` (client address) for sign-in and
 * the current-password check; `register` (client address) for registrations. There is deliberately
 * no account-wide key: an attacker elsewhere cannot lock the owner (or the administrator) out.
 */
export type ThrottleScope = 'login-pair' | 'login-client' | 'register';

export interface ThrottleKey {
  scope: ThrottleScope;
  key: string;
  /** Attempts allowed before the back-off starts. */
  free: number;
}

interface Row {
  scope: string;
  key: string;
  failures: number;
  blocked_until: Date | null;
  updated_at: Date;
  now: Date;
}

/**
 * The client as the throttle counts it: an IPv4 address, or an IPv6 address's /64 network (one
 * subscriber usually holds a whole /64, so single IPv6 addresses would be free new budgets).
 */
export function clientKey(ip: string | null): string {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1];
  if (isIP(ip) !== 6) return ip;
  const [head, tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') && tail ? tail.split(':') : [];
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export const signInKeys = (config: Config, email: string, ip: string | null): ThrottleKey[] => [
  { scope: 'login-pair', key: `${email}|${clientKey(ip)}`, free: config.LOGIN_MAX_FAILURES_PER_ACCOUNT },
  { scope: 'login-client', key: clientKey(ip), free: config.LOGIN_MAX_FAILURES_PER_CLIENT },
];

export const registerKeys = (config: Config, ip: string | null): ThrottleKey[] => [
  { scope: 'register', key: clientKey(ip), free: config.REGISTER_MAX_PER_CLIENT },
];

export class Throttle {
  constructor(
    private readonly em: EntityManager,
    private readonly config: Config,
  ) {}

  /**
   * Counts one attempt against every key, or none when any key is waiting (then RATE_LIMITED with
   * the seconds to wait). The attempt stays counted as a failure unless `succeeded` takes it back.
   */
  async reserve(keys: ThrottleKey[]): Promise<void> {
    const sorted = [...keys].sort((a, b) => `${a.scope}\0${a.key}`.localeCompare(`${b.scope}\0${b.key}`));
    const pairs = sorted.map(() => '(?, ?)').join(', ');
    const pairParams = sorted.flatMap((k) => [k.scope, k.key]);
    await this.em.fork().transactional(async (em) => {
      // The no-op update locks an existing row at once, so a concurrent prune cannot remove it
      // between this statement and the next.
      await em.execute(
        `insert into sign_in_throttles (scope, key, failures, updated_at) values ${sorted
          .map(() => '(?, ?, 0, now())')
          .join(', ')} on conflict (scope, key) do update set updated_at = sign_in_throttles.updated_at`,
        pairParams,
      );
      // Sorted keys, locked in one order: concurrent reservations queue here instead of deadlocking.
      const rows = await em.execute<Row[]>(
        `select scope, key, failures, blocked_until, updated_at, clock_timestamp() as now from sign_in_throttles
          where (scope, key) in (${pairs}) order by scope, key for update`,
        pairParams,
      );
      const now = new Date(rows[0].now).getTime();
      const blocked = rows
        .map((r) => (r.blocked_until ? new Date(r.blocked_until).getTime() : 0))
        .filter((until) => until > now);
      // Throwing rolls back: a refused attempt leaves no new rows and changes no counter.
      if (blocked.length) throw rateLimited(Math.max(...blocked) - now);
      const values: unknown[] = [];
      for (const k of sorted) {
        const row = rows.find((r) => r.scope === k.scope && r.key === k.key)!;
        const failures = this.isStale(row, now) ? 1 : row.failures + 1;
        values.push(k.scope, k.key, failures, this.blockedUntil(failures, k.free, now));
      }
      await em.execute(
        `update sign_in_throttles t set failures = v.failures, blocked_until = v.blocked_until, updated_at = now()
           from (values ${sorted.map(() => '(?, ?, ?::int, ?::timestamptz)').join(', ')})
             as v(scope, key, failures, blocked_until)
          where t.scope = v.scope and t.key = v.key`,
        values,
      );
    });
    // Now and then, forget counters that have been quiet for a whole window.
    if (Math.random() < PRUNE_CHANCE) await this.prune();
  }

  async prune(): Promise<void> {
    await this.em.execute(
      `delete from sign_in_throttles
        where greatest(updated_at, coalesce(blocked_until, updated_at)) < now() - make_interval(secs => ?)`,
      [this.config.LOGIN_THROTTLE_WINDOW_SECONDS],
    );
  }

  /**
   * Takes a successful attempt's reservation back: the account+address counter starts over, the
   * address counter forgets this one attempt (an attacker's own good sign-ins must not reset it).
   */
  async succeeded(keys: ThrottleKey[]): Promise<void> {
    for (const k of keys) {
      if (k.scope === 'login-pair') {
        await this.em.execute('delete from sign_in_throttles where scope = ? and key = ?', [k.scope, k.key]);
      } else {
        await this.em.execute(
          `update sign_in_throttles set failures = greatest(failures - 1, 0),
              blocked_until = case when failures - 1 >= ? then blocked_until end
            where scope = ? and key = ?`,
          [k.free, k.scope, k.key],
        );
      }
    }
  }

  /** Ends the waits of an account (on every address, or on `ip`) and, given `ip`, of that address. */
  async clear(email: string, ip: string | null): Promise<number> {
    const rows = await this.em.execute<{ scope: string }[]>(
      ip
        ? `delete from sign_in_throttles
            where (scope = 'login-pair' and key = ?) or (scope in ('login-client', 'register') and key = ?)
           returning scope`
        : `delete from sign_in_throttles where scope = 'login-pair' and key like ? returning scope`,
      ip ? [`${email}|${clientKey(ip)}`, clientKey(ip)] : [`${escapeLike(email)}|%`],
    );
    return rows.length;
  }

  private isStale(row: Row, now: number): boolean {
    const quietSince = Math.max(
      new Date(row.updated_at).getTime(),
      row.blocked_until ? new Date(row.blocked_until).getTime() : 0,
    );
    return now - quietSince > this.config.LOGIN_THROTTLE_WINDOW_SECONDS * 1000;
  }

  /** The free-th attempt starts the first wait; each one after it doubles the wait, up to the cap. */
  private blockedUntil(failures: number, free: number, now: number): Date | null {
    if (failures < free) return null;
    const { LOGIN_BACKOFF_BASE_SECONDS: base, LOGIN_BACKOFF_MAX_SECONDS: max } = this.config;
    const seconds = Math.min(max, base * 2 ** Math.min(failures - free, 30));
    return new Date(now + seconds * 1000);
  }
}

const PRUNE_CHANCE = 0.02;

function rateLimited(waitMs: number): AppError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new AppError('RATE_LIMITED', `Too many attempts. Try again in ${formatWait(seconds)}.`, {
    retryAfterSeconds: seconds,
  });
}

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

function formatWait(seconds: number): string {
  return seconds < 120 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
}
