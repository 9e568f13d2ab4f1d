import { CombinedGraphQLErrors } from '@apollo/client';
import { describe, expect, it } from 'vitest';
import { fieldName, fromGraphQLErrors, toAppError } from './errors';

describe('fieldName', () => {
  it('drops the input prefix and list indexes', () => {
    expect(fieldName('input.email')).toBe('email');
    expect(fieldName('input.scopes.2')).toBe('scopes');
    expect(fieldName('id')).toBe('id');
  });
});

describe('fromGraphQLErrors', () => {
  it('collects field problems and the retry delay', () => {
    const error = fromGraphQLErrors([
      {
        message: 'input.password: must be at least 10 characters',
        extensions: {
          code: 'BAD_USER_INPUT',
          fields: [{ field: 'input.password', message: 'must be at least 10 characters' }],
        },
      },
    ]);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', fields: { password: 'must be at least 10 characters' } });
    expect(
      fromGraphQLErrors([{ message: 'slow down', extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 30 } }]),
    ).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 30 });
  });

  it('keeps the full path of each field for forms with repeated parts', () => {
    const error = fromGraphQLErrors([
      {
        message: 'input.steps.1.ratios: must sum to 1',
        extensions: {
          code: 'BAD_USER_INPUT',
          fields: [
            { field: 'input.steps.1.ratios', message: 'must sum to 1' },
            { field: 'input.steps.0.seed', message: 'must be a whole number' },
          ],
        },
      },
    ]);
    expect(error.fields).toEqual({ steps: 'must sum to 1' });
    expect(error.fieldPaths).toEqual({ 'steps.1.ratios': 'must sum to 1', 'steps.0.seed': 'must be a whole number' });
  });

  it('treats codes it does not know as UNKNOWN', () => {
    expect(fromGraphQLErrors([{ message: 'x', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }]).code).toBe(
      'UNKNOWN',
    );
  });
});

describe('toAppError', () => {
  it('reads Apollo GraphQL errors', () => {
    const combined = new CombinedGraphQLErrors({
      errors: [{ message: 'Sign in first', extensions: { code: 'UNAUTHENTICATED' } }],
    });
    expect(toAppError(combined).code).toBe('UNAUTHENTICATED');
  });

  it('calls a failed fetch a network error', () => {
    expect(toAppError(new TypeError('Failed to fetch')).code).toBe('NETWORK');
  });
});
