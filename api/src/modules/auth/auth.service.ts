import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from '../../context.js';
import { AppError, conflict, forbidden, unauthenticated } from '../../errors.js';
import { rules, validate } from '../../graphql/validate.js';
import type { AppServices } from '../../services.js';
import { z } from 'zod';
import { DEFAULT_ROLE } from '../role/permissions.js';
import { Role } from '../role/role.entity.js';
import { User } from '../user/user.entity.js';
import type { AuthPayload, LoginInput, RegisterInput } from './auth.inputs.js';
import { clearRefreshCookie, readRefreshCookie, setRefreshCookie } from './cookies.js';
import { RefreshToken } from './refresh-token.entity.js';
import { Session } from './session.entity.js';
import { checkLoginThrottle } from './throttle.js';
import { newOpaqueToken, sha256 } from './tokens.js';

const registerSchema = z.object({
  email: rules.email,
  password: rules.password,
  displayName: rules.displayName,
  locale: rules.locale.nullish(),
});
const loginSchema = z.object({
  email: z.string().trim().toLowerCase().min(1, 'is required'),
  password: z.string().min(1, 'is required'),
});
const GENERIC_LOGIN_FAILURE = 'Email or password is incorrect';

export class AuthService {
  constructor(
    private readonly ctx: Context,
    private readonly app: AppServices,
  ) {}

  async register(input: RegisterInput): Promise<AuthPayload> {
    if (!this.ctx.config.ALLOW_REGISTRATION)
      throw forbidden('Registration is closed; ask an administrator for an account');
    const data = validate(registerSchema, input);
    const em = this.ctx.em;
    if (await em.count(User, { email: data.email }))
      throw conflict('input.email', 'An account with this email already exists');
    const user = Object.assign(new User(), {
      email: data.email,
      displayName: data.displayName,
      locale: data.locale ?? 'en',
      passwordHash: await this.app.hasher.hash(data.password),
    });
    user.roles.add(await em.findOneOrFail(Role, { name: DEFAULT_ROLE }));
    em.persist(user);
    this.ctx.services.audit.record({ action: 'user.register', actor: user, targetType: 'user', targetId: user.id });
    return this.startSession(user);
  }

  async login(input: LoginInput): Promise<AuthPayload> {
    const { email, password } = validate(loginSchema, input);
    await checkLoginThrottle(this.ctx.em, this.ctx.config, email, this.ctx.ip);
    const user = await this.ctx.em.findOne(User, { email }, { populate: ['roles'] });
    const ok = user
      ? await this.app.hasher.verify(user.passwordHash, password)
      : await this.app.hasher.verifyNothing(password);
    if (!user || !ok) {
      await this.ctx.services.audit.recordNow({
        action: 'auth.login',
        success: false,
        actor: { id: user?.id ?? null, email },
        details: { reason: user ? 'wrong-password' : 'unknown-email' },
      });
      throw unauthenticated(GENERIC_LOGIN_FAILURE);
    }
    if (user.disabledAt) {
      await this.ctx.services.audit.recordNow({
        action: 'auth.login',
        success: false,
        actor: user,
        details: { reason: 'disabled' },
      });
      throw unauthenticated('This account is disabled; ask an administrator');
    }
    this.ctx.services.audit.record({ action: 'auth.login', actor: user });
    return this.startSession(user);
  }

  /** Rotates a refresh token. Presenting one that was already rotated revokes its whole family. */
  async refresh(presented: string | null | undefined): Promise<AuthPayload> {
    const token = presented || (this.ctx.http && readRefreshCookie(this.ctx.http.req));
    if (!token) throw unauthenticated('No refresh token; sign in');
    const em = this.ctx.em;
    const stored = await em.findOne(
      RefreshToken,
      { tokenHash: sha256(token) },
      { populate: ['session', 'session.user', 'session.user.roles'] },
    );
    if (!stored) throw this.refreshFailed('Refresh token is not valid; sign in');
    const session = stored.session;
    // Claim the token atomically: of two concurrent refreshes with one token, only one wins.
    const claimed = await em.nativeUpdate(RefreshToken, { id: stored.id, rotatedAt: null }, { rotatedAt: new Date() });
    if (!claimed) {
      await this.revokeSession(em, session.id, 'refresh-token-reuse');
      await this.ctx.services.audit.recordNow({
        action: 'auth.refresh.reuse',
        success: false,
        actor: session.user,
        targetType: 'session',
        targetId: session.id,
      });
      throw this.refreshFailed('Refresh token was already used; all sign-ins of this session were ended for safety');
    }
    if (session.revokedAt || session.expiresAt < new Date())
      throw this.refreshFailed('Session has ended; sign in again');
    if (session.user.disabledAt) throw this.refreshFailed('This account is disabled');
    session.lastUsedAt = new Date();
    return this.issueTokens(session);
  }

  async logout(): Promise<boolean> {
    const em = this.ctx.em;
    let sessionId = this.ctx.viewer?.sessionId ?? null;
    const cookie = this.ctx.http && readRefreshCookie(this.ctx.http.req);
    if (!sessionId && cookie) {
      const stored = await em.findOne(RefreshToken, { tokenHash: sha256(cookie) });
      sessionId = stored?.session.id ?? null;
    }
    if (sessionId) await this.revokeSession(em, sessionId, 'logout');
    if (this.ctx.http) clearRefreshCookie(this.ctx.http.res, this.ctx.config);
    this.ctx.services.audit.record({ action: 'auth.logout', targetType: 'session', targetId: sessionId ?? undefined });
    await em.flush();
    return true;
  }

  /** Ends every session of a user (optionally but one); their access tokens stop working at once. */
  async revokeUserSessions(em: EntityManager, userId: string, reason: string, exceptSessionId?: string | null) {
    await em.nativeUpdate(
      Session,
      { user: userId, revokedAt: null, ...(exceptSessionId ? { id: { $ne: exceptSessionId } } : {}) },
      { revokedAt: new Date(), revokedReason: reason },
    );
  }

  private async revokeSession(em: EntityManager, sessionId: string, reason: string) {
    await em.nativeUpdate(
      Session,
      { id: sessionId, revokedAt: null },
      { revokedAt: new Date(), revokedReason: reason },
    );
  }

  private refreshFailed(message: string): AppError {
    if (this.ctx.http) clearRefreshCookie(this.ctx.http.res, this.ctx.config);
    return unauthenticated(message);
  }

  private async startSession(user: User): Promise<AuthPayload> {
    const session = Object.assign(new Session(), {
      user,
      expiresAt: new Date(Date.now() + this.ctx.config.REFRESH_TOKEN_TTL_DAYS * 86_400_000),
      userAgent: this.ctx.userAgent?.slice(0, 300) ?? null,
      ip: this.ctx.ip,
    });
    this.ctx.em.persist(session);
    return this.issueTokens(session);
  }

  /** Issues an access token and a fresh refresh token for `session`, flushing the unit of work. */
  private async issueTokens(session: Session): Promise<AuthPayload> {
    const refreshToken = newOpaqueToken();
    this.ctx.em.persist(Object.assign(new RefreshToken(), { session, tokenHash: sha256(refreshToken) }));
    await this.ctx.em.flush();
    const { token, expiresAt } = this.app.accessTokens.sign({ userId: session.user.id, sessionId: session.id });
    if (this.ctx.http) setRefreshCookie(this.ctx.http.res, this.ctx.config, refreshToken);
    this.ctx.signedIn.userId = session.user.id;
    return { accessToken: token, refreshToken, expiresAt, user: session.user };
  }
}
