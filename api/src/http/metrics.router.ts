import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { Router, type RequestHandler } from 'express';
import type { OperationDefinitionNode } from 'graphql';
import { routeLabel, type AppMetrics } from '../metrics.js';
import type { AppServices } from '../services.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * GET /metrics in the Prometheus text format, for a scraper presenting `Authorization: Bearer
 * <METRICS_TOKEN>`: 401 without it, 404 when METRICS_TOKEN is unset (metrics off).
 */
export function metricsRouter(app: Pick<AppServices, 'config' | 'metrics'>): Router {
  const router = Router();
  const expected = app.config.METRICS_TOKEN ? digest(app.config.METRICS_TOKEN) : null;
  router.get('/metrics', async (req, res) => {
    if (!expected) {
      res.status(404).type('text/plain').send('Not found\n');
      return;
    }
    const presented = /^Bearer (.+)$/i.exec(req.get('authorization') ?? '')?.[1];
    // Compared as hashes: constant time, whatever the lengths.
    if (!presented || !timingSafeEqual(digest(presented), expected)) {
      res.status(401).set('www-authenticate', 'Bearer realm="metrics"').type('text/plain').send('Unauthorized\n');
      return;
    }
    res.type(app.metrics.registry.contentType).send(await app.metrics.registry.metrics());
  });
  return router;
}

/** Observes every HTTP request's latency by route, method and status class. */
export const httpMetrics =
  (metrics: AppMetrics): RequestHandler =>
  (req, res, next) => {
    const end = metrics.httpDuration.startTimer();
    res.on('finish', () =>
      // originalUrl: a router mounted at a path (/graphql) sees only the rest in req.path.
      end({
        route: routeLabel(req.originalUrl.split('?')[0]!),
        method: req.method,
        status: `${Math.floor(res.statusCode / 100)}xx`,
      }),
    );
    next();
  };

/** Apollo plugin: latency per GraphQL operation over HTTP, named by its root field. */
export function graphqlMetricsPlugin<T extends object>(metrics: AppMetrics): ApolloServerPlugin<T> {
  return {
    requestDidStart: async () => {
      const end = metrics.graphqlDuration.startTimer();
      let operation = 'unknown';
      let type = 'unknown';
      return {
        didResolveOperation: async ({ operation: op }) => {
          if (!op) return;
          type = op.operation;
          operation = rootField(op);
        },
        willSendResponse: async ({ response }) => {
          const errors = response.body.kind === 'single' && !!response.body.singleResult.errors?.length;
          end({ operation, type, outcome: errors ? 'error' : 'ok' });
        },
      };
    },
  };
}

/** The root field's name (validated against the schema by now, so bounded by it). */
function rootField(op: OperationDefinitionNode) {
  const fields = op.selectionSet.selections.filter((s) => s.kind === 'Field');
  if (fields.length !== 1 || op.selectionSet.selections.length !== 1) return 'multiple';
  const name = fields[0]!.name.value;
  return name.startsWith('__') ? 'introspection' : name;
}
