import { Collection } from '@mikro-orm/core';
import { Entity, ManyToMany, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import { Field, ID, ObjectType } from 'type-graphql';
import { Role } from '../role/role.entity.js';

@ObjectType()
@Entity({ tableName: 'users' })
export class User {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** Stored normalised (trimmed, lower-cased), so uniqueness ignores case. */
  @Field(() => String)
  @Unique()
  @Property({ type: 'string', length: 320 })
  email!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 100 })
  displayName!: string;

  @Property({ type: 'string', length: 200, hidden: true })
  passwordHash!: string;

  /** Preferred UI language (`en` or `zh-CN`). */
  @Field(() => String)
  @Property({ type: 'string', length: 10, default: 'en' })
  locale: string = 'en';

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  disabledAt: Date | null = null;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Field(() => Date)
  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @ManyToMany({ entity: () => Role, pivotTable: 'user_roles' })
  roles = new Collection<Role>(this);
}
