import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, LOGIN, loginAdmin } from '../../../test/factories.js';
import { ADMIN, errorCode, startTestApp, type TestApp } from '../../../test/test-app.js';
import { clientKey } from './throttle.js';

const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { user { email } } }`;
const CLEAR = `mutation($email: String!, $ip: String) { clearSignInThrottle(email: $email, ip: $ip) }`;
const CHANGE = `mutation($input: ChangePasswordInput!) { changePassword(input: $input) }`;

let app: TestApp;
let verifications = 0;
beforeAll(async () => {
  // TRUST_PROXY=loopback: the test speaks for many client addresses with X-Forwarded-For.
  app = await startTestApp({
    TRUST_PROXY: 'loopback',
    LOGIN_MAX_FAILURES_PER_ACCOUNT: '5',
    LOGIN_MAX_FAILURES_PER_CLIENT: '8',
    LOGIN_BACKOFF_BASE_SECONDS: '60',
    LOGIN_BACKOFF_MAX_SECONDS: '600',
    REGISTRATION: 'open',
    REGISTER_MAX_PER_CLIENT: '3',
  });
  // Count argon2 verifications: the number the throttle must bound.
  const hasher = app.runtime.hasher;
  const verify = hasher.verify.bind(hasher);
  hasher.verify = (hash, password) => {
    verifications++;
    return verify(hash, password);
  };
});
afterAll(() => app.close());

let nextAddress = 1;
/** A client address of its own for each test, so the tests' counters do not meet. */
const freshAddress = () => `198.51.100.${nextAddress++}`;
const from = (ip: string) => ({ 'x-forwarded-for': ip });
const attempt = (email: string, password: string, ip: string) =>
  app.gql(LOGIN, { input: { email, password } }, undefined, from(ip));

describe('sign-in throttling', () => {
  it('lets at most the free attempts of 100 parallel wrong passwords reach the password check', async () => {
    const user = await createUser(app, ['MEMBER'], 'parallel');
    const ip = freshAddress();
    const before = verifications;
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => attempt(user.email, `wrong-password-${i}`, ip)),
    );
    const codes = results.map(errorCode);
    const evaluated = verifications - before;
    console.log(
      `100 parallel wrong logins: ${evaluated} argon2 verifications, ${codes.filter((c) => c === 'RATE_LIMITED').length} RATE_LIMITED`,
    );
    expect(evaluated).toBeLessThanOrEqual(5);
    expect(codes.filter((c) => c === 'UNAUTHENTICATED')).toHaveLength(evaluated);
    expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(100 - evaluated);
    // The audit log agrees: as many recorded failures as verifications.
    const admin = await loginAdmin(app);
    const events = await app.gql(
      `query($f: AuditFilter) { auditEvents(filter: $f, first: 100) { nodes { actorEmail } } }`,
      { f: { action: 'auth.login', success: false } },
      admin.token,
    );
    const rows = events.data!.auditEvents.nodes.filter((n: { actorEmail: string }) => n.actorEmail === user.email);
    expect(rows).toHaveLength(evaluated);
  });

  it('waits longer after every further failure, and is not a lock-out of the account from elsewhere', async () => {
    const user = await createUser(app, ['MEMBER'], 'backoff');
    const ip = freshAddress();
    for (let i = 0; i < 5; i++)
      expect(errorCode(await attempt(user.email, 'wrong-password-x', ip))).toBe('UNAUTHENTICATED');
    const first = await attempt(user.email, user.password, ip);
    expect(errorCode(first)).toBe('RATE_LIMITED');
    expect(first.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(55);
    expect(first.errors![0].extensions!.retryAfterSeconds).toBeLessThanOrEqual(60);
    // Let the first wait end (as if 60 s passed), fail once more: the next wait is twice as long.
    await app.runtime.orm.em
      .getConnection()
      .execute(`update sign_in_throttles set blocked_until = now() - interval '1 second' where key = ?`, [
        `${user.email}|${ip}`,
      ]);
    expect(errorCode(await attempt(user.email, 'wrong-password-y', ip))).toBe('UNAUTHENTICATED');
    const second = await attempt(user.email, user.password, ip);
    expect(second.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(115);
    // The owner signs in from another address meanwhile.
    const elsewhere = await attempt(user.email, user.password, freshAddress());
    expect(elsewhere.errors).toBeUndefined();
  });

  it('a locked address does not lock a different address out of a different account', async () => {
    const victim = await createUser(app, ['MEMBER'], 'victim');
    const attacker = freshAddress();
    for (let i = 0; i < 8; i++) await attempt(`nobody-${i}@example.com`, 'wrong-password-z', attacker);
    // The attacker's address is waiting now, for every account, the administrator's included …
    expect(errorCode(await attempt(ADMIN.email, ADMIN.password, attacker))).toBe('RATE_LIMITED');
    // … and nobody else is.
    expect((await attempt(victim.email, victim.password, freshAddress())).errors).toBeUndefined();
    expect((await attempt(ADMIN.email, ADMIN.password, freshAddress())).errors).toBeUndefined();
  });

  it('an administrator clears a wait, and the audit log records it', async () => {
    const user = await createUser(app, ['MEMBER'], 'cleared');
    const ip = freshAddress();
    for (let i = 0; i < 5; i++) await attempt(user.email, 'wrong-password-x', ip);
    expect(errorCode(await attempt(user.email, user.password, ip))).toBe('RATE_LIMITED');

    const admin = await loginAdmin(app);
    const member = await createUser(app, ['MEMBER'], 'notadmin');
    expect(errorCode(await app.gql(CLEAR, { email: user.email, ip }, member.token))).toBe('FORBIDDEN');
    const cleared = await app.gql(CLEAR, { email: user.email.toUpperCase(), ip }, admin.token);
    expect(cleared.data!.clearSignInThrottle).toBe(2); // the account+address and the address counters
    expect((await attempt(user.email, user.password, ip)).errors).toBeUndefined();

    const audit = await app.gql(
      `{ auditEvents(filter: { action: "auth.throttle.clear" }) { nodes { actorEmail details } } }`,
      {},
      admin.token,
    );
    expect(audit.data!.auditEvents.nodes[0]).toMatchObject({
      actorEmail: ADMIN.email,
      details: { email: user.email, ip, cleared: 2 },
    });
  });

  it('throttles the current-password check of changePassword like a sign-in', async () => {
    const user = await createUser(app, ['MEMBER'], 'oracle');
    const ip = freshAddress();
    const change = (currentPassword: string) =>
      app.gql(CHANGE, { input: { currentPassword, newPassword: 'a brand new password' } }, user.token, from(ip));
    for (let i = 0; i < 5; i++) expect(errorCode(await change(`guess-${i}-password`))).toBe('BAD_USER_INPUT');
    expect(errorCode(await change(user.password))).toBe('RATE_LIMITED');
  });
});

describe('registration budget', () => {
  it('refuses registrations from one address beyond its budget, not from others', async () => {
    const ip = freshAddress();
    const register = (n: number, address: string) =>
      app.gql(
        REGISTER,
        { input: { email: `reg-${address}-${n}@example.com`, password: 'long enough password', displayName: 'R' } },
        undefined,
        from(address),
      );
    const results = await Promise.all([0, 1, 2, 3, 4, 5].map((n) => register(n, ip)));
    expect(results.filter((r) => !r.errors)).toHaveLength(3);
    expect(results.filter((r) => errorCode(r) === 'RATE_LIMITED')).toHaveLength(3);
    expect((await register(0, freshAddress())).errors).toBeUndefined();
  });
});

describe('client keys', () => {
  it('counts an IPv6 client by its /64 network, an IPv4 client by its address', () => {
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey(null)).toBe('unknown');
  });

  it('a refused attempt leaves no counter behind (a spray of new emails cannot fill the table)', async () => {
    const ip = freshAddress();
    for (let i = 0; i < 8; i++) await attempt(`spray-${i}@example.com`, 'wrong-password-z', ip);
    const count = async () =>
      Number(
        (
          await app.runtime.orm.em
            .getConnection()
            .execute<{ n: string }[]>(`select count(*) as n from sign_in_throttles where key like ?`, [`%${ip}`])
        )[0].n,
      );
    const before = await count();
    for (let i = 8; i < 20; i++)
      expect(errorCode(await attempt(`spray-${i}@example.com`, 'wrong-password-z', ip))).toBe('RATE_LIMITED');
    expect(await count()).toBe(before);
  });
});
