import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';

/** Append-only record of security-relevant actions. A database trigger refuses UPDATE and DELETE. */
@ObjectType()
@Entity({
  tableName: 'audit_events',
  triggers: [
    {
      name: 'audit_events_no_change',
      timing: 'before',
      events: ['update', 'delete'],
      forEach: 'row',
      body: "raise exception 'audit_events is append-only';",
    },
  ],
})
@Index({ properties: ['at', 'id'] })
@Index({ properties: ['action', 'at'] })
export class AuditEvent {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field(() => Date)
  @Property({ type: 'datetime' })
  at: Date = new Date();

  /** e.g. `auth.login`, `user.disable`, `project.member.add`. */
  @Field(() => String)
  @Property({ type: 'string', length: 64 })
  action!: string;

  @Field(() => Boolean)
  @Property({ type: 'boolean' })
  success: boolean = true;

  @Field(() => ID, { nullable: true })
  @Index()
  @Property({ type: 'uuid', nullable: true })
  actorId: string | null = null;

  /** Kept as text so the record stays readable whatever happens to the account later. */
  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 320, nullable: true })
  actorEmail: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 32, nullable: true })
  targetType: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  targetId: string | null = null;

  @Field(() => String, { nullable: true })
  @Index()
  @Property({ type: 'string', length: 64, nullable: true })
  ip: string | null = null;

  @Field(() => GraphQLJSONObject)
  @Property({ type: 'json' })
  details: Record<string, unknown> = {};
}
