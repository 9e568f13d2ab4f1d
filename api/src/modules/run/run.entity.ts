import { BigIntType } from '@mikro-orm/core';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DatasetVersion } from '../dataset/dataset-version.entity.js';
import type { EvaluatorSuites } from '../evaluation/evaluation-spec.js';
import { FINISHED, JobStatus, type JobHolder } from '../job/job-kind.js';
import { Project } from '../project/project.entity.js';
import { User } from '../user/user.entity.js';
import { Worker } from '../worker/worker.entity.js';

/** A run's status is its job's; GraphQL keeps the name RunStatus. */
export const RunStatus = { ...JobStatus };
export type RunStatus = JobStatus;
registerEnumType(RunStatus, { name: 'RunStatus' });

export { ACTIVE, FINISHED } from '../job/job-kind.js';

@ObjectType({ description: 'Training progress: optimizer steps done of the total' })
export class RunProgress {
  @Field(() => Int) step!: number;
  @Field(() => Int) totalSteps!: number;
  @Field(() => Float) epoch!: number;
}

@ObjectType({ description: 'Why a run (or an attempt) failed' })
export class RunError {
  @Field(() => String, { description: 'invalid_spec, oom, nan_loss, error, lease_expired, worker_lost…' })
  reason!: string;
  @Field(() => String) message!: string;
  @Field(() => [String], { description: 'The last log lines before the failure' }) logTail!: string[];
}

/**
 * One fine-tuning run: the user-facing entity of a TRAINING job (modules/job holds the queue, lease and
 * fencing logic; run-job.ts is the kind). The queue (pg-boss) holds its job while it waits or trains;
 * this row is the state users see. `attempt` is the fencing token: a worker's writes count only for
 * the attempt it claimed, so a worker presumed dead cannot write after its lease moved on.
 */
@ObjectType()
@Entity({ tableName: 'runs' })
@Index({ properties: ['project', 'createdAt'] })
@Index({ properties: ['status'] })
export class Run implements JobHolder {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne({ entity: () => Project, deleteRule: 'cascade' })
  project!: Project;

  /** 1, 2, 3… within the project, for humans. */
  @Field(() => Int)
  @Property({ type: 'integer' })
  number!: number;

  @Field(() => String)
  @Property({ type: 'string', length: 200 })
  name!: string;

  @ManyToOne({ entity: () => User, deleteRule: 'set null', nullable: true })
  createdBy: User | null = null;

  @ManyToOne({ entity: () => DatasetVersion, deleteRule: 'restrict' })
  datasetVersion!: DatasetVersion;

  @Field(() => String)
  @Property({ type: 'string', length: 200 })
  baseModelId!: string;

  @Field(() => String, { description: 'lora, qlora or full' })
  @Property({ type: 'string', length: 16 })
  method!: string;

  @Field(() => String, { description: 'sft or dpo' })
  @Property({ type: 'string', length: 16 })
  objective!: string;

  @Field(() => GraphQLJSONObject, { description: 'The validated configuration: hyperparameters and resources' })
  @Property({ type: 'json' })
  config!: {
    hyperparameters: Record<string, unknown>;
    resources: { gpusPerNode: number; nodes: number; strategy: string };
    /** Suites to evaluate the result with on the version's test split (evaluator terms), if asked. */
    evaluateAfter?: EvaluatorSuites | null;
  };

  @Field(() => Int, { description: 'Higher runs first among the runs of its project' })
  @Property({ type: 'integer', default: 0 })
  priority: number = 0;

  @Field(() => RunStatus)
  @Enum({ items: () => RunStatus, nativeEnumName: 'run_status' })
  status: RunStatus = RunStatus.QUEUED;

  /** Current attempt (1-based); 0 until first claimed. The fencing token for worker writes. */
  @Field(() => Int)
  @Property({ type: 'integer', default: 0 })
  attempt: number = 0;

  @Field(() => Int, { description: 'Tries of the current queueing (a retry starts a new count)' })
  @Property({ type: 'integer' })
  maxAttempts!: number;

  /** Metric points stored (quota: RUN_MAX_METRIC_POINTS). */
  @Property({ type: new BigIntType('number'), default: 0 })
  metricPoints: number = 0;

  /** Attempts made before the current queue job (retryRun keeps counting from here). */
  @Property({ type: 'integer', default: 0 })
  attemptBase: number = 0;

  @Property({ type: 'string', length: 64 })
  queueName!: string;

  @Property({ type: 'uuid', nullable: true })
  jobId: string | null = null;

  @ManyToOne({ entity: () => Worker, deleteRule: 'set null', nullable: true })
  worker: Worker | null = null;

  @Field(() => RunProgress, { nullable: true })
  @Property({ type: 'json', nullable: true })
  progress: RunProgress | null = null;

  @Field(() => String, { nullable: true, description: 'What the trainer is doing (loading model, training…)' })
  @Property({ type: 'string', length: 500, nullable: true })
  phase: string | null = null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Final training metrics' })
  @Property({ type: 'json', nullable: true })
  finalMetrics: Record<string, number> | null = null;

  @Field(() => RunError, { nullable: true })
  @Property({ type: 'json', nullable: true })
  error: RunError | null = null;

  @Field(() => String, { nullable: true, description: 'The chat template the model was trained with' })
  @Property({ type: 'text', nullable: true })
  chatTemplate: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  cancelRequestedAt: Date | null = null;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  startedAt: Date | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  finishedAt: Date | null = null;

  @Field(() => Boolean, { description: 'A cancel was asked for and the worker has not stopped yet' })
  get cancelRequested(): boolean {
    return this.cancelRequestedAt !== null && !FINISHED.includes(this.status);
  }
}
