import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DatasetVersion } from '../dataset/dataset-version.entity.js';
import { FINISHED, JobStatus, type JobHolder } from '../job/job-kind.js';
import { Project } from '../project/project.entity.js';
import { RunError } from '../run/run.entity.js';
import { User } from '../user/user.entity.js';
import { Worker } from '../worker/worker.entity.js';

/** An evaluation's status is its job's. */
export const EvaluationStatus = { ...JobStatus };
export type EvaluationStatus = JobStatus;
registerEnumType(EvaluationStatus, { name: 'EvaluationStatus' });

/** What is evaluated: a catalogue base model, or a trained model version (adapter or full model). */
export interface EvaluationTargetRef {
  key: string;
  baseModelId: string;
  modelVersionId: string | null;
  /** The model version's artifact hash (part of the cache key); null for a base model. */
  artifact: string | null;
  label: string;
}

@ObjectType({ description: 'One model an evaluation scores' })
export class EvaluationTarget {
  @Field(() => String, { description: 'Names the target in rows and metrics' }) key!: string;
  @Field(() => String, { description: 'The catalogue base model (a fine-tune: its base)' }) baseModelId!: string;
  @Field(() => ID, { nullable: true, description: 'The model version; null for the base model itself' })
  modelVersionId!: string | null;
  @Field(() => String, { description: 'A name for people: the model version name and number, or the base model' })
  label!: string;
}

@ObjectType({ description: 'Examples scored of the total, over every target and suite' })
export class EvaluationProgress {
  @Field(() => Int) done!: number;
  @Field(() => Int) total!: number;
}

/**
 * Scores of one or more models on one evaluation set (a dataset version, its test split when it has
 * one): the user-facing entity of an EVALUATION job (modules/job; evaluation-job.ts is the kind).
 */
@ObjectType()
@Entity({ tableName: 'evaluations' })
@Index({ properties: ['project', 'createdAt'] })
@Index({ properties: ['project', 'cacheKey'] })
export class Evaluation implements JobHolder {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne({ entity: () => Project, deleteRule: 'cascade' })
  project!: Project;

  @Field(() => Int, { description: '1, 2, 3… within the project' })
  @Property({ type: 'integer' })
  number!: number;

  @Field(() => String)
  @Property({ type: 'string', length: 200 })
  name!: string;

  @ManyToOne({ entity: () => User, deleteRule: 'set null', nullable: true })
  createdBy: User | null = null;

  @ManyToOne({ entity: () => DatasetVersion, deleteRule: 'cascade' })
  datasetVersion!: DatasetVersion;

  @Field(() => String, { description: 'test (the version has a test split) or all rows' })
  @Property({ type: 'string', length: 16 })
  split!: 'test' | 'all';

  @Property({ type: 'json' })
  targets!: EvaluationTargetRef[];

  @Field(() => GraphQLJSONObject, { description: 'The suites and their settings, as resolved' })
  @Property({ type: 'json' })
  suites!: Record<string, unknown>;

  @Field(() => GraphQLJSONObject, { description: '{samples, seed} of the bootstrap intervals' })
  @Property({ type: 'json' })
  bootstrap!: { samples: number; seed: number };

  @Field(() => Int, { nullable: true })
  @Property({ type: 'integer', nullable: true })
  maxExamples: number | null = null;

  /** Same models, set, suites and evaluator version: the same numbers (see evaluation-cache.ts). */
  @Property({ type: 'string', length: 64 })
  cacheKey!: string;

  /** Answered from this earlier evaluation's stored result; no job ran. */
  @Property({ type: 'uuid', nullable: true })
  cachedFrom: string | null = null;

  @Field(() => Int)
  @Property({ type: 'integer', default: 0 })
  priority: number = 0;

  @Field(() => EvaluationStatus)
  @Enum({ items: () => EvaluationStatus, nativeEnumName: 'evaluation_status' })
  status: JobStatus = JobStatus.QUEUED;

  @Field(() => Int)
  @Property({ type: 'integer', default: 0 })
  attempt: number = 0;

  @Property({ type: 'integer', default: 0 })
  attemptBase: number = 0;

  @Field(() => Int)
  @Property({ type: 'integer' })
  maxAttempts!: number;

  @Property({ type: 'string', length: 64 })
  queueName!: string;

  @Property({ type: 'uuid', nullable: true })
  jobId: string | null = null;

  @ManyToOne({ entity: () => Worker, deleteRule: 'set null', nullable: true })
  worker: Worker | null = null;

  @Field(() => String, { nullable: true, description: 'What the evaluator is doing' })
  @Property({ type: 'string', length: 500, nullable: true })
  phase: string | null = null;

  @Field(() => EvaluationProgress, { nullable: true })
  @Property({ type: 'json', nullable: true })
  progress: EvaluationProgress | null = null;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: 'Per target and suite: metrics {value, low, high, n} (95% bootstrap intervals), flags, subjects',
  })
  @Property({ type: 'json', nullable: true })
  summary: Record<string, unknown> | null = null;

  @Field(() => RunError, { nullable: true })
  @Property({ type: 'json', nullable: true })
  error: RunError | null = null;

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

  @Field(() => Boolean, { description: 'The result was stored already: no job ran for this one' })
  get cached(): boolean {
    return this.cachedFrom !== null;
  }

  @Field(() => Boolean, { description: 'A cancel was asked for and the worker has not stopped yet' })
  get cancelRequested(): boolean {
    return this.cancelRequestedAt !== null && !FINISHED.includes(this.status);
  }
}
