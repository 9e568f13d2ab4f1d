import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Connection, PageArgs } from '../../graphql/pagination.js';
import { EvaluationAttempt } from './evaluation-attempt.entity.js';
import { EvaluationExample } from './evaluation-example.entity.js';
import { Evaluation, EvaluationStatus } from './evaluation.entity.js';

@InputType({ description: 'A model version of the project, or a catalogue base model: exactly one' })
export class EvaluationTargetInput {
  @Field(() => ID, { nullable: true }) modelVersionId?: string | null;
  @Field(() => String, { nullable: true }) baseModelId?: string | null;
}

@InputType({ description: 'Loss and perplexity on the assistant tokens (same masking as training)' })
export class PerplexitySuiteInput {
  @Field(() => Int, { defaultValue: 2048, description: '16 to 131072; longer conversations are truncated' })
  maxSeqLength: number = 2048;
}

@InputType({ description: 'Answers generated with the chat template, scored against the reference' })
export class GenerationSuiteInput {
  @Field(() => Int, { defaultValue: 256, description: '1 to 4096' }) maxNewTokens: number = 256;
  @Field(() => Boolean, { defaultValue: false, description: 'false: greedy' }) doSample: boolean = false;
  @Field(() => Number, { defaultValue: 1, description: 'Sampling temperature, above 0 up to 10' })
  temperature: number = 1;
  @Field(() => Number, { defaultValue: 1, description: 'Nucleus sampling, above 0 up to 1' }) topP: number = 1;
  @Field(() => Int, { defaultValue: 0 }) seed: number = 0;
  @Field(() => String, {
    defaultValue: 'off',
    description: 'Qwen3 thinking: on, off or model_default; DeepSeek-R1 <think> blocks are scored apart either way',
  })
  thinking: string = 'off';
}

@InputType({
  description:
    'Accuracy on multiple-choice questions through lm-evaluation-harness (log-likelihood of each choice letter), overall and per subject',
})
export class MultipleChoiceSuiteInput {
  @Field(() => Int, { defaultValue: 1, description: '1 to 1024; 1 gives numbers that do not depend on batching' })
  batchSize: number = 1;
  @Field(() => Boolean, { defaultValue: false, description: "Render each question with the model's chat template" })
  applyChatTemplate: boolean = false;
}

@InputType({
  description:
    'At least one. A set of conversations or prompt/completion rows takes perplexity and generation; a multiple-choice set takes multipleChoice only',
})
export class EvaluationSuitesInput {
  @Field(() => PerplexitySuiteInput, { nullable: true }) perplexity?: PerplexitySuiteInput | null;
  @Field(() => GenerationSuiteInput, { nullable: true }) generation?: GenerationSuiteInput | null;
  @Field(() => MultipleChoiceSuiteInput, { nullable: true }) multipleChoice?: MultipleChoiceSuiteInput | null;
}

@InputType()
export class CreateEvaluationInput {
  @Field(() => String, { nullable: true, description: 'Defaults to "<set> v<n>: <targets>"' }) name?: string | null;
  @Field(() => ID, { description: 'The evaluation set; its test split when it has one' }) datasetVersionId!: string;
  @Field(() => [EvaluationTargetInput], { description: '1 to 8 models, e.g. a base model and its fine-tune' })
  targets!: EvaluationTargetInput[];
  @Field(() => EvaluationSuitesInput) suites!: EvaluationSuitesInput;
  @Field(() => Int, { nullable: true, description: 'Only the first N examples' }) maxExamples?: number | null;
  @Field(() => Int, { defaultValue: 1000, description: 'Bootstrap resamples of the 95% intervals, 100 to 10000' })
  bootstrapSamples: number = 1000;
  @Field(() => Int, { defaultValue: 0, description: '-100 to 100; higher first within the project' })
  priority: number = 0;
}

@ArgsType()
export class EvaluationsArgs extends PageArgs {
  @Field(() => ID) projectId!: string;
  @Field(() => [EvaluationStatus], { nullable: true }) status?: EvaluationStatus[] | null;
}

@ArgsType()
export class EvaluationExamplesArgs extends PageArgs {
  @Field(() => String, { nullable: true }) target?: string | null;
  @Field(() => String, { nullable: true, description: 'perplexity, generation or multiple_choice' }) suite?:
    string | null;
  @Field(() => String, { nullable: true, description: 'In the prompt, reference or output' }) search?: string | null;
  @Field(() => Boolean, {
    nullable: true,
    description: 'Only wrong answers: exact match 0 (generation) or accuracy 0 (multiple choice)',
  })
  onlyWrong?: boolean | null;
}

@ObjectType()
export class EvaluationConnection extends Connection(Evaluation) {}
@ObjectType()
export class EvaluationExampleConnection extends Connection(EvaluationExample) {}
@ObjectType()
export class EvaluationAttemptConnection extends Connection(EvaluationAttempt) {}
