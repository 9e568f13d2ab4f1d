import type { EvaluationStatus, RunStatus } from '$lib/graphql/generated/graphql';

/** A job's status: runs and evaluations share the jobs core's vocabulary. */
export type JobStatus = RunStatus | EvaluationStatus;

/** Every status, in the order a job goes through them (filter chips follow it). */
export const JOB_STATUSES: JobStatus[] = ['QUEUED', 'STARTING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];

export const isFinished = (status: JobStatus) =>
  status === 'SUCCEEDED' || status === 'FAILED' || status === 'CANCELLED';

export type StatusTone = 'neutral' | 'primary' | 'success' | 'warning' | 'danger';

export function statusTone(status: JobStatus): StatusTone {
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

/** What the user may do with a job in this state (the API refuses the rest with CONFLICT). */
export function jobActions(status: JobStatus, cancelRequested: boolean): { cancel: boolean; retry: boolean } {
  return {
    cancel: !isFinished(status) && !cancelRequested,
    retry: status === 'FAILED' || status === 'CANCELLED',
  };
}
