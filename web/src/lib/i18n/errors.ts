import type { AppError } from '$lib/graphql/errors';
import { t } from './index';

/** One sentence in the reader's language saying what went wrong and what to do. */
export function describeError(error: AppError): string {
  if (error.code === 'RATE_LIMITED' && error.retryAfterSeconds) {
    return t('errors.RATE_LIMITED_RETRY', { seconds: Math.ceil(error.retryAfterSeconds) });
  }
  return t(`errors.${error.code}`);
}

/** Codes where the server's own message adds something the translation cannot know. */
export function showsServerDetail(error: AppError): boolean {
  return (
    ['BAD_USER_INPUT', 'CONFLICT', 'FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED'].includes(error.code) && !!error.message
  );
}
