import { isIP } from 'node:net';
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
  /**
   * Express `trust proxy`, so throttling and audit see real client addresses behind a reverse proxy:
   * a hop count (`1`), `true`/`false`, or a list of proxy addresses/CIDRs and names (`loopback,10.0.0.0/8`).
   */
  TRUST_PROXY: z
    .string()
    .transform((v, ctx) => {
      const parsed = parseTrustProxy(v);
      if (parsed === undefined)
        ctx.addIssue({
          code: 'custom',
          message:
            'must be a hop count (1), true/false, or a comma-separated list of addresses, CIDRs or loopback/linklocal/uniquelocal',
        });
      return parsed as TrustProxy;
    })
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().min(1).default('./.data'),
  /**
   * Where uploads, dataset rows and artifacts are stored: unset = files under DATA_DIR; `s3://bucket`
   * or `s3://bucket/prefix` = an S3-compatible bucket, reached with the S3_* variables below.
   */
  STORAGE_URL: z
    .string()
    .transform((v, ctx) => {
      const parsed = parseStorageUrl(v);
      if (!parsed) ctx.addIssue({ code: 'custom', message: 'must be s3://<bucket> or s3://<bucket>/<prefix>' });
      return parsed as { bucket: string; prefix: string };
    })
    .optional(),
  /** The S3 API's URL for MinIO, Ceph, R2 and the like; unset = AWS S3 for S3_REGION. */
  S3_ENDPOINT: z
    .url()
    .regex(/^https?:\/\//, 'must be an http:// or https:// URL')
    .optional(),
  /** Unset: AWS_REGION, then us-east-1 (what MinIO expects). */
  S3_REGION: z
    .string()
    .regex(/^[a-z0-9-]{2,32}$/, 'must be a region name such as eu-west-1')
    .optional(),
  /** `true` for most S3-compatible servers (MinIO): bucket in the path, not in the host name. */
  S3_FORCE_PATH_STYLE: bool.default(false),
  /** Both or neither; neither = the AWS default chain (AWS_* variables, web identity/IRSA, instance role). */
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DB_POOL_MAX: int(1, 200).default(10),
  /** Redis for live events across API instances (redis:// or rediss://); unset = in process, one instance. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  /** Bearer token a Prometheus scraper presents at GET /metrics; unset = /metrics answers 404. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Prefix of this deployment's Redis channels, so several deployments can share one Redis. */
  REDIS_CHANNEL_PREFIX: z
    .string()
    .regex(/^[\w.:-]{0,64}$/, 'must be at most 64 letters, digits, or _ . : -')
    .default('llmt:'),
  EMBEDDED_PG_PORT: int(1024, 65535).default(54329),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_ISSUER: z.string().min(1).default('llm-trainer'),
  JWT_AUDIENCE: z.string().min(1).default('llm-trainer-api'),
  ACCESS_TOKEN_TTL_SECONDS: int(30, 900).default(900),
  REFRESH_TOKEN_TTL_DAYS: int(1, 365).default(30),
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').optional(),
  /** open: anyone may register; invite: only with an admin's invite; closed: admins create accounts. */
  REGISTRATION: z.enum(['open', 'invite', 'closed']).optional(),
  /** Deprecated alias of REGISTRATION (true = open, false = closed); REGISTRATION wins when both are set. */
  ALLOW_REGISTRATION: bool.optional(),
  /** Global role of self-registered accounts and of admin-created ones given no role. */
  DEFAULT_ROLE: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'must be a role name in capitals, e.g. VIEWER')
    .refine((v) => v !== 'ADMIN' && v !== 'WORKER', 'must not be ADMIN or WORKER')
    .default('VIEWER'),
  INVITE_TTL_HOURS: int(1, 24 * 90).default(168),
  CORS_ORIGINS: list.default([]),
  /** auto: Secure unless the request came over plain HTTP to a loopback host. */
  COOKIE_SECURE: z
    .enum(['auto', 'true', 'false', '1', '0'])
    .transform((v) => (v === 'auto' ? ('auto' as const) : v === 'true' || v === '1'))
    .default('auto'),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/, 'must look like 512kb or 1mb')
    .default('1mb'),
  GRAPHQL_MAX_DEPTH: int(2, 100).default(12),
  GRAPHQL_MAX_ALIASES: int(1, 1000).default(15),
  /** Query cost where list sizes multiply (graphql/cost.ts); an HTTP batch counts as one request. */
  GRAPHQL_MAX_COST: int(10, 10_000_000).default(10_000),
  GRAPHQL_MAX_TOKENS: int(50, 100_000).default(2000),
  GRAPHQL_MAX_BATCH: int(1, 100).default(10),
  /** A GraphQL HTTP response larger than this is replaced by an error instead of being sent. */
  GRAPHQL_MAX_RESPONSE_BYTES: int(1024, 1024 ** 3).default(16 * 1024 ** 2),
  /** GraphiQL at /playground and schema introspection; default on only for the loopback demo. */
  GRAPHQL_PLAYGROUND: bool.optional(),
  GRAPHQL_INTROSPECTION: bool.optional(),
  /** Deprecated alias of GRAPHQL_PLAYGROUND. */
  PLAYGROUND_ENABLED: bool.optional(),
  /** Node keeps idle HTTP connections this long; above common clients' and proxies' idle times. */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: int(1000, 600_000).default(65_000),
  HTTP_HEADERS_TIMEOUT_MS: int(1000, 600_000).default(66_000),
  /** Failed sign-ins per account and client address before the back-off starts. */
  LOGIN_MAX_FAILURES_PER_ACCOUNT: int(1, 1000).default(5),
  /** Failed sign-ins per client address (any account) before the back-off starts. */
  LOGIN_MAX_FAILURES_PER_CLIENT: int(1, 10_000).default(20),
  /** A counter is forgotten after this long without attempts (counted from its last wait's end). */
  LOGIN_THROTTLE_WINDOW_SECONDS: int(10, 86_400).default(900),
  /** First wait once the free attempts are spent; doubles with every further failure, up to the cap. */
  LOGIN_BACKOFF_BASE_SECONDS: int(1, 3600).default(30),
  LOGIN_BACKOFF_MAX_SECONDS: int(1, 86_400).default(900),
  /** Registrations per client address before the back-off starts. */
  REGISTER_MAX_PER_CLIENT: int(1, 10_000).default(5),
  PASSWORD_HASH_CONCURRENCY: int(1, 64).default(2),
  WEB_BUILD_DIR: z.string().min(1).default('./web/build'),
  DATASET_UPLOAD_MAX_BYTES: int(1, Number.MAX_SAFE_INTEGER).default(20 * 1024 ** 3),
  /** Storage of one project: uploads, dataset versions (derived ones too), checkpoints, model versions. */
  DATASET_PROJECT_QUOTA_BYTES: int(1, Number.MAX_SAFE_INTEGER).default(200 * 1024 ** 3),
  /** The same storage, counted over what one user uploaded, made or trained, in every project. */
  QUOTA_STORAGE_PER_USER_BYTES: int(1, Number.MAX_SAFE_INTEGER).default(1024 ** 4),
  /** Projects one user may own. */
  QUOTA_PROJECTS_PER_USER: int(1, 100_000).default(100),
  /** Dataset versions processing at once (uploads ingested, pipelines, edits), per project and per user. */
  QUOTA_PROCESSING_JOBS_PER_PROJECT: int(1, 1000).default(4),
  QUOTA_PROCESSING_JOBS_PER_USER: int(1, 1000).default(8),
  DATASET_MAX_DECOMPRESSED_BYTES: int(1, Number.MAX_SAFE_INTEGER).default(100 * 1024 ** 3),
  DATASET_MAX_COMPRESSION_RATIO: int(2, 100_000).default(100),
  DATASET_MAX_JSON_BYTES: int(1024, 4 * 1024 ** 3).default(512 * 1024 ** 2),
  DATASET_MAX_ROW_CHARS: int(100, 100_000_000).default(200_000),
  /** API-side jobs (dataset-version processing) one API instance runs at once. */
  API_JOB_CONCURRENCY: int(1, 64).default(2),
  /** An instance renews its lease on an API-side job this often ×½; a dead one's job is retried after it. */
  API_JOB_LEASE_SECONDS: int(10, 3600).default(30),
  /** Tries per API-side job, the first included (an instance dying mid-job counts). */
  API_JOB_MAX_ATTEMPTS: int(1, 20).default(3),
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
  /**
   * Migrate, sync built-in roles and create the first administrator at start. A cluster sets false on
   * its replicas and runs `npm run db:migrate` once per release (the migration Job) instead.
   */
  RUN_MIGRATIONS: bool.default(true),
  /** On a fresh installation, create a Demo project with a small dataset (npm start sets it). */
  DEMO_DATA: bool.default(false),
  /** When set, the worker "local" gets a fresh token written to this file (npm start's own worker). */
  LOCAL_WORKER_TOKEN_FILE: z.string().min(1).optional(),
  /** Subscriptions re-check the subscriber's token and access at most this often (ms). */
  LIVE_AUTH_RECHECK_MS: int(0, 600_000).default(2000),
  /** Subscriptions one WebSocket may hold at once. */
  WS_MAX_SUBSCRIPTIONS_PER_SOCKET: int(1, 10_000).default(50),
  /** Subscriptions one user may hold at once over all their sockets to this API process. */
  WS_MAX_SUBSCRIPTIONS_PER_USER: int(1, 100_000).default(200),
  /** Stored metric points or log lines a runMetrics/runLogs subscription sends per message of its history. */
  LIVE_BACKLOG_PAGE_SIZE: int(10, 100_000).default(5000),
  /** Metric points one run may store (a runaway logger cannot fill the database). */
  RUN_MAX_METRIC_POINTS: int(1000, 1_000_000_000).default(20_000_000),
  RUN_ARTIFACT_MAX_BYTES: int(1, Number.MAX_SAFE_INTEGER).default(500 * 1024 ** 3),
});

/** What Express's `trust proxy` accepts, as the right type. */
export type TrustProxy = boolean | number | string[];

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** `1` → 1 (hops), `true` → true, `loopback, 10.0.0.0/8` → a list; undefined when invalid. */
export function parseTrustProxy(value: string): TrustProxy | undefined {
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === 'false') return v === 'true';
  if (/^\d+$/.test(v)) return Number(v) <= 100 ? Number(v) : undefined;
  const items = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const valid = (item: string) => {
    if (PROXY_NAMES.has(item)) return true;
    const [address, prefix, extra] = item.split('/');
    const family = isIP(address);
    if (!family || extra !== undefined) return false;
    if (prefix === undefined) return true;
    return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
  };
  return items.length && items.every(valid) ? items : undefined;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost', '[::1]']);
export const isLoopbackHost = (host: string) => LOOPBACK_HOSTS.has(host.toLowerCase()) || /^127\./.test(host);

/** Where stored files live: `config.storage`, from STORAGE_URL and S3_*. */
export type StorageConfig =
  | { kind: 'fs' }
  | {
      kind: 's3';
      bucket: string;
      /** Keys are stored under `<prefix>/`; '' = the bucket's root. */
      prefix: string;
      endpoint?: string;
      region: string;
      forcePathStyle: boolean;
      /** Unset: the AWS SDK's default chain. */
      credentials?: { accessKeyId: string; secretAccessKey: string };
    };

/** `s3://bucket/some/prefix` → its parts; undefined when it is not such a URL. */
export function parseStorageUrl(value: string): { bucket: string; prefix: string } | undefined {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*?))?\/?$/.exec(value.trim());
  if (!m) return undefined;
  const prefix = m[2] ?? '';
  if (prefix && !prefix.split('/').every((s) => /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(s))) return undefined;
  return { bucket: m[1], prefix };
}

const S3_VARIABLES = ['S3_ENDPOINT', 'S3_REGION', 'S3_FORCE_PATH_STYLE', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'];

/** STORAGE_URL and S3_* together: the settings that make sense only with each other. */
function storageConfig(
  c: z.infer<typeof schema>,
  env: Record<string, string | undefined>,
  problems: string[],
): StorageConfig {
  if (env.S3_BUCKET)
    problems.push('S3_BUCKET: not read; name the bucket in STORAGE_URL=s3://<bucket> (or s3://<bucket>/<prefix>)');
  if (!c.STORAGE_URL) {
    for (const name of S3_VARIABLES)
      if (env[name]) problems.push(`${name}: set, but STORAGE_URL is not (storage would be files under DATA_DIR)`);
    return { kind: 'fs' };
  }
  if (!c.S3_ACCESS_KEY_ID !== !c.S3_SECRET_ACCESS_KEY)
    problems.push(
      `${c.S3_ACCESS_KEY_ID ? 'S3_SECRET_ACCESS_KEY' : 'S3_ACCESS_KEY_ID'}: must be set with ${c.S3_ACCESS_KEY_ID ? 'S3_ACCESS_KEY_ID' : 'S3_SECRET_ACCESS_KEY'} (or neither, for the AWS default credentials)`,
    );
  return {
    kind: 's3',
    ...c.STORAGE_URL,
    endpoint: c.S3_ENDPOINT,
    region: c.S3_REGION ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    forcePathStyle: c.S3_FORCE_PATH_STYLE,
    credentials:
      c.S3_ACCESS_KEY_ID && c.S3_SECRET_ACCESS_KEY
        ? { accessKeyId: c.S3_ACCESS_KEY_ID, secretAccessKey: c.S3_SECRET_ACCESS_KEY }
        : undefined,
  };
}

export type Config = Omit<z.infer<typeof schema>, 'REGISTRATION'> & {
  /** BODY_LIMIT in bytes: also the largest WebSocket message. */
  bodyLimitBytes: number;
  dataDir: string;
  storage: StorageConfig;
  webBuildDir: string;
  /** The `npm start` demo: embedded database, listening on loopback only. Looser defaults apply. */
  demo: boolean;
  REGISTRATION: 'open' | 'invite' | 'closed';
  playground: boolean;
  introspection: boolean;
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
  const problems: string[] = [];
  if (c.HTTP_HEADERS_TIMEOUT_MS <= c.HTTP_KEEP_ALIVE_TIMEOUT_MS)
    problems.push('HTTP_HEADERS_TIMEOUT_MS: must be greater than HTTP_KEEP_ALIVE_TIMEOUT_MS');
  if (c.LOGIN_BACKOFF_MAX_SECONDS < c.LOGIN_BACKOFF_BASE_SECONDS)
    problems.push('LOGIN_BACKOFF_MAX_SECONDS: must be at least LOGIN_BACKOFF_BASE_SECONDS');
  const storage = storageConfig(c, cleaned, problems);
  if (problems.length) throw new ConfigError(problems);
  const demo = !c.DATABASE_URL && isLoopbackHost(c.HOST);
  return {
    ...c,
    bodyLimitBytes: toBytes(c.BODY_LIMIT),
    dataDir: resolve(repoRoot, c.DATA_DIR),
    storage,
    webBuildDir: resolve(repoRoot, c.WEB_BUILD_DIR),
    demo,
    REGISTRATION:
      c.REGISTRATION ??
      (c.ALLOW_REGISTRATION === undefined ? (demo ? 'open' : 'invite') : c.ALLOW_REGISTRATION ? 'open' : 'closed'),
    playground: c.GRAPHQL_PLAYGROUND ?? c.PLAYGROUND_ENABLED ?? demo,
    introspection: c.GRAPHQL_INTROSPECTION ?? demo,
  };
}

/** `512kb` / `1mb` as express's body parser reads them (1 kb = 1024 bytes). */
function toBytes(limit: string): number {
  const [, n, unit] = /^(\d+)(b|kb|mb)$/.exec(limit)!;
  return Number(n) * { b: 1, kb: 1024, mb: 1024 ** 2 }[unit as 'b' | 'kb' | 'mb'];
}

let cached: Config | undefined;
/** The process-wide configuration, validated once. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}
