import type { Request, Response } from 'express';
import type { Config } from '../../config.js';

/** The browser keeps the refresh token here: httpOnly (no script can read it), SameSite=Strict. */
export const REFRESH_COOKIE = 'lt_refresh';
const PATH = '/graphql';

export function setRefreshCookie(res: Response, config: Config, token: string) {
  res.cookie(REFRESH_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: config.cookieSecure,
    path: PATH,
    maxAge: config.REFRESH_TOKEN_TTL_DAYS * 86_400_000,
  });
}

export function clearRefreshCookie(res: Response, config: Config) {
  res.clearCookie(REFRESH_COOKIE, { httpOnly: true, sameSite: 'strict', secure: config.cookieSecure, path: PATH });
}

export function readRefreshCookie(req: Request): string | null {
  const value = (req.cookies as Record<string, unknown> | undefined)?.[REFRESH_COOKIE];
  return typeof value === 'string' && value ? value : null;
}
