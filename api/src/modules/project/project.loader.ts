import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer.js';
import { ProjectMember, type ProjectRole } from './project-member.entity.js';

/** The viewer's role in many projects, one query per batch. */
export const createViewerProjectRoleLoader = (em: EntityManager, viewer: Viewer | null) =>
  new DataLoader<string, ProjectRole | null>(async (projectIds) => {
    if (!viewer) return projectIds.map(() => null);
    const rows = await em.find(ProjectMember, { user: viewer.user.id, project: { $in: [...projectIds] } });
    const byProject = new Map(rows.map((m) => [m.project.id, m.role]));
    return projectIds.map((id) => byProject.get(id) ?? null);
  });
