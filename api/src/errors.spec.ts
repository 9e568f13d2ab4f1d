import { GraphQLError } from 'graphql';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AppError, formatError } from './errors.js';

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'error' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}

describe('formatError', () => {
  it('masks unexpected errors and logs them with the request id', () => {
    const { log, lines } = capturingLogger();
    const original = new Error('connection to 10.0.0.5 refused: password for user "app" is hunter2');
    const wrapped = new GraphQLError(original.message, { originalError: original, path: ['me'] });
    const out = formatError(wrapped.toJSON(), wrapped, log, 'req-123');
    expect(out.message).toBe('Internal server error');
    expect(out.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: 'req-123' });
    expect(JSON.stringify(out)).not.toContain('hunter2');
    expect(lines).toHaveLength(1);
    expect(lines[0].requestId).toBe('req-123');
  });

  it('keeps domain errors: code, message and fields', () => {
    const { log } = capturingLogger();
    const app = new AppError('BAD_USER_INPUT', 'input.name: must not be empty', {
      fields: [{ field: 'input.name', message: 'must not be empty' }],
    });
    const wrapped = new GraphQLError(app.message, { originalError: app });
    const out = formatError(wrapped.toJSON(), wrapped, log);
    expect(out.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      fields: [{ field: 'input.name', message: 'must not be empty' }],
    });
  });

  it('passes request errors (validation) through without a stack', () => {
    const { log } = capturingLogger();
    const err = new GraphQLError('Cannot query field "nope"', {
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', stacktrace: ['x'] },
    });
    const out = formatError(err.toJSON(), err, log);
    expect(out.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
  });
});
