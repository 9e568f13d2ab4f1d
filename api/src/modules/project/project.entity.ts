import { Collection } from '@mikro-orm/core';
import { Entity, OneToMany, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import { Field, ID, ObjectType } from 'type-graphql';
import { ProjectMember } from './project-member.entity.js';

/** The sharing boundary: datasets, runs and models belong to a project; access needs membership. */
@ObjectType()
@Entity({ tableName: 'projects' })
export class Project {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field(() => String)
  @Property({ type: 'string', length: 100 })
  name!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 2000, default: '' })
  description: string = '';

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  archivedAt: Date | null = null;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Field(() => Date)
  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @OneToMany({ entity: () => ProjectMember, mappedBy: 'project' })
  members = new Collection<ProjectMember>(this);
}
