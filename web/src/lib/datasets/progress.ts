import { getClient } from '$lib/graphql/client';
import { toAppError, type AppError } from '$lib/graphql/errors';
import {
  DatasetVersionProgressDocument,
  type DatasetVersionProgressSubscription,
} from '$lib/graphql/generated/graphql';

export type VersionProgress = DatasetVersionProgressSubscription['datasetVersionProgress'];

export interface ProgressHandlers {
  onprogress: (event: VersionProgress) => void;
  /** The subscription failed (socket, permission); the version may still finish. */
  onerror?: (error: AppError) => void;
}

/**
 * Follows a version's processing over graphql-ws. The first event is its current state; the
 * server ends the stream after READY or FAILED. Returns the function that stops following.
 */
export function followVersion(versionId: string, handlers: ProgressHandlers): () => void {
  const subscription = getClient()
    .subscribe({
      query: DatasetVersionProgressDocument,
      variables: { versionId },
      fetchPolicy: 'no-cache',
    })
    .subscribe({
      next: (result) => {
        if (result.error) handlers.onerror?.(toAppError(result.error));
        else if (result.data) handlers.onprogress(result.data.datasetVersionProgress);
      },
      error: (error: unknown) => handlers.onerror?.(toAppError(error)),
    });
  return () => subscription.unsubscribe();
}

export const isFinished = (status: string) => status === 'READY' || status === 'FAILED';
