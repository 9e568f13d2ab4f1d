import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { JobTicket } from '../job/job-ticket.js';

@ObjectType({ implements: JobTicket, description: 'A run to train: the trainer spec and how to resume' })
export class TrainingJob extends JobTicket {
  @Field(() => GraphQLJSONObject, {
    description: 'The complete trainer spec (workers/trainer/README.md) without local paths, which the agent adds',
  })
  spec!: Record<string, unknown>;
  @Field(() => Int) trainRows!: number;
  @Field(() => Int, { description: 'Rows of the validation split (0: none)' }) validationRows!: number;
  @Field(() => Int, { nullable: true, description: 'Download GET /worker/runs/:id/checkpoint and resume' })
  resumeFromStep!: number | null;
}

@InputType()
export class ModelArtifactInput {
  @Field(() => String, { description: 'The id PUT /worker/runs/:id/model returned' }) artifact!: string;
  @Field(() => String, { description: 'lora_adapter or full_model' }) kind!: string;
  @Field(() => [String]) files!: string[];
}

@InputType({ description: 'What a succeeded training attempt produced' })
export class TrainingResultInput {
  @Field(() => ModelArtifactInput) model!: ModelArtifactInput;
  @Field(() => GraphQLJSONObject, { nullable: true }) finalMetrics?: Record<string, unknown> | null;
  @Field(() => String, { nullable: true }) chatTemplate?: string | null;
}
