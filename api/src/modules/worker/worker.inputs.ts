import { JobLease } from '../job/job-worker.inputs.js';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Worker } from './worker.entity.js';

@InputType()
export class GpuInfoInput {
  @Field(() => Int) index!: number;
  @Field(() => String) name!: string;
  @Field(() => Int) memoryMb!: number;
}

@InputType({ description: 'What the agent found on its machine (nvidia-smi, os)' })
export class RegisterWorkerInput {
  @Field(() => String) hostname!: string;
  @Field(() => [GpuInfoInput]) gpus!: GpuInfoInput[];
  @Field(() => Int) cpuCount!: number;
  @Field(() => Int) memoryMb!: number;
  @Field(() => String) agentVersion!: string;
}

@ObjectType()
export class CreatedWorkerToken {
  @Field(() => String, { description: 'Shown once. Give it to the agent as LLMT_WORKER_TOKEN.' })
  token!: string;

  @Field(() => Worker)
  worker!: Worker;
}

@ObjectType()
export class WorkerHeartbeat {
  @Field(() => ID) workerId!: string;
  @Field(() => Date) receivedAt!: Date;
  @Field(() => [JobLease], { description: 'One per job the worker said it holds' }) leases!: JobLease[];
}

@ObjectType({
  description:
    'What the registered workers can run, in counts only (no names or hosts): for planning a run that a worker can take',
})
export class WorkerPoolSummary {
  @Field(() => Int, { description: 'Workers registered and not revoked' })
  registered!: number;

  @Field(() => Int, { description: 'Of those, how many sent a heartbeat lately' })
  online!: number;

  @Field(() => Int, { nullable: true, description: 'The most GPUs one worker has; null when none is registered' })
  maxGpus!: number | null;

  @Field(() => Boolean, { description: 'Workers are registered and none has a GPU: runs train on CPU' })
  cpuOnly!: boolean;
}
