import type { ClaimJobMutation, HeldJobInput, JobKind } from './graphql/generated/graphql.js';

/** A job as `claimJob` hands it over: one member of the `ClaimedJob` union, told apart by `__typename`. */
export type ClaimedJob = NonNullable<ClaimJobMutation['claimJob']>;
export type ClaimedJobType = ClaimedJob['__typename'];
export type ClaimedJobOf<T extends ClaimedJobType> = Extract<ClaimedJob, { __typename: T }>;

/** Which attempt of which job: every write about a job names it (the fencing token is `attempt`). */
export type JobRef = HeldJobInput & { id: string };

// (String(): an unknown payload from a newer API may lack even the ticket.)
export const describeJob = (job: JobRef) => `${String(job.kind).toLowerCase()} job ${job.id} attempt ${job.attempt}`;

/**
 * One claimed attempt being run on this machine. The agent's loops see only this: they renew its lease,
 * pass on cancels and shutdowns, and drop it when the lease is lost; the kind's work is its own.
 */
export interface JobExecutor {
  readonly job: JobRef;
  /** Renew the lease well within this (workerHeartbeat). */
  readonly leaseSeconds: number;
  /** The API has this attempt's outcome: its lease ending now is expected. */
  readonly settled: boolean;
  /** Runs the attempt and reports how it ended (`completeJob`); resolves once it is over, never rejects. */
  execute(): Promise<void>;
  /** A user cancelled: stop (gracefully, then by force) and complete as CANCELLED. */
  cancel(): void;
  /** The agent is shutting down: stop and complete as INTERRUPTED, so that the job is queued again. */
  interrupt(): void;
  /** The lease moved on (another worker may hold the job now): stop at once and write nothing more. */
  lost(): void;
}

/** How this agent runs one kind of job. */
export interface JobKindRunner<T extends ClaimedJobType> {
  kind: JobKind;
  /** Once, when the agent starts: what the kind needs on this machine (the start fails without it). */
  setUp?(): void | Promise<void>;
  executor(job: ClaimedJobOf<T>): JobExecutor;
}

/**
 * The kinds this agent runs, by the `__typename` of their payload. The agent claims exactly these
 * kinds; a new kind is its payload in the schema plus an entry here, and the loops stay as they are.
 */
export type JobKindRunners = { [T in ClaimedJobType]?: JobKindRunner<T> };

/** The kinds to claim (`WorkerCapabilitiesInput.kinds`). */
export const capabilities = (runners: JobKindRunners) => ({
  kinds: Object.values(runners).map((r) => r.kind),
});

/**
 * The executor for a claimed job, or why there is none: the API handed over a kind this agent does not
 * run (a newer API, or a payload type it does not know), which must not be started.
 */
export function dispatch(
  job: ClaimedJob,
  runners: JobKindRunners,
): { executor: JobExecutor } | { unsupported: string } {
  // `__typename` comes from the wire: at run time it may be a type this build has never heard of.
  const type = job.__typename as string;
  const runner = Object.hasOwn(runners, type)
    ? (runners[type as ClaimedJobType] as JobKindRunner<ClaimedJobType>)
    : null;
  if (!runner || runner.kind !== job.kind) {
    const runs = capabilities(runners).kinds.join(', ') || 'nothing';
    return { unsupported: `this agent cannot run ${job.kind} jobs (payload ${type}); it runs ${runs}` };
  }
  return { executor: runner.executor(job) };
}
