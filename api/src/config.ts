import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** Relative paths in the config are resolved against the repository root, whatever the cwd. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

/** Every environment variable the API reads. `.env.example` documents each one. */
const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(4000),
  PUBLIC_URL: z.url().optional(),
  /** Express `trust proxy`: set when behind a reverse proxy so throttling sees real client addresses. */
  TRUST_PROXY: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().min(1).default('./.data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DB_POOL_MAX: int(1, 200).default(10),
  EMBEDDED_PG_PORT: int(1024, 65535).default(54329),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_ISSUER: z.string().min(1).default('llm-trainer'),
  JWT_AUDIENCE: z.string().min(1).default('llm-trainer-api'),
  ACCESS_TOKEN_TTL_SECONDS: int(30, 900).default(900),
  REFRESH_TOKEN_TTL_DAYS: int(1, 365).default(30),
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').optional(),
  ALLOW_REGISTRATION: bool.default(true),
  CORS_ORIGINS: list.default([]),
  COOKIE_SECURE: bool.optional(),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/, 'must look like 512kb or 1mb')
    .default('1mb'),
  GRAPHQL_MAX_DEPTH: int(2, 100).default(12),
  GRAPHQL_MAX_ALIASES: int(1, 1000).default(15),
  GRAPHQL_MAX_COST: int(10, 1_000_000).default(5000),
  GRAPHQL_MAX_TOKENS: int(50, 100_000).default(2000),
  GRAPHQL_MAX_BATCH: int(1, 100).default(10),
  PLAYGROUND_ENABLED: bool.default(true),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: int(1, 1000).default(5),
  LOGIN_MAX_FAILURES_PER_CLIENT: int(1, 10_000).default(20),
  LOGIN_THROTTLE_WINDOW_SECONDS: int(10, 86_400).default(900),
  PASSWORD_HASH_CONCURRENCY: int(1, 64).default(2),
  WEB_BUILD_DIR: z.string().min(1).default('./web/build'),
  DATASET_UPLOAD_MAX_BYTES: int(1, Number.MAX_SAFE_INTEGER).default(20 * 1024 ** 3),
  DATASET_PROJECT_QUOTA_BYTES: int(1, Number.MAX_SAFE_INTEGER).default(200 * 1024 ** 3),
  DATASET_MAX_DECOMPRESSED_BYTES: int(1, Number.MAX_SAFE_INTEGER).default(100 * 1024 ** 3),
  DATASET_MAX_COMPRESSION_RATIO: int(2, 100_000).default(100),
  DATASET_MAX_JSON_BYTES: int(1024, 4 * 1024 ** 3).default(512 * 1024 ** 2),
  DATASET_MAX_ROW_CHARS: int(100, 100_000_000).default(200_000),
  /** A worker must renew a claimed run's lease this often (pg-boss heartbeat; at least 10 s). */
  RUN_LEASE_SECONDS: int(10, 3600).default(30),
  /** How often the queue looks for lapsed leases and the API re-syncs run states. */
  RUN_QUEUE_MONITOR_SECONDS: int(1, 300).default(5),
  RUN_RETRY_DELAY_SECONDS: int(0, 3600).default(5),
  /** Tries per run, counting lease expiries and crashes (the first try included). */
  RUN_MAX_ATTEMPTS: int(1, 20).default(3),
  /** Runs of one project training at the same time; the rest wait. */
  RUN_PROJECT_CONCURRENCY: int(1, 1000).default(2),
  /**
   * Across projects the queue serves the project training on fewer GPUs first, then the one that used
   * fewer GPU-seconds over this window; a run's priority orders runs only within its project.
   */
  RUN_FAIR_SHARE_WINDOW_SECONDS: int(0, 30 * 86_400).default(86_400),
  /** On a fresh installation, create a Demo project with a small dataset (npm start sets it). */
  DEMO_DATA: bool.default(false),
  /** When set, the worker "local" gets a fresh token written to this file (npm start's own worker). */
  LOCAL_WORKER_TOKEN_FILE: z.string().min(1).optional(),
  /** Subscriptions re-check the subscriber's token and access at most this often (ms). */
  LIVE_AUTH_RECHECK_MS: int(0, 600_000).default(2000),
  /** Metric points one run may store (a runaway logger cannot fill the database). */
  RUN_MAX_METRIC_POINTS: int(1000, 1_000_000_000).default(20_000_000),
  RUN_ARTIFACT_MAX_BYTES: int(1, Number.MAX_SAFE_INTEGER).default(500 * 1024 ** 3),
});

export type Config = z.infer<typeof schema> & {
  dataDir: string;
  webBuildDir: string;
  cookieSecure: boolean;
};

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses and validates the environment; throws one ConfigError listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const c = parsed.data;
  return {
    ...c,
    dataDir: resolve(repoRoot, c.DATA_DIR),
    webBuildDir: resolve(repoRoot, c.WEB_BUILD_DIR),
    cookieSecure: c.COOKIE_SECURE ?? c.NODE_ENV === 'production',
  };
}

let cached: Config | undefined;
/** The process-wide configuration, validated once. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}
