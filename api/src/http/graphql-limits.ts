import type { RequestHandler } from 'express';
import { parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { costMessage, documentCost } from '../graphql/cost.js';

interface HttpOperation {
  query?: unknown;
  operationName?: unknown;
  variables?: unknown;
}

const refuse = (res: Parameters<RequestHandler>[1], status: number, message: string, extra: object = {}) =>
  res.status(status).json({ errors: [{ message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', ...extra } }] });

/** GET carries one operation in the query string (variables as JSON text). */
function operationsOf(req: Parameters<RequestHandler>[0]): HttpOperation[] {
  if (req.method === 'GET') {
    const q = req.query as Record<string, string | undefined>;
    let variables: unknown = null;
    try {
      variables = q.variables ? JSON.parse(q.variables) : null;
    } catch {
      // Apollo reports the malformed variables itself.
    }
    return [{ query: q.query, operationName: q.operationName, variables }];
  }
  const body: unknown = req.body;
  if (Array.isArray(body)) return body as HttpOperation[];
  return body && typeof body === 'object' ? [body as HttpOperation] : [];
}

/**
 * Refuses an HTTP request whose operations together cost more than `maxCost`, with their real
 * variables, before any of them runs (Apollo runs a batch's operations concurrently, so a per-operation
 * check could not stop the first ones). Unparsable operations are left to Apollo to report.
 */
export function limitCost(schema: GraphQLSchema, maxCost: number, maxTokens: number): RequestHandler {
  return (req, res, next) => {
    const operations = operationsOf(req);
    let total = 0;
    for (const op of operations) {
      if (typeof op?.query !== 'string') continue;
      let document: DocumentNode;
      try {
        document = parse(op.query, { maxTokens });
      } catch {
        continue;
      }
      const variables =
        op.variables && typeof op.variables === 'object' ? (op.variables as Record<string, unknown>) : {};
      total += documentCost(
        schema,
        document,
        typeof op.operationName === 'string' ? op.operationName : null,
        variables,
      );
    }
    if (total > maxCost) {
      const what = operations.length > 1 ? `Batch of ${operations.length} operations: total` : 'Query';
      refuse(res, 400, costMessage(total, maxCost, what), { cost: total, maxCost });
      return;
    }
    next();
  };
}

/**
 * Replaces a GraphQL response larger than `maxBytes` by an error instead of sending it (a page of
 * long rows or a wide batch); the client is told to ask for less.
 */
export function limitResponseSize(maxBytes: number): RequestHandler {
  return (_req, res, next) => {
    const send = res.send.bind(res);
    res.send = (body?: unknown) => {
      const size = typeof body === 'string' ? Buffer.byteLength(body) : Buffer.isBuffer(body) ? body.length : 0;
      if (size > maxBytes) {
        res.send = send;
        return refuse(
          res,
          413,
          `The response is ${size} bytes, over the limit of ${maxBytes} (GRAPHQL_MAX_RESPONSE_BYTES): ask for fewer items or fields`,
          { code: 'RESPONSE_TOO_LARGE', responseBytes: size, maxBytes },
        );
      }
      return send(body);
    };
    next();
  };
}
