import { LoadStrategy } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, unauthenticated } from '../../errors.js';
import { ApiToken } from '../api-token/api-token.entity.js';
import { isPermission, type Permission } from '../role/permissions.js';
import { User } from '../user/user.entity.js';
import { Session } from './session.entity.js';
import { API_TOKEN_PREFIX, sha256, type AccessTokens } from './tokens.js';

/** Who is calling, and what they may do. */
export interface Viewer {
  user: User;
  permissions: ReadonlySet<Permission>;
  sessionId: string | null;
  apiTokenId: string | null;
  /** A worker machine's service account: it may call worker operations only. */
  isWorker: boolean;
}

export type Authentication = { viewer: Viewer | null; error: AppError | null };

export const rolePermissions = (user: User): Set<Permission> =>
  new Set(user.roles.getItems().flatMap((r) => r.permissions.filter(isPermission)));

const isWorkerAccount = (user: User) => user.roles.getItems().some((r) => r.name === 'WORKER');

/** Extracts `Bearer <token>` from an Authorization header or graphql-ws connection params. */
export function bearerToken(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = /^Bearer\s+(\S+)$/i.exec(value.trim());
  return match ? match[1] : null;
}

/**
 * Resolves a bearer token (access JWT or API token) to a viewer. Checks the session / token and the
 * user against the database on every request, so logout, revocation and disabling take effect at once.
 */
export async function authenticate(
  em: EntityManager,
  tokens: AccessTokens,
  token: string | null,
): Promise<Authentication> {
  if (!token) return { viewer: null, error: null };
  if (token.startsWith(API_TOKEN_PREFIX)) return authenticateApiToken(em, token);

  const claims = tokens.verify(token);
  if ('error' in claims) {
    const message = claims.error === 'expired' ? 'Access token expired; refresh it' : 'Access token is not valid';
    return { viewer: null, error: unauthenticated(message) };
  }
  const session = await em.findOne(
    Session,
    { id: claims.sessionId, user: claims.userId },
    { populate: ['user', 'user.roles'], strategy: LoadStrategy.JOINED }, // every request: one query, not three
  );
  return sessionViewer(session);
}

function sessionViewer(session: Session | null): Authentication {
  if (!session || session.revokedAt || session.expiresAt < new Date()) {
    return { viewer: null, error: unauthenticated('Session has ended; sign in again') };
  }
  if (session.user.disabledAt) return { viewer: null, error: unauthenticated('This account is disabled') };
  return {
    viewer: {
      user: session.user,
      permissions: rolePermissions(session.user),
      sessionId: session.id,
      apiTokenId: null,
      isWorker: isWorkerAccount(session.user),
    },
    error: null,
  };
}

async function authenticateApiToken(em: EntityManager, token: string): Promise<Authentication> {
  const apiToken = await em.findOne(
    ApiToken,
    { tokenHash: sha256(token) },
    { populate: ['user', 'user.roles'], strategy: LoadStrategy.JOINED },
  );
  const auth = apiTokenViewer(apiToken);
  const now = new Date();
  if (auth.viewer && (!apiToken!.lastUsedAt || now.getTime() - apiToken!.lastUsedAt.getTime() > 60_000)) {
    await em.nativeUpdate(ApiToken, { id: apiToken!.id }, { lastUsedAt: now });
  }
  return auth;
}

function apiTokenViewer(apiToken: ApiToken | null): Authentication {
  if (!apiToken || apiToken.revokedAt || (apiToken.expiresAt && apiToken.expiresAt < new Date())) {
    return { viewer: null, error: unauthenticated('API token is not valid, expired or revoked') };
  }
  if (apiToken.user.disabledAt) return { viewer: null, error: unauthenticated('This account is disabled') };
  // A token never grants more than its owner currently has.
  const owner = rolePermissions(apiToken.user);
  const permissions = new Set(apiToken.scopes.filter(isPermission).filter((p) => owner.has(p)));
  return {
    viewer: {
      user: apiToken.user,
      permissions,
      sessionId: null,
      apiTokenId: apiToken.id,
      isWorker: isWorkerAccount(apiToken.user),
    },
    error: null,
  };
}

/**
 * For long-lived operations (subscriptions): the same checks as `authenticate`, again, for the session or
 * token `viewer` came from — ended, revoked or expired, the account disabled, roles or scopes changed.
 * The query carries the comment `live-reauth` (tests count these).
 */
export async function reauthenticate(em: EntityManager, viewer: Viewer): Promise<Authentication> {
  const options = {
    populate: ['user', 'user.roles'] as const,
    strategy: LoadStrategy.JOINED,
    comments: 'live-reauth',
  };
  if (viewer.apiTokenId) return apiTokenViewer(await em.findOne(ApiToken, { id: viewer.apiTokenId }, options));
  if (viewer.sessionId)
    return sessionViewer(await em.findOne(Session, { id: viewer.sessionId, user: viewer.user.id }, options));
  return { viewer: null, error: unauthenticated() };
}
