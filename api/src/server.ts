import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import cookieParser from 'cookie-parser';
import cors from 'cors';
import express, { type RequestHandler } from 'express';
import type { GraphQLSchema } from 'graphql';
import { buildContext, type Context } from './context.js';
import { formatError } from './errors.js';
import { createArmor } from './graphql/limits.js';
import { limitCost, limitResponseSize } from './http/graphql-limits.js';
import { startGraphQLWebSocket } from './graphql/ws-server.js';
import { buildAppSchema } from './graphql/schema.js';
import { applyShield } from './graphql/shield.js';
import { healthRouter } from './http/health.js';
import { graphqlMetricsPlugin, httpMetrics, metricsRouter } from './http/metrics.router.js';
import { playgroundRouter } from './http/playground.js';
import { accessLog, clientIp, currentRequestId, requestIdMiddleware } from './http/request-context.js';
import { authenticate, bearerToken } from './modules/auth/viewer.js';
import { uploadRouter } from './modules/dataset/upload.router.js';
import { downloadRouter } from './modules/dataset/download.router.js';
import { modelDownloadRouter } from './modules/model-version/download.router.js';
import { runFilesRouter } from './modules/run/run-files.router.js';
import { evaluationFilesRouter } from './modules/evaluation/evaluation-files.router.js';
import type { AppServices } from './services.js';

export interface RunningServer {
  httpServer: Server;
  url: string;
  /** Stops accepting work, drains HTTP and WebSocket operations. Does not close the ORM. */
  stop(): Promise<void>;
}

/** Batched HTTP requests are allowed, but never more than GRAPHQL_MAX_BATCH operations at once. */
const limitBatch =
  (max: number): RequestHandler =>
  (req, res, next) => {
    if (Array.isArray(req.body) && req.body.length > max) {
      res.status(400).json({
        errors: [{ message: `At most ${max} operations per batch`, extensions: { code: 'BAD_REQUEST' } }],
      });
      return;
    }
    next();
  };

export async function startServer(
  app: AppServices,
  port = app.config.PORT,
  host = app.config.HOST,
): Promise<RunningServer> {
  const { config, orm, log } = app;
  const schema: GraphQLSchema = applyShield(await buildAppSchema());
  const armor = createArmor(config);
  const expressApp = express();
  expressApp.disable('x-powered-by');
  if (config.TRUST_PROXY !== undefined) expressApp.set('trust proxy', config.TRUST_PROXY);
  const httpServer = createServer(expressApp);
  // Close idle keep-alive sockets later than clients and proxies reuse them (Node's 5 s default races
  // a client reusing the socket: ECONNRESET); headers must be allowed a little longer than that.
  httpServer.keepAliveTimeout = config.HTTP_KEEP_ALIVE_TIMEOUT_MS;
  httpServer.headersTimeout = config.HTTP_HEADERS_TIMEOUT_MS;

  const wsCleanup = startGraphQLWebSocket(app, httpServer, schema, armor.wsValidationRules);

  const apollo = new ApolloServer<Context>({
    schema,
    csrfPrevention: true,
    // main.ts owns SIGTERM/SIGINT: drain, then close the database, then exit.
    stopOnTerminationSignals: false,
    allowBatchedHttpRequests: true,
    // Nothing uses persisted queries; a hash-only request would pass the cost check unseen.
    persistedQueries: false,
    includeStacktraceInErrorResponses: false,
    // Refused by the armor validation rules when GRAPHQL_INTROSPECTION is off, over HTTP and WS alike.
    introspection: true,
    validationRules: armor.validationRules,
    formatError: (formatted, error) => formatError(formatted, error, log, currentRequestId()),
    plugins: [
      // graphql-armor's types come from Apollo's CJS build; the objects are the same.
      ...(armor.plugins as unknown as ApolloServerPlugin<Context>[]),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      graphqlMetricsPlugin<Context>(app.metrics),
      { serverWillStart: async () => ({ drainServer: async () => wsCleanup.dispose() }) },
    ],
  });
  await apollo.start();

  expressApp.use(requestIdMiddleware);
  if (config.TRUST_PROXY === undefined) expressApp.use(warnOnceAboutProxy(log));
  expressApp.use(httpMetrics(app.metrics));
  expressApp.use(accessLog(log));
  expressApp.use(metricsRouter(app));
  // Redis, when configured, carries every live view across instances: a replica without it is not ready.
  const redis = config.REDIS_URL ? [{ name: 'redis', check: () => app.pubsub.ping() }] : [];
  expressApp.use(healthRouter(orm, { checks: [{ name: 'storage', check: () => app.storage.probe() }, ...redis] }));
  if (config.playground) expressApp.use(playgroundRouter());
  expressApp.use(uploadRouter(app));
  expressApp.use(downloadRouter(app));
  expressApp.use(runFilesRouter(app));
  expressApp.use(modelDownloadRouter(app));
  expressApp.use(evaluationFilesRouter(app));
  expressApp.use(
    '/graphql',
    cors({ origin: config.CORS_ORIGINS, credentials: true }),
    cookieParser(),
    express.json({ limit: config.BODY_LIMIT }),
    limitBatch(config.GRAPHQL_MAX_BATCH),
    limitCost(schema, config.GRAPHQL_MAX_COST, config.GRAPHQL_MAX_TOKENS),
    limitResponseSize(config.GRAPHQL_MAX_RESPONSE_BYTES),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const em = orm.em.fork();
        const auth = await authenticate(em, app.accessTokens, bearerToken(req.get('authorization')));
        const requestId = currentRequestId() ?? crypto.randomUUID();
        return buildContext(app, {
          requestId,
          log: log.child({ requestId }),
          em,
          ip: clientIp(req),
          userAgent: req.get('user-agent') ?? null,
          viewer: auth.viewer,
          authError: auth.error,
          http: { req, res },
        });
      },
    }),
  );
  await mountWeb(expressApp, config.webBuildDir, log);

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, () => resolve());
  });
  const address = httpServer.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const url = config.PUBLIC_URL ?? `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${boundPort}`;

  return {
    httpServer,
    url,
    stop: async () => {
      await apollo.stop(); // drains HTTP and disposes graphql-ws (see drainServer above)
    },
  };
}

/**
 * Requests carrying X-Forwarded-For while TRUST_PROXY is unset come through a proxy we do not trust:
 * every client then shares the proxy's address, and so its sign-in throttle. Say so once.
 */
function warnOnceAboutProxy(log: AppServices['log']): RequestHandler {
  let warned = false;
  return (req, _res, next) => {
    if (!warned && req.get('x-forwarded-for')) {
      warned = true;
      log.warn(
        { remoteAddress: req.socket.remoteAddress },
        'requests arrive through a proxy (X-Forwarded-For) but TRUST_PROXY is unset: all clients share one address ' +
          'for sign-in throttling and audit; set TRUST_PROXY (e.g. 1 for one proxy hop)',
      );
    }
    next();
  };
}

/** Serves the built SvelteKit app (adapter-node handler) on the same origin, when it is built. */
async function mountWeb(expressApp: express.Express, buildDir: string, log: AppServices['log']) {
  const handlerFile = join(buildDir, 'handler.js');
  if (!existsSync(handlerFile)) {
    log.warn({ buildDir }, 'web build not found; serving the API only (run npm run build)');
    return;
  }
  const { handler } = (await import(pathToFileURL(handlerFile).href)) as { handler: RequestHandler };
  expressApp.use(handler);
}
