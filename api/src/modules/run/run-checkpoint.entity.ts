import { BigIntType } from '@mikro-orm/core';
import { Entity, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { Run } from './run.entity.js';

/** A complete checkpoint the worker uploaded; the next attempt resumes from the newest one. */
@ObjectType()
@Entity({ tableName: 'run_checkpoints' })
@Unique({ properties: ['run', 'step'] })
export class RunCheckpoint {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne({ entity: () => Run, deleteRule: 'cascade' })
  run!: Run;

  @Field(() => Int)
  @Property({ type: 'integer' })
  step!: number;

  @Field(() => Int)
  @Property({ type: 'integer' })
  attempt!: number;

  /** Content hash of the tar archive in the artifact store. */
  @Property({ type: 'string', length: 64 })
  artifact!: string;

  @Field(() => Float)
  @Property({ type: new BigIntType('number') })
  sizeBytes!: number;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
