import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../context.js';
import { Run } from './run.entity.js';
import { ClaimedRun, CompleteRunInput, ReportRunEventsInput, ReportRunEventsResult } from './run-worker.inputs.js';

/** Worker tokens only. The protocol is described in workers/agent/README.md. */
@Resolver()
export class RunWorkerResolver {
  @Mutation(() => ClaimedRun, { nullable: true, description: 'Worker tokens only: the next run that fits, or null' })
  claimRun(@Ctx() ctx: Context) {
    return ctx.services.runWorker.claim();
  }

  @Mutation(() => ReportRunEventsResult, {
    description: 'Worker tokens only: trainer events of a held attempt; resending a batch is harmless',
  })
  reportRunEvents(@Arg('input', () => ReportRunEventsInput) input: ReportRunEventsInput, @Ctx() ctx: Context) {
    return ctx.services.runWorker.reportEvents(input);
  }

  @Mutation(() => Run, { description: 'Worker tokens only: ends a held attempt' })
  completeRun(@Arg('input', () => CompleteRunInput) input: CompleteRunInput, @Ctx() ctx: Context) {
    return ctx.services.runWorker.complete(input);
  }
}
