import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../../context.js';
import { PageArgs } from '../../graphql/pagination.js';
import { DatasetVersion } from '../dataset/dataset-version.entity.js';
import { holderUpdates } from '../job/job-updates.js';
import { Project } from '../project/project.entity.js';
import { Evaluation, EvaluationTarget } from './evaluation.entity.js';
import {
  CreateEvaluationInput,
  EvaluationAttemptConnection,
  EvaluationConnection,
  EvaluationExampleConnection,
  EvaluationExamplesArgs,
  EvaluationsArgs,
} from './evaluation.inputs.js';

@Resolver(() => Evaluation)
export class EvaluationResolver {
  @Query(() => EvaluationConnection, { description: "A project's evaluations, newest first (project VIEWER)" })
  evaluations(@Args(() => EvaluationsArgs) args: EvaluationsArgs, @Ctx() ctx: Context) {
    return ctx.services.evaluations.list(args);
  }

  @Query(() => Evaluation)
  evaluation(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.evaluations.access(id);
  }

  @Mutation(() => Evaluation, {
    description:
      'Project EDITOR: queues an evaluation; the same models, set and settings asked before answer at once from the stored result (cached: true)',
  })
  createEvaluation(@Arg('input', () => CreateEvaluationInput) input: CreateEvaluationInput, @Ctx() ctx: Context) {
    return ctx.services.evaluations.create(input);
  }

  @Mutation(() => Evaluation)
  cancelEvaluation(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.evaluations.cancel(id);
  }

  @Mutation(() => Evaluation, {
    description: 'Queues a failed or cancelled evaluation again; stored examples are kept',
  })
  retryEvaluation(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.evaluations.retry(id);
  }

  @Subscription(() => Evaluation, {
    description: 'The evaluation now, then again whenever its state or progress changes; ends when it ends',
    subscribe: ({ args, context }) => {
      const ctx = context as Context;
      return holderUpdates(
        ctx,
        'EVALUATION_UPDATED',
        args.id,
        'model:read',
        (c) => c.services.evaluations.access(args.id),
        (c) => c.em.fork().findOneOrFail(Evaluation, { id: args.id }),
      );
    },
  })
  evaluationUpdated(@Arg('id', () => ID) _id: string, @Root() evaluation: Evaluation) {
    return evaluation;
  }

  @FieldResolver(() => [EvaluationTarget])
  targets(@Root() evaluation: Evaluation): EvaluationTarget[] {
    return evaluation.targets.map(({ key, baseModelId, modelVersionId, label }) => ({
      key,
      baseModelId,
      modelVersionId,
      label,
    }));
  }

  @FieldResolver(() => Project)
  project(@Root() evaluation: Evaluation, @Ctx() ctx: Context) {
    return ctx.em.findOneOrFail(Project, { id: evaluation.project.id });
  }

  @FieldResolver(() => DatasetVersion)
  datasetVersion(@Root() evaluation: Evaluation, @Ctx() ctx: Context) {
    return ctx.em.findOneOrFail(DatasetVersion, { id: evaluation.datasetVersion.id }, { populate: ['dataset'] });
  }

  @FieldResolver(() => EvaluationExampleConnection, {
    description: 'Scored examples by example index (a cached evaluation shows the stored ones)',
  })
  examples(
    @Root() evaluation: Evaluation,
    @Args(() => EvaluationExamplesArgs) args: EvaluationExamplesArgs,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.evaluations.examples(evaluation, args);
  }

  @FieldResolver(() => EvaluationAttemptConnection)
  attempts(@Root() evaluation: Evaluation, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: Context) {
    return ctx.services.evaluations.attempts(evaluation, page);
  }
}
