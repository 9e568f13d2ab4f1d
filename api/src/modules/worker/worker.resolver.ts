import { GraphQLJSONObject } from 'graphql-scalars';
import {
  Arg,
  Args,
  Ctx,
  FieldResolver,
  ID,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import { ACTIVE, Run } from '../run/run.entity.js';
import { workerUpdates } from './worker-updates.js';
import type { Context } from '../../context.js';
import { Connection, PageArgs } from '../../graphql/pagination.js';
import { HeldJobInput } from '../job/job-worker.inputs.js';
import { CreatedWorkerToken, RegisterWorkerInput, WorkerHeartbeat, WorkerPoolSummary } from './worker.inputs.js';
import { Worker } from './worker.entity.js';
import { ONLINE_WITHIN_MS } from './worker.service.js';

@ObjectType()
class WorkerConnection extends Connection(Worker) {}

@Resolver(() => Worker)
export class WorkerResolver {
  @Query(() => WorkerConnection, { description: 'Needs worker:manage' })
  workers(@Args(() => PageArgs) page: PageArgs, @Ctx() ctx: Context) {
    return ctx.services.workers.list(page);
  }

  @Query(() => WorkerPoolSummary, {
    description: 'Anyone signed in. How many workers there are and the most GPUs one has, to plan runs that fit',
  })
  workerPool(@Ctx() ctx: Context) {
    return ctx.services.workers.summary();
  }

  @Mutation(() => CreatedWorkerToken, {
    description: 'Needs worker:manage. Creates a worker and its token (shown once).',
  })
  createWorkerToken(@Arg('name', () => String) name: string, @Ctx() ctx: Context) {
    return ctx.services.workers.createToken(name);
  }

  @Mutation(() => Worker, { description: 'Needs worker:manage. The worker token stops working at once.' })
  revokeWorkerToken(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.workers.revoke(id);
  }

  @Mutation(() => Worker, { description: 'Worker tokens only: reports the machine (GPUs, CPUs, memory)' })
  registerWorker(@Arg('input', () => RegisterWorkerInput) input: RegisterWorkerInput, @Ctx() ctx: Context) {
    return ctx.services.workers.register(input);
  }

  @Mutation(() => WorkerHeartbeat, {
    description: 'Worker tokens only: I am alive, and these are the jobs I hold (renews every one of their leases)',
  })
  workerHeartbeat(
    @Arg('jobs', () => [HeldJobInput], { nullable: true }) jobs: HeldJobInput[] | null,
    @Arg('system', () => GraphQLJSONObject, {
      nullable: true,
      description:
        '{cpuPercent, memoryUsedMb, memoryTotalMb, diskUsedGb, diskTotalGb, gpus: [{index, utilization, memoryUsedMb, memoryTotalMb, temperatureC, powerW}]}',
    })
    system: Record<string, unknown> | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.workers.heartbeat(jobs ?? [], system);
  }

  @Subscription(() => [Worker], {
    description: 'Needs worker:manage. First all workers, then each worker that changed (heartbeat, registration)',
    subscribe: ({ context }) => workerUpdates(context as Context),
  })
  workerUpdated(@Root() workers: Worker[]) {
    return workers;
  }

  @FieldResolver(() => ID, { nullable: true, description: 'The run it trains now' })
  async currentRunId(@Root() worker: Worker, @Ctx() ctx: Context) {
    const run = await ctx.em.findOne(Run, { worker: worker.id, status: { $in: [...ACTIVE] } });
    return run?.id ?? null;
  }

  @FieldResolver(() => Boolean, { description: `A heartbeat within the last ${ONLINE_WITHIN_MS / 1000} s` })
  online(@Root() worker: Worker) {
    return !!worker.lastHeartbeatAt && Date.now() - worker.lastHeartbeatAt.getTime() < ONLINE_WITHIN_MS;
  }
}
