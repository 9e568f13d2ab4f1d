import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import type { Config } from '../../config.js';

const ALGORITHM = 'HS256' as const;
export const API_TOKEN_PREFIX = 'lt_pat_';

export interface AccessClaims {
  userId: string;
  sessionId: string;
}

/** Signs and checks access tokens. Algorithm pinned; `iss`, `aud`, `exp` and `typ` are verified. */
export class AccessTokens {
  constructor(
    private readonly secret: string,
    private readonly config: Pick<Config, 'JWT_ISSUER' | 'JWT_AUDIENCE' | 'ACCESS_TOKEN_TTL_SECONDS'>,
  ) {}

  sign(claims: AccessClaims): { token: string; expiresAt: Date } {
    const ttl = this.config.ACCESS_TOKEN_TTL_SECONDS;
    const token = jwt.sign({ typ: 'access', sid: claims.sessionId }, this.secret, {
      algorithm: ALGORITHM,
      issuer: this.config.JWT_ISSUER,
      audience: this.config.JWT_AUDIENCE,
      subject: claims.userId,
      expiresIn: ttl,
      jwtid: randomBytes(8).toString('hex'),
    });
    return { token, expiresAt: new Date(Date.now() + ttl * 1000) };
  }

  /** Returns the claims, or the reason the token is refused. */
  verify(token: string): AccessClaims | { error: 'expired' | 'invalid' } {
    try {
      const payload = jwt.verify(token, this.secret, {
        algorithms: [ALGORITHM],
        issuer: this.config.JWT_ISSUER,
        audience: this.config.JWT_AUDIENCE,
      });
      if (typeof payload !== 'object' || payload.typ !== 'access') return { error: 'invalid' };
      if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') return { error: 'invalid' };
      return { userId: payload.sub, sessionId: payload.sid };
    } catch (error) {
      return { error: error instanceof jwt.TokenExpiredError ? 'expired' : 'invalid' };
    }
  }
}

/** JWT_SECRET from config, or one generated on first start and kept in the data directory. */
export function resolveJwtSecret(config: Pick<Config, 'JWT_SECRET' | 'dataDir'>): string {
  if (config.JWT_SECRET) return config.JWT_SECRET;
  const file = join(config.dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** Opaque secrets (refresh tokens, API tokens) are stored only as their SHA-256. */
export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
export const newOpaqueToken = (prefix = '') => prefix + randomBytes(32).toString('base64url');
