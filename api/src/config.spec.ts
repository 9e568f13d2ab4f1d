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
    const config = loadConfig({ CORS_ORIGINS: 'https://a.example, https://b.example', GRAPHQL_PLAYGROUND: 'false' });
    expect(config.CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
    expect(config.playground).toBe(false);
  });

  it('gives TRUST_PROXY to Express as the right type: hops, boolean or address list', () => {
    const trust = (v: string) => loadConfig({ TRUST_PROXY: v }).TRUST_PROXY;
    expect(trust('1')).toBe(1);
    expect(trust('2')).toBe(2);
    expect(trust('true')).toBe(true);
    expect(trust('false')).toBe(false);
    expect(trust('10.0.0.0/8, 127.0.0.1')).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(trust('loopback,uniquelocal,fd00::/8')).toEqual(['loopback', 'uniquelocal', 'fd00::/8']);
    expect(loadConfig({}).TRUST_PROXY).toBeUndefined();
  });

  it('names an invalid TRUST_PROXY and every other new bad variable', () => {
    let error: unknown;
    try {
      loadConfig({
        TRUST_PROXY: 'yes please',
        REGISTRATION: 'sometimes',
        DEFAULT_ROLE: 'ADMIN',
        COOKIE_SECURE: 'maybe',
      });
    } catch (e) {
      error = e;
    }
    const names = (error as ConfigError).problems.map((p) => p.split(':')[0]).sort();
    expect(names).toEqual(['COOKIE_SECURE', 'DEFAULT_ROLE', 'REGISTRATION', 'TRUST_PROXY']);
    for (const bad of ['10.0.0.0/33', '300.1.1.1', '1.2.3.4/8/9', 'loopback;127.0.0.1', ','])
      expect(() => loadConfig({ TRUST_PROXY: bad })).toThrow(/TRUST_PROXY/);
  });

  it('is strict by default, and loose only for the loopback demo on the embedded database', () => {
    const server = loadConfig({ DATABASE_URL: 'postgres://db/x', HOST: '0.0.0.0' });
    expect(server).toMatchObject({
      REGISTRATION: 'invite',
      DEFAULT_ROLE: 'VIEWER',
      playground: false,
      introspection: false,
    });
    const exposedDemo = loadConfig({ HOST: '0.0.0.0' });
    expect(exposedDemo).toMatchObject({ REGISTRATION: 'invite', playground: false, introspection: false });
    const demo = loadConfig({});
    expect(demo).toMatchObject({ demo: true, REGISTRATION: 'open', playground: true, introspection: true });
    expect(server.COOKIE_SECURE).toBe('auto');
  });

  it('keeps ALLOW_REGISTRATION and PLAYGROUND_ENABLED as deprecated aliases', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://db/x', ALLOW_REGISTRATION: 'true' }).REGISTRATION).toBe('open');
    expect(loadConfig({ ALLOW_REGISTRATION: 'false' }).REGISTRATION).toBe('closed');
    expect(loadConfig({ ALLOW_REGISTRATION: 'true', REGISTRATION: 'invite' }).REGISTRATION).toBe('invite');
    expect(loadConfig({ DATABASE_URL: 'postgres://db/x', PLAYGROUND_ENABLED: 'true' }).playground).toBe(true);
  });

  it('refuses a headers timeout not above the keep-alive timeout', () => {
    expect(() => loadConfig({ HTTP_KEEP_ALIVE_TIMEOUT_MS: '70000', HTTP_HEADERS_TIMEOUT_MS: '60000' })).toThrow(
      /HTTP_HEADERS_TIMEOUT_MS/,
    );
    expect(loadConfig({})).toMatchObject({ HTTP_KEEP_ALIVE_TIMEOUT_MS: 65_000, HTTP_HEADERS_TIMEOUT_MS: 66_000 });
  });
});

describe('storage configuration', () => {
  const s3 = {
    STORAGE_URL: 's3://llm-trainer/prod/v1',
    S3_ENDPOINT: 'http://minio:9000',
    S3_FORCE_PATH_STYLE: 'true',
    S3_ACCESS_KEY_ID: 'key',
    S3_SECRET_ACCESS_KEY: 'secret',
  };
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (e) {
      return (e as ConfigError).problems;
    }
    return [];
  };

  it('is files under DATA_DIR by default, and a bucket (with an optional prefix) with STORAGE_URL', () => {
    expect(loadConfig({}).storage).toEqual({ kind: 'fs' });
    expect(loadConfig(s3).storage).toEqual({
      kind: 's3',
      bucket: 'llm-trainer',
      prefix: 'prod/v1',
      endpoint: 'http://minio:9000',
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'key', secretAccessKey: 'secret' },
    });
    // No keys: the AWS default chain (IRSA, instance role, AWS_*), and AWS_REGION when S3_REGION is unset.
    expect(loadConfig({ STORAGE_URL: 's3://bucket', AWS_REGION: 'eu-west-3' }).storage).toEqual({
      kind: 's3',
      bucket: 'bucket',
      prefix: '',
      region: 'eu-west-3',
      forcePathStyle: false,
    });
  });

  it('names every bad storage variable', () => {
    for (const url of ['https://bucket', 's3://', 's3://UPPER', 's3://bucket/../x', 's3://bucket//x', 'bucket'])
      expect(problems({ STORAGE_URL: url }), url).toEqual([
        'STORAGE_URL: must be s3://<bucket> or s3://<bucket>/<prefix>',
      ]);
    expect(
      problems({ ...s3, S3_ENDPOINT: 'minio:9000', S3_FORCE_PATH_STYLE: 'yes', S3_REGION: 'Europe West' })
        .map((p) => p.split(':')[0])
        .sort(),
    ).toEqual(['S3_ENDPOINT', 'S3_FORCE_PATH_STYLE', 'S3_REGION']);
    expect(problems({ ...s3, S3_SECRET_ACCESS_KEY: '' })).toEqual([
      'S3_SECRET_ACCESS_KEY: must be set with S3_ACCESS_KEY_ID (or neither, for the AWS default credentials)',
    ]);
  });

  it('refuses S3 settings that would be ignored (STORAGE_URL unset, or S3_BUCKET)', () => {
    const { STORAGE_URL: _unset, ...withoutUrl } = s3;
    expect(problems(withoutUrl).map((p) => p.split(':')[0])).toEqual([
      'S3_ENDPOINT',
      'S3_FORCE_PATH_STYLE',
      'S3_ACCESS_KEY_ID',
      'S3_SECRET_ACCESS_KEY',
    ]);
    expect(problems({ ...s3, S3_BUCKET: 'llm-trainer' })).toEqual([
      'S3_BUCKET: not read; name the bucket in STORAGE_URL=s3://<bucket> (or s3://<bucket>/<prefix>)',
    ]);
  });
});
