import { CombinedGraphQLErrors, ServerError } from '@apollo/client';
import type { GraphQLFormattedError } from 'graphql';

/** The API's error vocabulary (`extensions.code`), plus what only the client can see. */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'CONFLICT',
  'RATE_LIMITED',
  'INTERNAL_SERVER_ERROR',
  'NETWORK',
  'UNKNOWN',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** An operation's failure in the terms the UI needs: one code, a message, per-field problems. */
export interface AppError {
  code: ErrorCode;
  /** The server's own words (English); shown beside the translated explanation where useful. */
  message: string;
  /** Form field name (the `input.` prefix removed) → the server's message for it. */
  fields: Record<string, string>;
  /**
   * Full field path (the `input.` prefix removed) → the server's message, for forms with repeated
   * parts: `steps.2.ratios`, `options.mapping.columns.output`. `fields` keeps only the first part.
   */
  fieldPaths?: Record<string, string>;
  retryAfterSeconds?: number;
  requestId?: string;
}

const isCode = (value: unknown): value is ErrorCode =>
  typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);

/** `input.scopes.2` → `scopes.2`, `id` → `id`. */
export function fieldPath(path: string): string {
  return path.startsWith('input.') ? path.slice('input.'.length) : path;
}

/** `input.email` → `email`, `input.scopes.2` → `scopes`, `id` → `id`. */
export function fieldName(path: string): string {
  return fieldPath(path).split('.')[0] ?? path;
}

/** Parse/validation errors mean this client and the server disagree; nothing the user can fix. */
function codeOf(error: GraphQLFormattedError): ErrorCode {
  const code = error.extensions?.code;
  if (isCode(code)) return code;
  return 'UNKNOWN';
}

export function fromGraphQLErrors(errors: readonly GraphQLFormattedError[]): AppError {
  const first = errors[0];
  const result: AppError = {
    code: first ? codeOf(first) : 'UNKNOWN',
    message: first?.message ?? '',
    fields: {},
    fieldPaths: {},
  };
  for (const error of errors) {
    const ext = error.extensions ?? {};
    const fields = Array.isArray(ext.fields) ? (ext.fields as unknown[]) : [];
    for (const item of fields) {
      const { field, message } = (item ?? {}) as { field?: unknown; message?: unknown };
      if (typeof field !== 'string' || typeof message !== 'string') continue;
      result.fields[fieldName(field)] ??= message;
      result.fieldPaths![fieldPath(field)] ??= message;
    }
    if (typeof ext.retryAfterSeconds === 'number') result.retryAfterSeconds = ext.retryAfterSeconds;
    if (typeof ext.requestId === 'string') result.requestId = ext.requestId;
  }
  return result;
}

function fromServerError(error: ServerError): AppError {
  try {
    const body = JSON.parse(error.bodyText) as { errors?: GraphQLFormattedError[] };
    if (Array.isArray(body.errors) && body.errors.length) return fromGraphQLErrors(body.errors);
  } catch {
    // Not JSON (a proxy's error page, say): fall through to the status code.
  }
  const code: ErrorCode =
    error.statusCode === 429 ? 'RATE_LIMITED' : error.statusCode >= 500 ? 'INTERNAL_SERVER_ERROR' : 'UNKNOWN';
  return { code, message: error.message, fields: {} };
}

/** Anything thrown by an operation → AppError. */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  if (CombinedGraphQLErrors.is(error)) return fromGraphQLErrors(error.errors);
  if (ServerError.is(error)) return fromServerError(error);
  const message = error instanceof Error ? error.message : String(error);
  // fetch() rejects with a TypeError when the server cannot be reached at all.
  if (error instanceof TypeError) return { code: 'NETWORK', message, fields: {} };
  return { code: 'UNKNOWN', message, fields: {} };
}

export function isAppError(value: unknown): value is AppError {
  return (
    typeof value === 'object' &&
    value !== null &&
    isCode((value as AppError).code) &&
    typeof (value as AppError).fields === 'object' &&
    !(value instanceof Error)
  );
}

/** True when the error says the access token is missing, expired or revoked. */
export function isUnauthenticated(error: unknown): boolean {
  if (CombinedGraphQLErrors.is(error)) return error.errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
  return isAppError(error) && error.code === 'UNAUTHENTICATED';
}
