import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('config', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(4000);
    expect(config.ACCESS_TOKEN_TTL_SECONDS).toBeLessThanOrEqual(900);
    expect(config.dataDir).toMatch(/\.data$/);
  });

  it('lists every bad variable at once, by name', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        JWT_SECRET: 'short',
        ACCESS_TOKEN_TTL_SECONDS: '3600',
        CORS_ORIGINS: 'https://a.example',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const names = (error as ConfigError).problems.map((p) => p.split(':')[0]).sort();
    expect(names).toEqual(['ACCESS_TOKEN_TTL_SECONDS', 'DATABASE_URL', 'JWT_SECRET', 'PORT']);
  });

  it('parses lists and booleans', () => {
    const config = loadConfig({ CORS_ORIGINS: 'https://a.example, https://b.example', ALLOW_REGISTRATION: 'false' });
    expect(config.CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
    expect(config.ALLOW_REGISTRATION).toBe(false);
  });
});
