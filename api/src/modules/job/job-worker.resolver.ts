import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../context.js';
import {
  ClaimedJob,
  CompletedJob,
  CompleteJobInput,
  ReportJobEventsInput,
  ReportJobEventsResult,
  WorkerCapabilitiesInput,
} from './job-worker.inputs.js';

/** Worker tokens only. The protocol is described in workers/agent/README.md. */
@Resolver()
export class JobWorkerResolver {
  @Mutation(() => ClaimedJob, { nullable: true, description: 'Worker tokens only: the next job that fits, or null' })
  claimJob(
    @Arg('capabilities', () => WorkerCapabilitiesInput) capabilities: WorkerCapabilitiesInput,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.jobWorker.claim(capabilities);
  }

  @Mutation(() => ReportJobEventsResult, {
    description: 'Worker tokens only: events of a held attempt; resending a batch is harmless',
  })
  reportJobEvents(@Arg('input', () => ReportJobEventsInput) input: ReportJobEventsInput, @Ctx() ctx: Context) {
    return ctx.services.jobWorker.reportEvents(input);
  }

  @Mutation(() => CompletedJob, { description: 'Worker tokens only: ends a held attempt' })
  completeJob(@Arg('input', () => CompleteJobInput) input: CompleteJobInput, @Ctx() ctx: Context) {
    return ctx.services.jobWorker.complete(input);
  }
}
