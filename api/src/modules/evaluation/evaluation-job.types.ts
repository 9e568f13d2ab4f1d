import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { JobTicket } from '../job/job-ticket.js';

@ObjectType({ description: 'A model an evaluation job loads' })
export class EvaluationJobTarget {
  @Field(() => String) key!: string;
  @Field(() => ID, {
    nullable: true,
    description: 'Download GET /worker/evaluations/:id/models/:modelVersionId (tar.gz); null: the base model alone',
  })
  modelVersionId!: string | null;
}

@ObjectType({ implements: JobTicket, description: 'An evaluation to run: the evaluator spec and what to download' })
export class EvaluationJob extends JobTicket {
  @Field(() => GraphQLJSONObject, {
    description:
      'The evaluator spec (workers/trainer/README.md, Evaluation) without local paths: the agent adds base_model.path, adapter_path, dataset.path, output_dir and resume_from',
  })
  spec!: Record<string, unknown>;
  @Field(() => [EvaluationJobTarget]) targets!: EvaluationJobTarget[];
  @Field(() => Int, { description: 'Rows of GET /worker/evaluations/:id/dataset' }) rows!: number;
  @Field(() => Int, {
    description: 'Example rows an earlier attempt stored: GET /worker/evaluations/:id/examples, passed as resume_from',
  })
  storedExamples!: number;
}

@InputType({ description: 'What a succeeded evaluation attempt produced' })
export class EvaluationResultInput {
  @Field(() => GraphQLJSONObject, { description: "The evaluator's summary, as in its completed event" })
  summary!: Record<string, unknown>;
  @Field(() => String) evaluatorVersion!: string;
}
