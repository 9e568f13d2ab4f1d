import { Field, ID, Int, InterfaceType } from 'type-graphql';
import { JobKind } from './job-kind.js';

@InterfaceType({ description: 'What every claimed job carries: which it is and how to fence its writes' })
export abstract class JobTicket {
  @Field(() => JobKind) kind!: JobKind;
  @Field(() => ID, { description: "The job's holder (for TRAINING, the run)" }) id!: string;
  @Field(() => Int, { description: 'The fencing token: send it with every write about this job' })
  attempt!: number;
  @Field(() => Int, { description: 'Renew the lease (workerHeartbeat) well within this many seconds' })
  leaseSeconds!: number;
}
