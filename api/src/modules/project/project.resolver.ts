import { Arg, Args, Ctx, FieldResolver, ID, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context.js';
import { Connection, PageArgs } from '../../graphql/pagination.js';
import { User } from '../user/user.entity.js';
import {
  AddProjectMemberInput,
  CreateProjectInput,
  ProjectsArgs,
  RemoveProjectMemberInput,
  SetProjectMemberRoleInput,
  UpdateProjectInput,
} from './project.inputs.js';
import { ProjectMember, ProjectRole } from './project-member.entity.js';
import { Project } from './project.entity.js';

@ObjectType()
class ProjectConnection extends Connection(Project) {}

@ObjectType()
class ProjectMemberConnection extends Connection(ProjectMember) {}

@Resolver(() => Project)
export class ProjectResolver {
  @Query(() => ProjectConnection, { description: 'Projects you are a member of, newest first' })
  projects(@Args(() => ProjectsArgs) args: ProjectsArgs, @Ctx() ctx: Context) {
    return ctx.services.projects.list(args);
  }

  @Query(() => Project)
  project(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.projects.get(id);
  }

  @Mutation(() => Project, { description: 'Needs project:create; you become its OWNER' })
  createProject(@Arg('input', () => CreateProjectInput) input: CreateProjectInput, @Ctx() ctx: Context) {
    return ctx.services.projects.create(input);
  }

  @Mutation(() => Project, { description: 'Rename or describe; needs EDITOR' })
  updateProject(@Arg('input', () => UpdateProjectInput) input: UpdateProjectInput, @Ctx() ctx: Context) {
    return ctx.services.projects.update(input);
  }

  @Mutation(() => Project, { description: 'Archive (or unarchive with archived: false); needs OWNER' })
  archiveProject(
    @Arg('id', () => ID) id: string,
    @Arg('archived', () => Boolean, { defaultValue: true }) archived: boolean,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.projects.setArchived(id, archived);
  }

  @Mutation(() => ProjectMember, { description: 'Needs OWNER' })
  addProjectMember(@Arg('input', () => AddProjectMemberInput) input: AddProjectMemberInput, @Ctx() ctx: Context) {
    return ctx.services.projects.addMember(input);
  }

  @Mutation(() => ProjectMember, { description: 'Needs OWNER' })
  setProjectMemberRole(
    @Arg('input', () => SetProjectMemberRoleInput) input: SetProjectMemberRoleInput,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.projects.setMemberRole(input);
  }

  @Mutation(() => Boolean, { description: 'OWNER removes anyone; members may remove themselves' })
  removeProjectMember(
    @Arg('input', () => RemoveProjectMemberInput) input: RemoveProjectMemberInput,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.projects.removeMember(input);
  }

  @FieldResolver(() => ProjectMemberConnection)
  members(@Root() project: Project, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: Context) {
    return ctx.services.projects.members(project, page);
  }

  @FieldResolver(() => ProjectRole, { nullable: true, description: 'Your role in this project' })
  myRole(@Root() project: Project, @Ctx() ctx: Context) {
    return ctx.loaders.viewerProjectRole.load(project.id);
  }
}

@Resolver(() => ProjectMember)
export class ProjectMemberResolver {
  @FieldResolver(() => User)
  user(@Root() member: ProjectMember, @Ctx() ctx: Context) {
    return ctx.loaders.user.load(member.user.id);
  }
}
