import { Arg, Args, Ctx, FieldResolver, ID, Int, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../../context.js';
import { Run } from './run.entity.js';
import { MyRunsArgs, RunConnection } from './run.inputs.js';
import {
  MetricBatch,
  MetricSeries,
  MetricsArgs,
  RunLogBatch,
  RunLogConnection,
  RunLogsArgs,
  SystemMetricsArgs,
} from './run-live.inputs.js';

/** Monitoring: metric history and live points, logs, and the dashboard's runs. */
@Resolver(() => Run)
export class RunLiveResolver {
  @Query(() => RunConnection, { description: 'Runs across every project you belong to, newest first' })
  myRuns(@Args(() => MyRunsArgs) args: MyRunsArgs, @Ctx() ctx: Context) {
    return ctx.services.runs.mine(args);
  }

  @FieldResolver(() => [String], { description: 'Metric keys the run has reported' })
  metricKeys(@Root() run: Run, @Ctx() ctx: Context) {
    return ctx.services.runs.metricKeys(run);
  }

  @FieldResolver(() => [MetricSeries], {
    description: 'Per key at most maxPoints points: raw when few, else buckets with min, max and last',
  })
  metrics(@Root() run: Run, @Args(() => MetricsArgs) args: MetricsArgs, @Ctx() ctx: Context) {
    return ctx.services.runs.metrics(run, args);
  }

  @FieldResolver(() => [MetricSeries], {
    description: 'GPU, CPU, memory and disk of the worker while it trained (step = Unix seconds)',
  })
  systemMetrics(@Root() run: Run, @Args(() => SystemMetricsArgs) args: SystemMetricsArgs, @Ctx() ctx: Context) {
    return ctx.services.runs.systemMetrics(run, args);
  }

  @FieldResolver(() => RunLogConnection, { description: 'Log lines, newest first' })
  logs(@Root() run: Run, @Args(() => RunLogsArgs) args: RunLogsArgs, @Ctx() ctx: Context) {
    return ctx.services.runs.logs(run, args);
  }

  @Subscription(() => MetricBatch, {
    description: 'Stored points with step > afterStep, then new ones as they are stored (no gaps, no repeats)',
    subscribe: ({ args, context }) =>
      (context as Context).services.runs.metricStream(args.runId, args.keys ?? null, args.afterStep ?? -1),
  })
  runMetrics(
    @Arg('runId', () => ID) _runId: string,
    @Arg('keys', () => [String], { nullable: true }) _keys: string[] | null,
    @Arg('afterStep', () => Int, { nullable: true }) _afterStep: number | null,
    @Root() batch: MetricBatch,
  ) {
    return batch;
  }

  @Subscription(() => RunLogBatch, {
    description: 'Log lines after afterId, then new ones as they are stored',
    subscribe: ({ args, context }) => (context as Context).services.runs.logStream(args.runId, args.afterId ?? null),
  })
  runLogs(
    @Arg('runId', () => ID) _runId: string,
    @Arg('afterId', () => ID, { nullable: true }) _afterId: string | null,
    @Root() batch: RunLogBatch,
  ) {
    return batch;
  }
}
