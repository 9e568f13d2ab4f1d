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
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { buildContext, type Context } from '../context.js';
import { formatError } from '../errors.js';
import { authenticate, bearerToken } from '../modules/auth/viewer.js';
import type { AppServices } from '../services.js';
import { subscribeShared } from './shared-execution.js';

/**
 * graphql-ws on the HTTP server's port and `/graphql` path: authenticated when the socket connects and
 * again per operation (a revoked token stops new operations), the same limits and error masking as HTTP.
 * Returns the handle whose `dispose()` closes every socket on shutdown.
 */
export function startGraphQLWebSocket(
  app: AppServices,
  httpServer: Server,
  schema: GraphQLSchema,
  validationRules: readonly ValidationRule[],
) {
  const { config, orm, log } = app;
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  return useServer<Record<string, unknown>>(
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
        // A token that is presented must be valid; anonymous sockets may still use public operations.
        const token = bearerToken(ctx.connectionParams?.authorization);
        if (!token) return true;
        const auth = await authenticate(orm.em.fork(), app.accessTokens, token);
        return auth.viewer !== null;
      },
      onSubscribe: (_ctx, _id, payload) => {
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
