import { isIP } from 'node:net';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from '../../context.js';
import { AppError, badInput, forbidden, unauthenticated } from '../../errors.js';
import { rules, validate } from '../../graphql/validate.js';
import type { AppServices } from '../../services.js';
import { z } from 'zod';
import { ApiToken } from '../api-token/api-token.entity.js';
import { Role } from '../role/role.entity.js';
import { User } from '../user/user.entity.js';
import type { AuthPayload, LoginInput, RegisterInput } from './auth.inputs.js';
import { clearRefreshCookie, readRefreshCookie, setRefreshCookie } from './cookies.js';
import { RefreshToken } from './refresh-token.entity.js';
import { Session } from './session.entity.js';
import { registerKeys, signInKeys, Throttle } from './throttle.js';
import { newOpaqueToken, sha256 } from './tokens.js';

const registerSchema = z.object({
  email: rules.email,
  password: rules.password,
  displayName: rules.displayName,
  locale: rules.locale.nullish(),
  inviteToken: z.string().trim().min(1).max(200).nullish(),
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

  /**
   * REGISTRATION=closed refuses all; invite needs a valid invite; open takes anyone. Every attempt counts
   * against the client address's budget. A taken email gets the same generic field error whatever
   * the mode, naming no account; probing is bounded by that budget (and, in invite mode, by holding
   * a valid invite, which may also be bound to one email).
   */
  async register(input: RegisterInput): Promise<AuthPayload> {
    const mode = this.ctx.config.REGISTRATION;
    if (mode === 'closed') throw forbidden('Registration is closed; ask an administrator for an account');
    const data = validate(registerSchema, input);
    if (mode === 'invite' && !data.inviteToken)
      throw forbidden('Registration is by invitation only; ask an administrator for an invite link');
    await new Throttle(this.ctx.em, this.ctx.config).reserve(registerKeys(this.ctx.config, this.ctx.ip));
    const em = this.ctx.em;
    const claim = data.inviteToken ? await this.ctx.services.invites.claim(data.inviteToken, data.email) : null;
    let created = false;
    try {
      if (await em.count(User, { email: data.email }))
        throw badInput('input.email', 'cannot be used to register here; sign in if you already have an account');
      const role = claim ? claim.invite.role : await em.findOneOrFail(Role, { name: this.ctx.config.DEFAULT_ROLE });
      const user = Object.assign(new User(), {
        email: data.email,
        displayName: data.displayName,
        locale: data.locale ?? 'en',
        passwordHash: await this.app.hasher.hash(data.password),
      });
      user.roles.add(role);
      em.persist(user);
      this.ctx.services.audit.record({
        action: 'user.register',
        actor: user,
        targetType: 'user',
        targetId: user.id,
        details: { role: role.name, ...(claim ? { inviteId: claim.invite.id } : {}) },
      });
      const payload = await this.startSession(user);
      created = true;
      if (claim) await this.ctx.services.invites.markUsedBy(claim.invite, user);
      return payload;
    } catch (error) {
      // An invite is spent only by an account actually created with it.
      if (claim && !created) await claim.release();
      throw error;
    }
  }

  async login(input: LoginInput): Promise<AuthPayload> {
    const { email, password } = validate(loginSchema, input);
    // Reserved before argon2 runs: concurrent guesses beyond the budget never reach the hasher.
    const throttle = new Throttle(this.ctx.em, this.ctx.config);
    const keys = signInKeys(this.ctx.config, email, this.ctx.ip);
    await throttle.reserve(keys);
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
    await throttle.succeeded(keys);
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
    if (this.ctx.http) clearRefreshCookie(this.ctx.http.req, this.ctx.http.res, this.ctx.config);
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

  /** Revokes every API token of a user (not worker tokens: those belong to worker accounts). */
  async revokeUserApiTokens(em: EntityManager, userId: string): Promise<number> {
    return em.nativeUpdate(ApiToken, { user: userId, revokedAt: null }, { revokedAt: new Date() });
  }

  /** Admin: ends the sign-in waits of an account (all addresses, or one) and of that address. */
  async clearSignInThrottle(email: string, ip?: string | null): Promise<number> {
    const account = validate(rules.email, email, 'email');
    const address = ip?.trim() || null;
    if (address && !isIP(address)) throw badInput('ip', 'must be an IPv4 or IPv6 address');
    const cleared = await new Throttle(this.ctx.em, this.ctx.config).clear(account, address);
    await this.ctx.services.audit.recordNow({
      action: 'auth.throttle.clear',
      targetType: 'user',
      details: { email: account, ip: address, cleared },
    });
    return cleared;
  }

  private async revokeSession(em: EntityManager, sessionId: string, reason: string) {
    await em.nativeUpdate(
      Session,
      { id: sessionId, revokedAt: null },
      { revokedAt: new Date(), revokedReason: reason },
    );
  }

  private refreshFailed(message: string): AppError {
    if (this.ctx.http) clearRefreshCookie(this.ctx.http.req, this.ctx.http.res, this.ctx.config);
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
    if (this.ctx.http) setRefreshCookie(this.ctx.http.req, this.ctx.http.res, this.ctx.config, refreshToken);
    this.ctx.signedIn.userId = session.user.id;
    return { accessToken: token, refreshToken, expiresAt, user: session.user };
  }
}
