import { Entity, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import { Field, ID, ObjectType } from 'type-graphql';
import { User } from '../user/user.entity.js';

/** A personal access token for scripts and workers. The secret is shown once; only its hash is kept. */
@ObjectType()
@Entity({ tableName: 'api_tokens' })
export class ApiToken {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Index()
  @ManyToOne({ entity: () => User, deleteRule: 'cascade' })
  user!: User;

  @Field(() => String)
  @Property({ type: 'string', length: 100 })
  name!: string;

  /** The first characters of the secret, so users can tell their tokens apart. */
  @Field(() => String)
  @Property({ type: 'string', length: 20 })
  prefix!: string;

  @Unique()
  @Property({ type: 'string', length: 64, hidden: true })
  tokenHash!: string;

  @Field(() => [String])
  @Property({ type: 'text[]' })
  scopes: string[] = [];

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  expiresAt: Date | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  lastUsedAt: Date | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
