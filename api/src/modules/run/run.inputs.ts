import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Connection, PageArgs } from '../../graphql/pagination.js';
import { EvaluationSuitesInput } from '../evaluation/evaluation.inputs.js';
import { RunConfigInput } from './run-config.inputs.js';
import { RunAttempt } from './run-attempt.entity.js';
import { RunCheckpoint } from './run-checkpoint.entity.js';
import { RunEvent } from './run-event.entity.js';
import { Run, RunStatus } from './run.entity.js';

@InputType({ description: 'A run configuration plus how to queue it' })
export class CreateRunInput extends RunConfigInput {
  @Field(() => String, { nullable: true, description: 'Defaults to "<model> on <dataset> v<n>"' })
  name?: string | null;
  @Field(() => Int, { defaultValue: 0, description: '-100 to 100; higher runs first among the runs of its project' })
  priority: number = 0;
  @Field(() => EvaluationSuitesInput, {
    nullable: true,
    description:
      "Evaluate the result when the run succeeds: the base model vs the fine-tune on the version's test split",
  })
  evaluateAfter?: EvaluationSuitesInput | null;
}

@ArgsType()
export class RunsArgs extends PageArgs {
  @Field(() => ID) projectId!: string;
  @Field(() => [RunStatus], { nullable: true }) status?: RunStatus[] | null;
}

@ArgsType()
export class MyRunsArgs extends PageArgs {
  @Field(() => [RunStatus], { nullable: true }) status?: RunStatus[] | null;
}

@ArgsType()
export class RunEventsArgs extends PageArgs {
  @Field(() => [String], { nullable: true, description: 'Only these kinds (status, log, checkpoint, …)' })
  kinds?: string[] | null;
}

@ObjectType()
export class RunConnection extends Connection(Run) {}
@ObjectType()
export class RunAttemptConnection extends Connection(RunAttempt) {}
@ObjectType()
export class RunCheckpointConnection extends Connection(RunCheckpoint) {}
@ObjectType()
export class RunEventConnection extends Connection(RunEvent) {}
