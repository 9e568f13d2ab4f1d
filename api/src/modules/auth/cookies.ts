import type { Request, Response } from 'express';
import { isLoopbackHost, type Config } from '../../config.js';

/** The browser keeps the refresh token here: httpOnly (no script can read it), SameSite=Strict. */
export const REFRESH_COOKIE = 'lt_refresh';
const PATH = '/graphql';

/**
 * Secure unless COOKIE_SECURE says otherwise or, on `auto`, the request came over plain HTTP to a
 * loopback host (the local demo, where browsers would drop a Secure cookie). Behind a TLS proxy
 * `req.secure` needs TRUST_PROXY; without it the public host name still makes the cookie Secure.
 */
export function cookieIsSecure(req: Request, config: Config): boolean {
  if (config.COOKIE_SECURE !== 'auto') return config.COOKIE_SECURE;
  return req.secure || !isLoopbackHost(req.hostname ?? '');
}

export function setRefreshCookie(req: Request, res: Response, config: Config, token: string) {
  res.cookie(REFRESH_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: cookieIsSecure(req, config),
    path: PATH,
    maxAge: config.REFRESH_TOKEN_TTL_DAYS * 86_400_000,
  });
}

export function clearRefreshCookie(req: Request, res: Response, config: Config) {
  res.clearCookie(REFRESH_COOKIE, {
    httpOnly: true,
    sameSite: 'strict',
    secure: cookieIsSecure(req, config),
    path: PATH,
  });
}

export function readRefreshCookie(req: Request): string | null {
  const value = (req.cookies as Record<string, unknown> | undefined)?.[REFRESH_COOKIE];
  return typeof value === 'string' && value ? value : null;
}
