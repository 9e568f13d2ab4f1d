import { Entity, OneToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { User } from '../user/user.entity.js';

/** A machine that trains. Its token belongs to a service account (role WORKER) made for it. */
@ObjectType()
@Entity({ tableName: 'workers' })
export class Worker {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field(() => String)
  @Unique()
  @Property({ type: 'string', length: 64 })
  name!: string;

  @OneToOne({ entity: () => User, owner: true, deleteRule: 'cascade' })
  account!: User;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 255, nullable: true })
  hostname: string | null = null;

  @Field(() => [GraphQLJSONObject], { description: 'GPUs reported at registration: {index, name, memoryMb}' })
  @Property({ type: 'json' })
  gpus: { index: number; name: string; memoryMb: number }[] = [];

  @Field(() => Int, { nullable: true })
  @Property({ type: 'integer', nullable: true })
  cpuCount: number | null = null;

  @Field(() => Int, { nullable: true })
  @Property({ type: 'integer', nullable: true })
  memoryMb: number | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  agentVersion: string | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  registeredAt: Date | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  lastHeartbeatAt: Date | null = null;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: 'Latest machine sample: cpuPercent, memoryUsedMb, memoryTotalMb, diskUsedGb, diskTotalGb, gpus[]',
  })
  @Property({ type: 'json', nullable: true })
  system: Record<string, unknown> | null = null;

  @Field(() => Date, { nullable: true, description: 'Set when an administrator revokes the worker' })
  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
