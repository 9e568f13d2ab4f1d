import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { getClient } from './client';
import { toAppError, type AppError } from './errors';

export interface FollowHandlers<T> {
  next: (data: T) => void;
  /** The subscription failed (socket, permission); what is shown may go stale. */
  error?: (error: AppError) => void;
  /** The server ended the stream (a run ends it when the run ends). */
  complete?: () => void;
}

/**
 * Subscribes over graphql-ws (the client's split link sends subscriptions there) and returns the
 * function that stops it. The same shape for runs, metrics, logs and workers.
 */
export function follow<T, V extends Record<string, unknown>>(
  document: TypedDocumentNode<T, V>,
  variables: V,
  handlers: FollowHandlers<T>,
): () => void {
  const subscription = getClient()
    .subscribe({ query: document, variables, fetchPolicy: 'no-cache' })
    .subscribe({
      next: (result) => {
        if (result.error) handlers.error?.(toAppError(result.error));
        else if (result.data) handlers.next(result.data as T);
      },
      error: (error: unknown) => handlers.error?.(toAppError(error)),
      complete: () => handlers.complete?.(),
    });
  return () => subscription.unsubscribe();
}
