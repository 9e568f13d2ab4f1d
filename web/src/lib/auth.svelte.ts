import {
  LoginDocument,
  LogoutDocument,
  MeDocument,
  RefreshSessionDocument,
  RegisterDocument,
  type AuthPayloadFieldsFragment,
  type LoginInput,
  type MeFieldsFragment,
  type RegisterInput,
} from '$lib/graphql/generated/graphql';
import { isAppError } from '$lib/graphql/errors';
import { postGraphQL } from '$lib/graphql/transport';

export type AuthStatus = 'unknown' | 'signedIn' | 'signedOut';
/** Why a session ended: the user asked (`logout`) or it could not be renewed (`expired`). */
export type SessionEnd = 'logout' | 'expired';

/** Refresh this long before the access token expires. */
const REFRESH_LEAD_MS = 60_000;
/** After a network failure, try again this soon while the access token still works. */
const RETRY_MS = 15_000;
/** Refresh tokens rotate: two tabs presenting the same one would revoke the session. */
const LOCK_NAME = 'llm-trainer:refresh-session';

function withCrossTabLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return locks ? locks.request(LOCK_NAME, fn) : fn();
}

/**
 * The signed-in session. The access token lives in this object only (never in web storage, so
 * an injected script cannot lift it from there); the refresh token is an httpOnly cookie the
 * browser sends to /graphql by itself.
 */
class Auth {
  user = $state<MeFieldsFragment | null>(null);
  status = $state<AuthStatus>('unknown');
  ended = $state<SessionEnd | null>(null);

  #token: string | null = null;
  #expiresAt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #refreshing: Promise<boolean> | null = null;
  #restoring: Promise<void> | null = null;
  #tokenListeners = new Set<() => void>();

  get accessToken(): string | null {
    return this.#token;
  }

  can(permission: string): boolean {
    return this.user?.permissions.includes(permission) ?? false;
  }

  /** Runs `listener` whenever the access token changes (sign-in, refresh, sign-out). */
  onTokenChange(listener: () => void): () => void {
    this.#tokenListeners.add(listener);
    return () => this.#tokenListeners.delete(listener);
  }

  /** On app load: turn the refresh cookie, if any, into a session. Runs once. */
  restore(): Promise<void> {
    this.#restoring ??= this.refresh().then(() => undefined);
    return this.#restoring;
  }

  async login(input: LoginInput): Promise<void> {
    const data = await postGraphQL(LoginDocument, { input });
    await this.#start(data.login);
  }

  async register(input: RegisterInput): Promise<void> {
    const data = await postGraphQL(RegisterDocument, { input });
    await this.#start(data.register);
  }

  /** Single flight: every caller during a refresh shares it, so a refresh token is used once. */
  refresh(): Promise<boolean> {
    this.#refreshing ??= this.#refreshNow().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  async logout(): Promise<void> {
    try {
      await postGraphQL(LogoutDocument, {}, this.#token);
    } catch {
      // The local session ends regardless; the server clears its cookie when it can.
    }
    this.#end('logout');
  }

  /** After the profile changes (name, language). */
  setUser(user: MeFieldsFragment): void {
    this.user = user;
  }

  async #refreshNow(): Promise<boolean> {
    try {
      const data = await withCrossTabLock(() => postGraphQL(RefreshSessionDocument, {}));
      await this.#start(data.refreshToken);
      return true;
    } catch (error) {
      const network = isAppError(error) && error.code === 'NETWORK';
      if (network && this.#token && Date.now() < this.#expiresAt) {
        this.#schedule(RETRY_MS);
        return false;
      }
      this.#end(this.status === 'signedIn' ? 'expired' : null);
      return false;
    }
  }

  async #start(payload: AuthPayloadFieldsFragment): Promise<void> {
    this.#token = payload.accessToken;
    this.#expiresAt = Date.parse(payload.expiresAt);
    this.user = await this.#loadMe(payload);
    this.ended = null;
    this.status = 'signedIn';
    this.#schedule(Math.max(5_000, this.#expiresAt - Date.now() - REFRESH_LEAD_MS));
    this.#notify();
  }

  /**
   * `me` as the new token sees it. The sign-in payload's user is not enough: the API leaves its
   * `permissions` empty there, and a refresh is also the moment role changes should show up.
   */
  async #loadMe(payload: AuthPayloadFieldsFragment): Promise<MeFieldsFragment> {
    try {
      return (await postGraphQL(MeDocument, {}, payload.accessToken)).me;
    } catch {
      return payload.user;
    }
  }

  #end(reason: SessionEnd | null): void {
    clearTimeout(this.#timer);
    const hadToken = this.#token !== null;
    this.#token = null;
    this.#expiresAt = 0;
    this.user = null;
    this.ended = reason;
    this.status = 'signedOut';
    if (hadToken) this.#notify();
  }

  #schedule(delayMs: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.refresh(), delayMs);
  }

  #notify(): void {
    for (const listener of this.#tokenListeners) listener();
  }
}

export const auth = new Auth();
