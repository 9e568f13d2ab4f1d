import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A run handed to a worker: what to train and how to fence its writes' })
export class ClaimedRun {
  @Field(() => ID) runId!: string;
  @Field(() => Int, { description: 'The fencing token: send it with every write about this run' })
  attempt!: number;
  @Field(() => Int, { description: 'Renew the lease (workerHeartbeat) well within this many seconds' })
  leaseSeconds!: number;
  @Field(() => GraphQLJSONObject, { description: 'The trainer spec without local paths' })
  spec!: Record<string, unknown>;
  @Field(() => Int) trainRows!: number;
  @Field(() => Int, { description: 'Rows of the validation split (0: none)' }) validationRows!: number;
  @Field(() => Int, { nullable: true, description: 'Download GET /worker/runs/:id/checkpoint and resume' })
  resumeFromStep!: number | null;
}

@InputType()
export class HeldRunInput {
  @Field(() => ID) runId!: string;
  @Field(() => Int) attempt!: number;
}

@ObjectType({ description: 'Whether a worker still holds a run, and whether to stop it' })
export class RunLease {
  @Field(() => ID) runId!: string;
  @Field(() => Int) attempt!: number;
  @Field(() => Boolean, { description: 'false: the lease moved on; stop the trainer and write nothing more' })
  valid!: boolean;
  @Field(() => Boolean, { description: 'A user cancelled: SIGTERM the trainer, then complete as CANCELLED' })
  cancelRequested!: boolean;
}

@InputType({ description: 'One trainer (or agent) event, as in workers/trainer/README.md' })
export class RunEventInput {
  @Field(() => Int, { description: 'Per attempt, from 0, no gaps: the idempotency key' }) seq!: number;
  @Field(() => String, { description: 'ISO 8601 time' }) time!: string;
  @Field(() => String) event!: string;
  @Field(() => GraphQLJSONObject, { description: 'The event without seq/time/event' }) data!: Record<string, unknown>;
}

@InputType()
export class ReportRunEventsInput {
  @Field(() => ID) runId!: string;
  @Field(() => Int) attempt!: number;
  @Field(() => [RunEventInput]) events!: RunEventInput[];
}

@ObjectType()
export class ReportRunEventsResult {
  @Field(() => Int, { description: 'Events stored now (duplicates of earlier deliveries are not)' })
  stored!: number;
  @Field(() => Boolean) cancelRequested!: boolean;
}

@InputType()
export class ModelArtifactInput {
  @Field(() => String, { description: 'The id PUT /worker/runs/:id/model returned' }) artifact!: string;
  @Field(() => String, { description: 'lora_adapter or full_model' }) kind!: string;
  @Field(() => [String]) files!: string[];
}

@InputType()
export class CompleteRunInput {
  @Field(() => ID) runId!: string;
  @Field(() => Int) attempt!: number;
  @Field(() => String, {
    description: 'SUCCEEDED, FAILED, CANCELLED or INTERRUPTED (the worker stopped; queue it again)',
  })
  outcome!: string;
  @Field(() => String, { nullable: true, description: 'For FAILED: invalid_spec, oom, nan_loss, error, crashed' })
  reason?: string | null;
  @Field(() => String, { nullable: true }) message?: string | null;
  @Field(() => [String], { nullable: true, description: 'Last stderr lines of the trainer' }) logTail?: string[] | null;
  @Field(() => GraphQLJSONObject, { nullable: true }) finalMetrics?: Record<string, unknown> | null;
  @Field(() => String, { nullable: true }) chatTemplate?: string | null;
  @Field(() => ModelArtifactInput, { nullable: true }) model?: ModelArtifactInput | null;
}
