import { Entity, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Worker } from '../worker/worker.entity.js';
import { Evaluation } from './evaluation.entity.js';

/** One try of an evaluation on one worker. */
@ObjectType()
@Entity({ tableName: 'evaluation_attempts' })
@Unique({ properties: ['evaluation', 'number'] })
export class EvaluationAttempt {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne({ entity: () => Evaluation, deleteRule: 'cascade' })
  evaluation!: Evaluation;

  @Field(() => Int)
  @Property({ type: 'integer' })
  number!: number;

  @ManyToOne({ entity: () => Worker, deleteRule: 'set null', nullable: true })
  worker: Worker | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  workerName: string | null = null;

  @Field(() => String, {
    nullable: true,
    description: 'SUCCEEDED, FAILED, CANCELLED, LEASE_EXPIRED; null while it runs',
  })
  @Property({ type: 'string', length: 32, nullable: true })
  outcome: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  reason: string | null = null;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  startedAt: Date = new Date();

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  endedAt: Date | null = null;
}
