import { Entity, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import { Field, ID, ObjectType } from 'type-graphql';
import { Role } from '../role/role.entity.js';
import { User } from '../user/user.entity.js';

/**
 * An invitation to register with a role. The link's secret is shown once; only its SHA-256 is kept.
 * Single use: `usedAt` is claimed with one conditional update when an account is created from it.
 */
@ObjectType()
@Entity({ tableName: 'invites' })
export class Invite {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Unique()
  @Property({ type: 'string', length: 64, hidden: true })
  tokenHash!: string;

  @Field(() => String, { nullable: true, description: 'When set, only this email may register with the invite' })
  @Property({ type: 'string', length: 320, nullable: true })
  email: string | null = null;

  @Field(() => Role, { description: 'The global role the new account gets' })
  @ManyToOne({ entity: () => Role, deleteRule: 'cascade' })
  role!: Role;

  @Index()
  @ManyToOne({ entity: () => User, deleteRule: 'set null', nullable: true })
  createdBy: User | null = null;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Field(() => Date)
  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  usedAt: Date | null = null;

  @ManyToOne({ entity: () => User, deleteRule: 'set null', nullable: true })
  usedBy: User | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;
}
