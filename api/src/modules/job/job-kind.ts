import type { EntityManager } from '@mikro-orm/postgresql';
import { registerEnumType } from 'type-graphql';
import type { AppServices } from '../../services.js';
import type { Project } from '../project/project.entity.js';
import type { Worker } from '../worker/worker.entity.js';
import type { IncomingEvent } from './job-events.js';

/** The kinds of work workers do. Each kind is a payload and an executor; the lease logic is shared. */
export enum JobKind {
  TRAINING = 'TRAINING',
  EVALUATION = 'EVALUATION',
}
registerEnumType(JobKind, { name: 'JobKind', description: 'What a queued job does on a worker' });

/** The life of every queued job; each kind's entity shows it under its own GraphQL enum name. */
export enum JobStatus {
  QUEUED = 'QUEUED',
  STARTING = 'STARTING',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(JobStatus, { name: 'JobStatus' });

export const FINISHED: readonly JobStatus[] = [JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED];
export const ACTIVE: readonly JobStatus[] = [JobStatus.STARTING, JobStatus.RUNNING];

export interface JobFailure {
  reason: string;
  message: string;
  logTail: string[];
}

/**
 * The row a job belongs to (a Run, later an evaluation, an export…): the user-facing entity. Its
 * table has these columns under these names (snake_case), which the shared SQL (claim limits, fair
 * share, the reconciler) reads. `attempt` is the fencing token: a worker's writes count only for the
 * attempt it claimed.
 */
export interface JobHolder {
  id: string;
  project: Project;
  status: JobStatus;
  /** Current attempt (1-based); 0 until first claimed. */
  attempt: number;
  /** Attempts made before the current queue job (a retry starts a new pg-boss job, counting from 0). */
  attemptBase: number;
  maxAttempts: number;
  priority: number;
  queueName: string;
  /** The pg-boss job id; null only between the row and its job in one transaction. */
  jobId: string | null;
  worker: Worker | null;
  phase: string | null;
  error: JobFailure | null;
  cancelRequestedAt: Date | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** How a worker's attempt ended, as completeJob reports it. */
export type JobOutcome = 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'INTERRUPTED';

/**
 * What a kind adds to the shared machinery. Every method runs inside the transaction that holds the
 * holder's row lock (claim, completion, reconciler) unless it says otherwise.
 */
export interface JobKindHandler<H extends JobHolder = JobHolder, Payload = object, Result = unknown> {
  kind: JobKind;
  entity: new () => H;
  /** The holder's table, and the GPUs one row takes (SQL over the row alias `x`), for fair share. */
  table: string;
  gpusSql: string;
  /** Its attempts table and that table's column naming the holder. */
  attempts: { table: string; holderColumn: string };
  /** Reasons a retry would fail the same way: no retry. */
  finalReasons: ReadonlySet<string>;
  /** Relations the payload needs, loaded with the claimed row. */
  populate?: string[];
  /** Records the attempt just claimed (`holder.attempt`) on `worker`. */
  openAttempt(em: EntityManager, holder: H, worker: Worker): Promise<void>;
  closeOpenAttempts(em: EntityManager, holder: H, outcome: string, reason: string | null): Promise<void>;
  /** The typed payload the worker gets (an object type of the ClaimedJob union). */
  payload(em: EntityManager, holder: H, app: AppServices): Promise<Payload>;
  /** The kind's part of a success (e.g. registering the model); may refuse with an AppError. */
  succeed(em: EntityManager, holder: H, result: Result | null, app: AppServices): Promise<void>;
  /**
   * Stores a batch of a held attempt's events, fenced inside its own statement (not in a
   * transaction of the caller): NotHeldError when the attempt is not this worker's.
   */
  storeEvents(
    app: AppServices,
    holderId: string,
    attempt: number,
    workerAccountId: string,
    events: IncomingEvent[],
  ): Promise<{ stored: number; cancelRequested: boolean; stateChanged: boolean }>;
  /** The last log lines, for a failure report that sent none. */
  logTail(em: EntityManager, holder: H): Promise<string[]>;
  /** Machine samples for the held attempts (optional: kinds that chart the machine). */
  storeSystemSample?(app: AppServices, holderIds: string[], at: Date, sample: object): Promise<void>;
  /** Tells subscribers the holder changed (not in a transaction). */
  publish(app: Pick<AppServices, 'pubsub'>, holderId: string): void;
}

/**
 * Declares a kind: its methods are checked against its own holder, payload and result types, and the
 * shared machinery sees it through the general interface (it only ever hands a handler its own rows).
 */
export const jobKind = <H extends JobHolder, P, R>(handler: JobKindHandler<H, P, R>) =>
  handler as unknown as JobKindHandler;

/** The registered kinds, by name. */
export class JobKinds {
  private readonly byKind = new Map<JobKind, JobKindHandler>();

  constructor(handlers: JobKindHandler[]) {
    for (const h of handlers) this.byKind.set(h.kind, h);
  }

  get(kind: JobKind): JobKindHandler {
    const handler = this.byKind.get(kind);
    if (!handler) throw new Error(`no handler for job kind ${kind}`);
    return handler;
  }

  all(): JobKindHandler[] {
    return [...this.byKind.values()];
  }

  /**
   * Every holder row of every kind as one relation (kind, id, project_id, status, queue_name,
   * created_at, gpus): the shared SQL counts and orders across kinds through it.
   */
  holdersSql(): string {
    return this.all()
      .map(
        (h) => `select '${h.kind}' as kind, x.id, x.project_id, x.status::text as status, x.queue_name,
                          x.created_at, ${h.gpusSql} as gpus from ${h.table} x`,
      )
      .join(' union all ');
  }

  /** Every attempt of every kind: (kind, holder_id, started_at, ended_at). */
  attemptsSql(): string {
    return this.all()
      .map(
        (h) =>
          `select '${h.kind}' as kind, a.${h.attempts.holderColumn} as holder_id, a.started_at, a.ended_at from ${h.attempts.table} a`,
      )
      .join(' union all ');
  }
}
