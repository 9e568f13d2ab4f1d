import { GraphQLJSONObject } from 'graphql-scalars';
import { createUnionType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { EvaluationJob, EvaluationResultInput } from '../evaluation/evaluation-job.types.js';
import { TrainingJob, TrainingResultInput } from '../run/run-job.types.js';
import { JobKind, JobStatus } from './job-kind.js';

/** One member per kind; the kind's handler returns an instance of its member. */
export const ClaimedJob = createUnionType({
  name: 'ClaimedJob',
  description: 'A job handed to a worker, typed by its kind',
  types: () => [TrainingJob, EvaluationJob] as const,
  resolveType: (job) => ({ [JobKind.TRAINING]: TrainingJob, [JobKind.EVALUATION]: EvaluationJob })[job.kind],
});

@InputType({ description: 'What the worker can execute (it runs only the kinds it names)' })
export class WorkerCapabilitiesInput {
  @Field(() => [JobKind]) kinds!: JobKind[];
}

@InputType({ description: 'A job attempt the worker holds' })
export class HeldJobInput {
  @Field(() => JobKind) kind!: JobKind;
  @Field(() => ID) id!: string;
  @Field(() => Int) attempt!: number;
}

@ObjectType({ description: 'Whether a worker still holds a job, and whether to stop it' })
export class JobLease {
  @Field(() => JobKind) kind!: JobKind;
  @Field(() => ID) id!: string;
  @Field(() => Int) attempt!: number;
  @Field(() => Boolean, { description: 'false: the lease moved on; stop the process and write nothing more' })
  valid!: boolean;
  @Field(() => Boolean, { description: 'A user cancelled: SIGTERM the process, then complete as CANCELLED' })
  cancelRequested!: boolean;
}

@InputType({ description: 'One job event (trainer or agent), as in workers/trainer/README.md' })
export class JobEventInput {
  @Field(() => Int, { description: 'Per attempt, from 0, no gaps: the idempotency key' }) seq!: number;
  @Field(() => String, { description: 'ISO 8601 time' }) time!: string;
  @Field(() => String) event!: string;
  @Field(() => GraphQLJSONObject, { description: 'The event without seq/time/event' }) data!: Record<string, unknown>;
}

@InputType()
export class ReportJobEventsInput {
  @Field(() => HeldJobInput) job!: HeldJobInput;
  @Field(() => [JobEventInput]) events!: JobEventInput[];
}

@ObjectType()
export class ReportJobEventsResult {
  @Field(() => Int, { description: 'Events stored now (duplicates of earlier deliveries are not)' })
  stored!: number;
  @Field(() => Boolean) cancelRequested!: boolean;
}

@InputType()
export class CompleteJobInput {
  @Field(() => HeldJobInput) job!: HeldJobInput;
  @Field(() => String, {
    description: 'SUCCEEDED, FAILED, CANCELLED or INTERRUPTED (the worker stopped; queue it again)',
  })
  outcome!: string;
  @Field(() => String, { nullable: true, description: 'For FAILED: invalid_spec, oom, nan_loss, error, crashed' })
  reason?: string | null;
  @Field(() => String, { nullable: true }) message?: string | null;
  @Field(() => [String], { nullable: true, description: 'Last stderr lines of the process' }) logTail?: string[] | null;
  @Field(() => TrainingResultInput, { nullable: true, description: 'TRAINING, SUCCEEDED: what it produced' })
  training?: TrainingResultInput | null;
  @Field(() => EvaluationResultInput, { nullable: true, description: 'EVALUATION, SUCCEEDED: its summary' })
  evaluation?: EvaluationResultInput | null;
}

@ObjectType({ description: 'A job after its completion was recorded' })
export class CompletedJob {
  @Field(() => JobKind) kind!: JobKind;
  @Field(() => ID) id!: string;
  @Field(() => Int) attempt!: number;
  @Field(() => JobStatus, { description: 'QUEUED when the attempt failed and another try is queued' })
  status!: JobStatus;
}
