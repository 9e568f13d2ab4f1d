import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { User } from '../user/user.entity.js';
import { Project } from './project.entity.js';

export enum ProjectRole {
  OWNER = 'OWNER',
  EDITOR = 'EDITOR',
  VIEWER = 'VIEWER',
}
registerEnumType(ProjectRole, {
  name: 'ProjectRole',
  description: 'OWNER manages members and settings; EDITOR changes content; VIEWER reads',
});

@ObjectType()
@Entity({ tableName: 'project_members' })
@Unique({ properties: ['project', 'user'] })
export class ProjectMember {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne({ entity: () => Project, deleteRule: 'cascade' })
  project!: Project;

  @Index()
  @ManyToOne({ entity: () => User, deleteRule: 'cascade' })
  user!: User;

  @Field(() => ProjectRole)
  @Enum({ items: () => ProjectRole, nativeEnumName: 'project_role' })
  role!: ProjectRole;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
