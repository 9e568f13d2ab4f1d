import { ArgsType, Field, ID, InputType } from 'type-graphql';
import { PageArgs } from '../../graphql/pagination.js';
import { ProjectRole } from './project-member.entity.js';

@InputType()
export class CreateProjectInput {
  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;
}

@InputType()
export class UpdateProjectInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;
}

@InputType()
export class AddProjectMemberInput {
  @Field(() => ID)
  projectId!: string;

  @Field(() => String, { description: 'Email of an existing user' })
  email!: string;

  @Field(() => ProjectRole, { defaultValue: ProjectRole.VIEWER })
  role: ProjectRole = ProjectRole.VIEWER;
}

@InputType()
export class SetProjectMemberRoleInput {
  @Field(() => ID)
  projectId!: string;

  @Field(() => ID)
  userId!: string;

  @Field(() => ProjectRole)
  role!: ProjectRole;
}

@InputType()
export class RemoveProjectMemberInput {
  @Field(() => ID)
  projectId!: string;

  @Field(() => ID)
  userId!: string;
}

@ArgsType()
export class ProjectsArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'Matches the name' })
  search?: string | null;

  @Field(() => Boolean, { defaultValue: false })
  includeArchived: boolean = false;
}
