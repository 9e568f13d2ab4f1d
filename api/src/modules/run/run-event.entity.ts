import { Entity, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Run } from './run.entity.js';

/**
 * Everything the trainer and the agent reported (status, log, progress, checkpoint, metric, terminal
 * events), as sent. (run, attempt, seq) is the idempotency key: a batch sent twice is stored once.
 */
@ObjectType()
@Entity({ tableName: 'run_events' })
@Unique({ properties: ['run', 'attempt', 'seq'] })
@Index({ properties: ['run', 'kind', 'id'] })
export class RunEvent {
  @Field(() => ID)
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne({ entity: () => Run, deleteRule: 'cascade' })
  run!: Run;

  @Field(() => Int)
  @Property({ type: 'integer' })
  attempt!: number;

  @Field(() => Int)
  @Property({ type: 'integer' })
  seq!: number;

  @Field(() => String, { description: 'status, log, metric, progress, checkpoint, completed, cancelled, failed' })
  @Property({ type: 'string', length: 16 })
  kind!: string;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  time!: Date;

  @Field(() => GraphQLJSONObject, {
    description: "The trainer's data for the event; a metric event's values are read from `metrics`, not kept here",
  })
  @Property({ type: 'json' })
  payload!: Record<string, unknown>;
}
