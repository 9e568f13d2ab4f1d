import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';

/** The current request's id, readable anywhere in its async chain (error masking, logs). */
export const requestStore = new AsyncLocalStorage<{ requestId: string }>();
export const currentRequestId = () => requestStore.getStore()?.requestId;

const VALID_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function requestIdMiddleware(req: Request, res: Response, next: NextFunction) {
  const incoming = req.get('x-request-id');
  const requestId = incoming && VALID_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('x-request-id', requestId);
  requestStore.run({ requestId }, next);
}

export const clientIp = (req: Request): string | null => req.ip ?? req.socket.remoteAddress ?? null;

/**
 * One structured line per HTTP request at debug level (LOG_LEVEL=debug), carrying the request id that
 * error logs also carry. Not at info: a worker's heartbeats and a dashboard's polling would flood the console.
 */
export const accessLog =
  (log: Logger): RequestHandler =>
  (req, res, next) => {
    if (!log.isLevelEnabled('debug')) return next();
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      log.debug(
        {
          requestId: currentRequestId() ?? res.getHeader('x-request-id'),
          method: req.method,
          // originalUrl: a router mounted at a path (/graphql) sees only the rest in req.path.
          path: req.originalUrl.split('?')[0],
          status: res.statusCode,
          ms: Math.round(ms),
        },
        'request',
      );
    });
    next();
  };
