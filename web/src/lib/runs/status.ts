import type { RunStatus } from '$lib/graphql/generated/graphql';

/** Every status, in the order a run goes through them (filter chips follow it). */
export const RUN_STATUSES: RunStatus[] = ['QUEUED', 'STARTING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];

export const isRunFinished = (status: RunStatus) =>
  status === 'SUCCEEDED' || status === 'FAILED' || status === 'CANCELLED';

export type StatusTone = 'neutral' | 'primary' | 'success' | 'warning' | 'danger';

export function statusTone(status: RunStatus): StatusTone {
  switch (status) {
    case 'RUNNING':
    case 'STARTING':
      return 'primary';
    case 'SUCCEEDED':
      return 'success';
    case 'FAILED':
      return 'danger';
    case 'CANCELLED':
      return 'warning';
    default:
      return 'neutral';
  }
}

/** What the user may do with a run in this state (the API refuses the rest with CONFLICT). */
export function runActions(status: RunStatus, cancelRequested: boolean): { cancel: boolean; retry: boolean } {
  return {
    cancel: !isRunFinished(status) && !cancelRequested,
    retry: status === 'FAILED' || status === 'CANCELLED',
  };
}
