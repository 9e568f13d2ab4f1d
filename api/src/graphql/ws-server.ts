import type { Server } from 'node:http';
import {
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type ExecutionArgs,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import type { Context as SocketContext } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { buildContext, type Context } from '../context.js';
import { AppError, formatError } from '../errors.js';
import { authenticate, bearerToken } from '../modules/auth/viewer.js';
import type { AppServices } from '../services.js';
import { subscribeShared } from './shared-execution.js';

type Socket = SocketContext<Record<string, unknown>, Extra & { userId?: string }>;

/** graphql-ws's close code for a refused connection_init; the web client retries it with a fresh token. */
const FORBIDDEN_CLOSE = 4403;

/**
 * graphql-ws on the HTTP server's port and `/graphql` path: only authenticated sockets (connection_init
 * must carry a valid token), authenticated again per operation (a revoked token stops new operations), the
 * same limits and error masking as HTTP, no message larger than BODY_LIMIT (refused from the frame header,
 * before it is buffered), and at most WS_MAX_SUBSCRIPTIONS_PER_SOCKET subscriptions per socket and
 * WS_MAX_SUBSCRIPTIONS_PER_USER per user over their sockets to this process.
 * Returns the handle whose `dispose()` closes every socket on shutdown.
 */
export function startGraphQLWebSocket(
  app: AppServices,
  httpServer: Server,
  schema: GraphQLSchema,
  validationRules: readonly ValidationRule[],
) {
  const { config, orm, log } = app;
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: config.bodyLimitBytes });
  /** Each user's open, authenticated sockets: their subscriptions are counted from these, so none leaks. */
  const socketsOf = new Map<string, Set<Socket>>();
  const tooMany = (message: string) => [
    new GraphQLError(message, { originalError: new AppError('RATE_LIMITED', message) }),
  ];
  app.metrics.ws = {
    connections: () => wsServer.clients.size,
    subscriptions: () => {
      let n = 0;
      for (const sockets of socketsOf.values()) for (const s of sockets) n += Object.keys(s.subscriptions).length;
      return n;
    },
  };
  wsServer.on('connection', (socket) => {
    // ws has already closed the socket on a protocol error (1009 for a message over maxPayload); graphql-ws
    // would also print each one to the console, which a client could use to flood it. Log it instead.
    queueMicrotask(() => {
      socket.removeAllListeners('error');
      socket.on('error', (err) => log.debug({ err }, 'WebSocket closed on a protocol error'));
    });
  });
  return useServer<Record<string, unknown>, { userId?: string }>(
    {
      schema,
      subscribe: subscribeShared,
      context: async (ctx, _id, _payload) => {
        const em = orm.em.fork();
        const auth = await authenticate(em, app.accessTokens, bearerToken(ctx.connectionParams?.authorization));
        const request = ctx.extra.request;
        return buildContext(app, {
          requestId: crypto.randomUUID(),
          log,
          em,
          ip: request.socket.remoteAddress ?? null,
          userAgent: request.headers['user-agent'] ?? null,
          viewer: auth.viewer,
          authError: auth.error,
        });
      },
      onConnect: async (ctx) => {
        // Sockets are for signed-in people and scripts only: no public operation needs one.
        const token = bearerToken(ctx.connectionParams?.authorization);
        const auth = token ? await authenticate(orm.em.fork(), app.accessTokens, token) : null;
        if (!auth?.viewer) {
          const reason = token
            ? 'Token is not valid, expired or revoked'
            : 'Sign in first: connectionParams.authorization';
          ctx.extra.socket.close(FORBIDDEN_CLOSE, reason);
          return false;
        }
        const userId = auth.viewer.user.id;
        ctx.extra.userId = userId;
        const sockets = socketsOf.get(userId) ?? new Set();
        socketsOf.set(userId, sockets.add(ctx as Socket));
        return true;
      },
      onClose: (ctx) => {
        const sockets = ctx.extra.userId ? socketsOf.get(ctx.extra.userId) : undefined;
        if (!sockets) return;
        sockets.delete(ctx as Socket);
        if (!sockets.size) socketsOf.delete(ctx.extra.userId!);
      },
      onSubscribe: (ctx, _id, payload) => {
        // ctx.subscriptions holds this socket's running operations, the new one included.
        const onSocket = Object.keys(ctx.subscriptions).length;
        if (onSocket > config.WS_MAX_SUBSCRIPTIONS_PER_SOCKET)
          return tooMany(
            `At most ${config.WS_MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions per connection; complete one first`,
          );
        let ofUser = 0;
        for (const socket of socketsOf.get(ctx.extra.userId!) ?? []) ofUser += Object.keys(socket.subscriptions).length;
        if (ofUser > config.WS_MAX_SUBSCRIPTIONS_PER_USER)
          return tooMany(`At most ${config.WS_MAX_SUBSCRIPTIONS_PER_USER} subscriptions per user; complete one first`);
        // Same limits as HTTP: parse with a token cap, validate with the armor rules.
        let document;
        // Coded as over HTTP: an uncoded error would be masked as an internal one.
        try {
          document = parse(payload.query, { maxTokens: config.GRAPHQL_MAX_TOKENS });
        } catch (error) {
          return [withCode(error as GraphQLError, 'GRAPHQL_PARSE_FAILED')];
        }
        const errors = validate(schema, document, [...specifiedRules, ...validationRules]);
        if (errors.length) return errors.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED'));
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e, log)),
      onNext: (_ctx, _id, _payload, _args: ExecutionArgs, result) => {
        if (!('errors' in result) || !result.errors) return result;
        const requestId = (_args.contextValue as Context | undefined)?.requestId;
        return { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e, log, requestId)) } as never;
      },
    },
    wsServer,
  );
}

const withCode = (error: GraphQLError, code: string) =>
  error.extensions?.code
    ? error
    : new GraphQLError(error.message, {
        nodes: error.nodes,
        source: error.source,
        positions: error.positions,
        extensions: { ...error.extensions, code },
      });
