import type { ProjectRole } from './graphql/generated/graphql';

export const PROJECT_ROLES: ProjectRole[] = ['VIEWER', 'EDITOR', 'OWNER'];
const RANK: Record<ProjectRole, number> = { VIEWER: 1, EDITOR: 2, OWNER: 3 };

/** Mirrors the server's project role order, to hide what the server would refuse anyway. */
export function atLeast(role: ProjectRole | null | undefined, min: ProjectRole): boolean {
  return !!role && RANK[role] >= RANK[min];
}
