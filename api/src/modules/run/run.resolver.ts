import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../../context.js';
import { PageArgs } from '../../graphql/pagination.js';
import { DatasetVersion } from '../dataset/dataset-version.entity.js';
import { ModelVersion } from '../model-version/model-version.entity.js';
import { Project } from '../project/project.entity.js';
import { User } from '../user/user.entity.js';
import { runUpdates } from './run-updates.js';
import { Run } from './run.entity.js';
import {
  CreateRunInput,
  RunAttemptConnection,
  RunCheckpointConnection,
  RunConnection,
  RunEventConnection,
  RunEventsArgs,
  RunsArgs,
} from './run.inputs.js';

@Resolver(() => Run)
export class RunResolver {
  @Query(() => RunConnection, { description: "A project's runs, newest first" })
  runs(@Args(() => RunsArgs) args: RunsArgs, @Ctx() ctx: Context) {
    return ctx.services.runs.list(args);
  }

  @Query(() => Run)
  run(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.runs.access(id);
  }

  @Mutation(() => Run, { description: 'Validates the configuration and queues the run' })
  createRun(@Arg('input', () => CreateRunInput) input: CreateRunInput, @Ctx() ctx: Context) {
    return ctx.services.runs.create(input);
  }

  @Mutation(() => Run, { description: 'Queued: ends at once. Training: checkpoint, then CANCELLED.' })
  cancelRun(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.runs.cancel(id);
  }

  @Mutation(() => Run, { description: 'Queues a failed or cancelled run again, resuming from its last checkpoint' })
  retryRun(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.runs.retry(id);
  }

  @Subscription(() => Run, {
    description: 'The run now, then again whenever its state, progress or attempt changes; ends when it ends',
    subscribe: ({ args, context }) => runUpdates(context as Context, args.id),
  })
  runUpdated(@Arg('id', () => ID) _id: string, @Root() run: Run) {
    return run;
  }

  @FieldResolver(() => Project)
  project(@Root() run: Run, @Ctx() ctx: Context) {
    return ctx.em.findOneOrFail(Project, { id: run.project.id });
  }

  @FieldResolver(() => DatasetVersion)
  datasetVersion(@Root() run: Run, @Ctx() ctx: Context) {
    return ctx.em.findOneOrFail(DatasetVersion, { id: run.datasetVersion.id }, { populate: ['dataset'] });
  }

  @FieldResolver(() => User, { nullable: true })
  createdBy(@Root() run: Run, @Ctx() ctx: Context) {
    return run.createdBy ? ctx.loaders.user.load(run.createdBy.id) : null;
  }

  @FieldResolver(() => String, { nullable: true, description: 'The worker training it now' })
  async workerName(@Root() run: Run, @Ctx() ctx: Context) {
    if (!run.worker) return null;
    await ctx.em.populate(run, ['worker']);
    return run.worker.name;
  }

  @FieldResolver(() => ModelVersion, { nullable: true })
  modelVersion(@Root() run: Run, @Ctx() ctx: Context) {
    return ctx.em.findOne(ModelVersion, { run: run.id });
  }

  @FieldResolver(() => RunAttemptConnection, { description: 'Newest first: which worker, resumed from, outcome' })
  attempts(@Root() run: Run, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: Context) {
    return ctx.services.runs.attempts(run, page);
  }

  @FieldResolver(() => RunCheckpointConnection, { description: 'Uploaded checkpoints, newest first' })
  checkpoints(@Root() run: Run, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: Context) {
    return ctx.services.runs.checkpoints(run, page);
  }

  @FieldResolver(() => RunEventConnection, { description: 'Reported events, newest first' })
  events(@Root() run: Run, @Args(() => RunEventsArgs) args: RunEventsArgs, @Ctx() ctx: Context) {
    return ctx.services.runs.events(run, args);
  }
}
