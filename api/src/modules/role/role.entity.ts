import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import { Field, ID, ObjectType } from 'type-graphql';

/** A named set of permissions. Built-in roles (ADMIN, MEMBER, VIEWER) cannot be edited. */
@ObjectType()
@Entity({ tableName: 'roles' })
export class Role {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field(() => String)
  @Unique()
  @Property({ type: 'string', length: 64 })
  name!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 500, default: '' })
  description: string = '';

  @Field(() => [String])
  @Property({ type: 'text[]' })
  permissions: string[] = [];

  @Field(() => Boolean)
  @Property({ type: 'boolean', default: false })
  builtIn: boolean = false;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
