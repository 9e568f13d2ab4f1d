import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, LOGIN, login, loginAdmin } from '../../../test/factories.js';
import { ADMIN, errorCode, startTestApp, type TestApp } from '../../../test/test-app.js';
import { resolveJwtSecret } from './tokens.js';

const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { accessToken refreshToken user { email displayName roles { name } } } }`;
const REFRESH = `mutation($input: RefreshTokenInput) { refreshToken(input: $input) { accessToken refreshToken } }`;
const ME = `{ me { id email } }`;

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({
    LOGIN_MAX_FAILURES_PER_ACCOUNT: '3',
    LOGIN_MAX_FAILURES_PER_CLIENT: '1000',
    REGISTRATION: 'open',
    REGISTER_MAX_PER_CLIENT: '1000',
  });
});
afterAll(() => app.close());

describe('registration and sign-in', () => {
  it('registers with a normalised email as a VIEWER (the default role) and signs in', async () => {
    const res = await app.gql(REGISTER, {
      input: { email: '  Ada@Example.COM ', password: 'correct horse battery', displayName: '艾达' },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!.register.user).toEqual({
      email: 'ada@example.com',
      displayName: '艾达',
      roles: [{ name: 'VIEWER' }],
    });
    const me = await app.gql(ME, {}, res.data!.register.accessToken);
    expect(me.data!.me.email).toBe('ada@example.com');
  });

  it('refuses a second account with the same email in another case, without saying it exists', async () => {
    const res = await app.gql(REGISTER, {
      input: { email: 'ADA@example.com', password: 'another password', displayName: 'x' },
    });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions!.fields[0].field).toBe('input.email');
    expect(res.errors![0].message).not.toMatch(/exist/i);
  });

  it('names every bad field of a registration', async () => {
    const res = await app.gql(REGISTER, { input: { email: 'not-an-email', password: 'short', displayName: ' ' } });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    const fields = res.errors![0].extensions!.fields.map((f: { field: string }) => f.field).sort();
    expect(fields).toEqual(['input.displayName', 'input.email', 'input.password']);
  });

  it('refuses a password over 256 bytes (even when under 256 characters)', async () => {
    const res = await app.gql(REGISTER, {
      input: { email: 'long@example.com', password: '密'.repeat(90), displayName: 'x' },
    });
    expect(res.errors![0].extensions!.fields).toEqual([
      { field: 'input.password', message: 'must be at most 256 bytes' },
    ]);
  });

  it('gives the same message for an unknown email and a wrong password', async () => {
    const unknown = await app.gql(LOGIN, { input: { email: 'nobody@example.com', password: 'whatever-password' } });
    const wrong = await app.gql(LOGIN, { input: { email: ADMIN.email, password: 'wrong-password-1' } });
    expect(errorCode(unknown)).toBe('UNAUTHENTICATED');
    expect(unknown.errors![0].message).toBe(wrong.errors![0].message);
    // The admin's counter restarts on success, so this failure does not lock the admin out later.
    const admin = await app.gql(LOGIN, { input: ADMIN });
    // The payload carries the signed-in user's permissions (the web app shows menus from them).
    expect(admin.data!.login.user.permissions).toContain('user:manage');
  });

  it('sets the refresh token as an httpOnly SameSite=Strict cookie', async () => {
    const res = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: LOGIN, variables: { input: ADMIN } }),
    });
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^lt_refresh=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\/graphql/i);
  });
});

describe('refresh tokens', () => {
  it('rotates on every use; the new access token works', async () => {
    const user = await loginAdmin(app);
    const first = await app.gql(REFRESH, { input: { refreshToken: user.refreshToken } });
    expect(first.errors).toBeUndefined();
    expect(first.data!.refreshToken.refreshToken).not.toBe(user.refreshToken);
    const me = await app.gql(ME, {}, first.data!.refreshToken.accessToken);
    expect(me.data!.me.email).toBe(ADMIN.email);
  });

  it('revokes the whole family when a rotated refresh token is reused', async () => {
    const user = await loginAdmin(app);
    const rotated = await app.gql(REFRESH, { input: { refreshToken: user.refreshToken } });
    const { accessToken, refreshToken: newest } = rotated.data!.refreshToken;

    const reuse = await app.gql(REFRESH, { input: { refreshToken: user.refreshToken } });
    expect(errorCode(reuse)).toBe('UNAUTHENTICATED');
    // Everything of that session is dead now: the newest refresh token and the access tokens.
    expect(errorCode(await app.gql(REFRESH, { input: { refreshToken: newest } }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await app.gql(ME, {}, accessToken))).toBe('UNAUTHENTICATED');
    expect(errorCode(await app.gql(ME, {}, user.token))).toBe('UNAUTHENTICATED');
  });

  it('refreshes from the cookie when no token is given (browser flow)', async () => {
    const res = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: LOGIN, variables: { input: ADMIN } }),
    });
    const cookie = res.headers.get('set-cookie')!.split(';')[0];
    const refreshed = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ query: REFRESH, variables: {} }),
    });
    const body = (await refreshed.json()) as { data: { refreshToken: { accessToken: string } } };
    // The new access token signs the same person in, and the cookie is rotated (the old one is spent).
    const me = await app.gql(ME, {}, body.data.refreshToken.accessToken);
    expect(me.data!.me.email).toBe(ADMIN.email);
    const rotated = refreshed.headers.get('set-cookie')!.split(';')[0];
    expect(rotated).toMatch(/^lt_refresh=./);
    expect(rotated).not.toBe(cookie);
    expect(errorCode(await app.gql(REFRESH, {}, undefined, { cookie }))).toBe('UNAUTHENTICATED');
  });

  it('logout ends the session', async () => {
    const user = await loginAdmin(app);
    expect((await app.gql('mutation { logout }', {}, user.token)).data!.logout).toBe(true);
    expect(errorCode(await app.gql(ME, {}, user.token))).toBe('UNAUTHENTICATED');
    expect(errorCode(await app.gql(REFRESH, { input: { refreshToken: user.refreshToken } }))).toBe('UNAUTHENTICATED');
  });
});

describe('access tokens', () => {
  const secret = () => resolveJwtSecret(app.config);
  const claims = (userId: string, sid: string) => ({ typ: 'access', sid, sub: userId });
  const sign = (payload: object, key: string, options: jwt.SignOptions) => jwt.sign(payload, key, options);

  async function validClaims() {
    const user = await loginAdmin(app);
    const decoded = jwt.decode(user.token) as { sub: string; sid: string };
    return { userId: decoded.sub, sid: decoded.sid };
  }

  it('refuses an expired token and says so', async () => {
    const { userId, sid } = await validClaims();
    const token = sign({ ...claims(userId, sid), exp: Math.floor(Date.now() / 1000) - 10 }, secret(), {
      algorithm: 'HS256',
      issuer: app.config.JWT_ISSUER,
      audience: app.config.JWT_AUDIENCE,
    });
    const res = await app.gql(ME, {}, token);
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
    expect(res.errors![0].message).toMatch(/expired/);
  });

  it('refuses a token signed with another key', async () => {
    const { userId, sid } = await validClaims();
    const token = sign(claims(userId, sid), 'a-completely-different-secret-key-0123456789', {
      algorithm: 'HS256',
      issuer: app.config.JWT_ISSUER,
      audience: app.config.JWT_AUDIENCE,
      expiresIn: 60,
    });
    expect(errorCode(await app.gql(ME, {}, token))).toBe('UNAUTHENTICATED');
  });

  it('refuses alg: none', async () => {
    const { userId, sid } = await validClaims();
    const token = sign({ ...claims(userId, sid), iss: app.config.JWT_ISSUER, aud: app.config.JWT_AUDIENCE }, '', {
      algorithm: 'none',
      expiresIn: 60,
    });
    expect(errorCode(await app.gql(ME, {}, token))).toBe('UNAUTHENTICATED');
  });

  it('refuses the wrong audience, the wrong issuer and the wrong token type', async () => {
    const { userId, sid } = await validClaims();
    const base = { algorithm: 'HS256' as const, expiresIn: 60 };
    const wrongAud = sign(claims(userId, sid), secret(), {
      ...base,
      issuer: app.config.JWT_ISSUER,
      audience: 'other-api',
    });
    const wrongIss = sign(claims(userId, sid), secret(), {
      ...base,
      issuer: 'someone-else',
      audience: app.config.JWT_AUDIENCE,
    });
    const wrongTyp = sign({ ...claims(userId, sid), typ: 'refresh' }, secret(), {
      ...base,
      issuer: app.config.JWT_ISSUER,
      audience: app.config.JWT_AUDIENCE,
    });
    for (const token of [wrongAud, wrongIss, wrongTyp])
      expect(errorCode(await app.gql(ME, {}, token))).toBe('UNAUTHENTICATED');
  });

  it('accepts a correctly signed token (the checks above are not refusing everything)', async () => {
    const { userId, sid } = await validClaims();
    const token = sign(claims(userId, sid), secret(), {
      algorithm: 'HS256',
      issuer: app.config.JWT_ISSUER,
      audience: app.config.JWT_AUDIENCE,
      expiresIn: 60,
    });
    expect((await app.gql(ME, {}, token)).data!.me.id).toBe(userId);
  });
});

describe('throttling', () => {
  it('limits failures per account with RATE_LIMITED and a retry-after, even for the right password', async () => {
    const user = await createUser(app, ['MEMBER'], 'throttled');
    for (let i = 0; i < 3; i++) {
      expect(errorCode(await app.gql(LOGIN, { input: { email: user.email, password: 'wrong-password-x' } }))).toBe(
        'UNAUTHENTICATED',
      );
    }
    const limited = await app.gql(LOGIN, { input: { email: user.email, password: user.password } });
    expect(errorCode(limited)).toBe('RATE_LIMITED');
    expect(limited.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('limits failures per client address across accounts', async () => {
    const strict = await startTestApp({ LOGIN_MAX_FAILURES_PER_CLIENT: '2' });
    try {
      await strict.gql(LOGIN, { input: { email: 'a@example.com', password: 'wrong-password-1' } });
      await strict.gql(LOGIN, { input: { email: 'b@example.com', password: 'wrong-password-1' } });
      const res = await strict.gql(LOGIN, { input: { email: ADMIN.email, password: ADMIN.password } });
      expect(errorCode(res)).toBe('RATE_LIMITED');
    } finally {
      await strict.close();
    }
  });
});

describe('account changes', () => {
  it('changing the password ends other sessions but keeps this one', async () => {
    const user = await createUser(app, ['MEMBER'], 'changer');
    const other = await login(app, user.email, user.password);
    const res = await app.gql(
      `mutation($input: ChangePasswordInput!) { changePassword(input: $input) }`,
      { input: { currentPassword: user.password, newPassword: 'a brand new password' } },
      user.token,
    );
    expect(res.data!.changePassword).toBe(true);
    expect((await app.gql(ME, {}, user.token)).data!.me.email).toBe(user.email);
    expect(errorCode(await app.gql(ME, {}, other.token))).toBe('UNAUTHENTICATED');
    await expect(login(app, user.email, 'a brand new password')).resolves.toBeTruthy();
  });

  it('changing the password with revokeApiTokens revokes the API tokens too; without it they stay', async () => {
    const CREATE_TOKEN = `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`;
    const CHANGE = `mutation($input: ChangePasswordInput!) { changePassword(input: $input) }`;
    const user = await createUser(app, ['MEMBER'], 'tokens');
    const apiToken = async () =>
      (await app.gql(CREATE_TOKEN, { input: { name: 'script', scopes: ['model:read'] } }, user.token)).data!
        .createApiToken.token as string;
    const kept = await apiToken();
    await app.gql(CHANGE, { input: { currentPassword: user.password, newPassword: 'second password 22' } }, user.token);
    expect((await app.gql(ME, {}, kept)).data!.me.email).toBe(user.email);

    const other = await login(app, user.email, 'second password 22');
    const res = await app.gql(
      CHANGE,
      { input: { currentPassword: 'second password 22', newPassword: 'third password 333', revokeApiTokens: true } },
      user.token,
    );
    expect(res.data!.changePassword).toBe(true);
    expect(errorCode(await app.gql(ME, {}, kept))).toBe('UNAUTHENTICATED');
    expect(errorCode(await app.gql(ME, {}, other.token))).toBe('UNAUTHENTICATED');
    expect(errorCode(await app.gql(REFRESH, { input: { refreshToken: other.refreshToken } }))).toBe('UNAUTHENTICATED');
    // The session that changed the password goes on, and its new tokens work.
    expect((await app.gql(ME, {}, user.token)).data!.me.email).toBe(user.email);
    expect((await app.gql(REFRESH, { input: { refreshToken: user.refreshToken } })).errors).toBeUndefined();
  });

  it('refuses a wrong current password, naming the field', async () => {
    const user = await createUser(app, ['MEMBER'], 'wrongcurrent');
    const res = await app.gql(
      `mutation($input: ChangePasswordInput!) { changePassword(input: $input) }`,
      { input: { currentPassword: 'not-my-password', newPassword: 'a brand new password' } },
      user.token,
    );
    expect(res.errors![0].extensions!.fields[0].field).toBe('input.currentPassword');
  });

  it('disabling a user stops their tokens at once and refuses sign-in', async () => {
    const user = await createUser(app, ['MEMBER'], 'disabled');
    const admin = await loginAdmin(app);
    await app.gql(`mutation($id: ID!) { disableUser(id: $id) { disabledAt } }`, { id: user.id }, admin.token);
    expect(errorCode(await app.gql(ME, {}, user.token))).toBe('UNAUTHENTICATED');
    expect(errorCode(await app.gql(REFRESH, { input: { refreshToken: user.refreshToken } }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await app.gql(LOGIN, { input: { email: user.email, password: user.password } }))).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('records sign-ins and failures in the audit log', async () => {
    const admin = await loginAdmin(app);
    const res = await app.gql(
      `{ auditEvents(filter: { action: "auth.login", success: false }) { nodes { actorEmail details } } }`,
      {},
      admin.token,
    );
    const emails = res.data!.auditEvents.nodes.map((n: { actorEmail: string }) => n.actorEmail);
    expect(emails).toContain('nobody@example.com');
  });
});
