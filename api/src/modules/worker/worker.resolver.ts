import { Arg, Args, Ctx, FieldResolver, ID, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context.js';
import { Connection, PageArgs } from '../../graphql/pagination.js';
import { HeldRunInput } from '../run/run-worker.inputs.js';
import { CreatedWorkerToken, RegisterWorkerInput, WorkerHeartbeat } from './worker.inputs.js';
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
    description: 'Worker tokens only: I am alive, and these are the runs I hold (renews their leases)',
  })
  workerHeartbeat(
    @Arg('runs', () => [HeldRunInput], { nullable: true }) runs: HeldRunInput[] | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.workers.heartbeat(runs ?? []);
  }

  @FieldResolver(() => Boolean, { description: `A heartbeat within the last ${ONLINE_WITHIN_MS / 1000} s` })
  online(@Root() worker: Worker) {
    return !!worker.lastHeartbeatAt && Date.now() - worker.lastHeartbeatAt.getTime() < ONLINE_WITHIN_MS;
  }
}
