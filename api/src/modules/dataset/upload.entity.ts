import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, Float, ID, ObjectType } from 'type-graphql';
import { Project } from '../project/project.entity.js';

/**
 * A file received through the resumable upload endpoint. While in progress it lives under its tus id;
 * once complete it is stored under its SHA-256 (the client's file name is kept as text only).
 */
@ObjectType()
@Entity({ tableName: 'uploads' })
export class Upload {
  @Field(() => ID)
  @PrimaryKey({ type: 'string', length: 64 })
  id!: string;

  @Index()
  @ManyToOne({ entity: () => Project, deleteRule: 'cascade' })
  project!: Project;

  @Field(() => ID)
  @Property({ type: 'uuid' })
  userId!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 500 })
  filename!: string;

  @Field(() => Float)
  @Property({ type: 'bigint' })
  size!: number;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  sha256: string | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  completedAt: Date | null = null;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
