import type { Request, Response } from 'express';
import { buildContext, type Context } from '../context.js';
import { AppError } from '../errors.js';
import { authenticate, bearerToken } from '../modules/auth/viewer.js';
import type { Permission } from '../modules/role/permissions.js';
import type { AppServices } from '../services.js';
import { currentRequestId } from './request-context.js';

const STATUS: Record<string, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BAD_USER_INPUT: 400,
  CONFLICT: 409,
  LEASE_LOST: 409,
};

/**
 * For the binary (non-GraphQL) endpoints: authenticates the bearer token like GraphQL does, requires
 * one permission, and gives the same per-request context, so services check access the same way.
 */
export async function routeContext(app: AppServices, req: Request, permission: Permission): Promise<Context> {
  const em = app.orm.em.fork();
  const auth = await authenticate(em, app.accessTokens, bearerToken(req.get('authorization')));
  if (!auth.viewer) throw auth.error ?? new AppError('UNAUTHENTICATED', 'Sign in first');
  if (!auth.viewer.permissions.has(permission))
    throw new AppError('FORBIDDEN', `Requires the ${permission} permission`);
  return buildContext(app, {
    requestId: currentRequestId() ?? '',
    log: app.log,
    em,
    ip: null,
    userAgent: null,
    viewer: auth.viewer,
    authError: null,
  });
}

/** Domain errors as `{error: {code, message}}` with their HTTP status; anything else is masked. */
export function sendRouteError(app: AppServices, res: Response, error: unknown) {
  if (error instanceof AppError) {
    if (!res.headersSent)
      res.status(STATUS[error.code] ?? 400).json({ error: { code: error.code, message: error.message } });
    else res.destroy();
    return;
  }
  app.log.error({ err: error, requestId: currentRequestId() }, 'request failed');
  if (!res.headersSent)
    res.status(500).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' } });
  else res.destroy();
}
