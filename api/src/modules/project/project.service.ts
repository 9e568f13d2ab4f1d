import { z } from 'zod';
import type { Context } from '../../context.js';
import { AppError, badInput, conflict, notFound, unauthenticated } from '../../errors.js';
import { containsPattern, paginate, type PageArgs } from '../../graphql/pagination.js';
import { rules, validate } from '../../graphql/validate.js';
import { User } from '../user/user.entity.js';
import { requireProjectRole } from './project-access.js';
import type {
  AddProjectMemberInput,
  CreateProjectInput,
  ProjectsArgs,
  RemoveProjectMemberInput,
  SetProjectMemberRoleInput,
  UpdateProjectInput,
} from './project.inputs.js';
import { ProjectMember, ProjectRole } from './project-member.entity.js';
import { Project } from './project.entity.js';
import { checkProjectCount, lockQuotas } from '../quota/quota.js';

const name = z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');
const description = z.string().trim().max(2000, 'must be at most 2000 characters');

export class ProjectService {
  constructor(private readonly ctx: Context) {}

  private get viewer() {
    if (!this.ctx.viewer) throw unauthenticated();
    return this.ctx.viewer;
  }

  /** Projects the viewer is a member of. */
  list(args: ProjectsArgs) {
    const where: Record<string, unknown> = { members: { user: this.viewer.user.id } };
    if (!args.includeArchived) where.archivedAt = null;
    if (args.search?.trim()) where.name = { $ilike: containsPattern(args.search.trim()) };
    return paginate(this.ctx.em, Project, where, { createdAt: 'desc', id: 'desc' }, args);
  }

  async get(id: string): Promise<Project> {
    return (await requireProjectRole(this.ctx.em, this.ctx.viewer, id, ProjectRole.VIEWER)).project;
  }

  async create(input: CreateProjectInput): Promise<Project> {
    const data = validate(z.object({ name, description: description.nullish() }), input);
    const viewer = this.viewer;
    return this.ctx.em.transactional(async (em) => {
      await lockQuotas(em, { userId: viewer.user.id });
      await checkProjectCount(em, this.ctx.config, viewer.user.id);
      const project = Object.assign(new Project(), { name: data.name, description: data.description ?? '' });
      em.persist(project);
      em.persist(Object.assign(new ProjectMember(), { project, user: viewer.user, role: ProjectRole.OWNER }));
      this.ctx.services.audit.record(
        { action: 'project.create', targetType: 'project', targetId: project.id, details: { name: project.name } },
        em,
      );
      return project;
    });
  }

  async update(input: UpdateProjectInput): Promise<Project> {
    const data = validate(z.object({ name: name.nullish(), description: description.nullish() }), input);
    const { project } = await requireProjectRole(this.ctx.em, this.ctx.viewer, input.id, ProjectRole.EDITOR);
    if (data.name) project.name = data.name;
    if (data.description !== undefined && data.description !== null) project.description = data.description;
    this.ctx.services.audit.record({
      action: 'project.update',
      targetType: 'project',
      targetId: project.id,
      details: { name: project.name },
    });
    await this.ctx.em.flush();
    return project;
  }

  async setArchived(id: string, archived: boolean): Promise<Project> {
    const { project } = await requireProjectRole(this.ctx.em, this.ctx.viewer, id, ProjectRole.OWNER, {
      allowArchived: true,
    });
    project.archivedAt = archived ? (project.archivedAt ?? new Date()) : null;
    this.ctx.services.audit.record({
      action: archived ? 'project.archive' : 'project.unarchive',
      targetType: 'project',
      targetId: project.id,
    });
    await this.ctx.em.flush();
    return project;
  }

  members(project: Project, page: PageArgs) {
    return paginate(this.ctx.em, ProjectMember, { project: project.id }, { createdAt: 'asc', id: 'asc' }, page);
  }

  async addMember(input: AddProjectMemberInput): Promise<ProjectMember> {
    const email = validate(rules.email, input.email, 'input.email');
    const { project } = await requireProjectRole(this.ctx.em, this.ctx.viewer, input.projectId, ProjectRole.OWNER);
    // One answer for no such account, a disabled one and a worker's service account: adding members
    // must not tell an owner which addresses have accounts beyond those that can actually be added.
    const user = await this.ctx.em.findOne(User, { email }, { populate: ['roles'] });
    if (!user || user.disabledAt || user.roles.getItems().some((r) => r.name === 'WORKER'))
      throw new AppError('NOT_FOUND', 'No user with this email can be added; they may need an invite first');
    if (await this.ctx.em.count(ProjectMember, { project: project.id, user: user.id })) {
      throw conflict('input.email', `${email} is already a member`);
    }
    const member = Object.assign(new ProjectMember(), { project, user, role: input.role });
    this.ctx.em.persist(member);
    this.auditMember('project.member.add', project, user.id, { role: input.role });
    await this.ctx.em.flush();
    return member;
  }

  async setMemberRole(input: SetProjectMemberRoleInput): Promise<ProjectMember> {
    const { project } = await requireProjectRole(this.ctx.em, this.ctx.viewer, input.projectId, ProjectRole.OWNER);
    const member = await this.findMember(project.id, input.userId);
    if (member.role === ProjectRole.OWNER && input.role !== ProjectRole.OWNER) await this.keepAnOwner(project.id);
    const before = member.role;
    member.role = input.role;
    this.auditMember('project.member.role', project, member.user.id, { before, after: input.role });
    await this.ctx.em.flush();
    return member;
  }

  /** Owners remove anyone; any member may leave. The last owner stays. */
  async removeMember(input: RemoveProjectMemberInput): Promise<boolean> {
    const leaving = input.userId === this.viewer.user.id;
    const minRole = leaving ? ProjectRole.VIEWER : ProjectRole.OWNER;
    const { project } = await requireProjectRole(this.ctx.em, this.ctx.viewer, input.projectId, minRole, {
      allowArchived: leaving,
    });
    const member = await this.findMember(project.id, input.userId);
    if (member.role === ProjectRole.OWNER) await this.keepAnOwner(project.id);
    this.ctx.em.remove(member);
    this.auditMember('project.member.remove', project, member.user.id, {});
    await this.ctx.em.flush();
    return true;
  }

  private async findMember(projectId: string, userId: string): Promise<ProjectMember> {
    const id = validate(rules.uuid, userId, 'input.userId');
    const member = await this.ctx.em.findOne(ProjectMember, { project: projectId, user: id });
    if (!member) throw notFound('Project member');
    return member;
  }

  private async keepAnOwner(projectId: string) {
    const owners = await this.ctx.em.count(ProjectMember, { project: projectId, role: ProjectRole.OWNER });
    if (owners <= 1) throw badInput('input.role', 'a project needs at least one OWNER; make someone else OWNER first');
  }

  private auditMember(action: string, project: Project, userId: string, details: Record<string, unknown>) {
    this.ctx.services.audit.record({
      action,
      targetType: 'project',
      targetId: project.id,
      details: { userId, ...details },
    });
  }
}
