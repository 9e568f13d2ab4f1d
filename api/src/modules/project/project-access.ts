import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, forbidden, notFound, unauthenticated } from '../../errors.js';
import { rules, validate } from '../../graphql/validate.js';
import type { Viewer } from '../auth/viewer.js';
import { ProjectMember, ProjectRole } from './project-member.entity.js';

const RANK: Record<ProjectRole, number> = { VIEWER: 1, EDITOR: 2, OWNER: 3 };

/**
 * The object-level check every project-owned resource goes through first: the viewer must be a member
 * with at least `minRole`. Non-members get NOT_FOUND, so ids of other projects reveal nothing.
 */
export async function requireProjectRole(
  em: EntityManager,
  viewer: Viewer | null,
  projectId: string,
  minRole: ProjectRole,
  opts: { allowArchived?: boolean } = {},
): Promise<ProjectMember> {
  if (!viewer) throw unauthenticated();
  const id = validate(rules.uuid, projectId, 'projectId');
  const membership = await em.findOne(ProjectMember, { project: id, user: viewer.user.id }, { populate: ['project'] });
  if (!membership) throw notFound('Project');
  if (RANK[membership.role] < RANK[minRole]) {
    throw forbidden(`Needs the ${minRole} project role or higher; you are ${membership.role}`);
  }
  if (membership.project.archivedAt && !opts.allowArchived && minRole !== ProjectRole.VIEWER) {
    throw new AppError('CONFLICT', 'This project is archived; unarchive it to make changes');
  }
  return membership;
}
