import { setMaxListeners } from 'node:events';
import { createPubSub } from '@graphql-yoga/subscription';

/** Progress of a dataset version being processed. */
export interface DatasetVersionProgressEvent {
  versionId: string;
  status: string;
  rowsProcessed: number;
  message: string | null;
}

/**
 * Typed topics, in process. The interface is what a Redis-backed implementation replaces when the
 * API runs as several instances.
 */
// Many subscribers of one run each listen on its topic: no listener-count "leak" warning at 11.
const eventTarget = new EventTarget();
setMaxListeners(0, eventTarget);

export const pubSub = createPubSub<{
  DATASET_VERSION_PROGRESS: [versionId: string, payload: DatasetVersionProgressEvent];
  /** Something about the run changed (state, progress, attempt); subscribers re-read it. */
  RUN_UPDATED: [runId: string, payload: { runId: string }];
  /** Metric points just stored for a run. */
  RUN_METRICS: [runId: string, payload: { points: { key: string; step: number; value: number }[] }];
  RUN_LOGS: [runId: string, payload: { lines: RunLogLineEvent[] }];
  WORKER_UPDATED: [payload: { workerId: string }];
}>({ eventTarget: eventTarget as never });

export interface RunLogLineEvent {
  id: string;
  time: Date;
  attempt: number;
  level: string;
  message: string;
}
