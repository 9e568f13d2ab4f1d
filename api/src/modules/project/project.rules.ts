import { rule } from 'graphql-shield';
import type { Context } from '../../context.js';
import { forbidden, unauthenticated } from '../../errors.js';
import { hasPermission, isAuthenticated } from '../../graphql/rules.js';

/**
 * project:manage, or a person signed in with a password leaving a project themselves: everyone may
 * leave, but only sessions — a token never removes its owner's membership without project:manage.
 */
const mayRemoveMember = rule('mayRemoveMember', { cache: 'strict' })((
  _parent,
  args: { input?: { userId?: string } },
  ctx: Context,
) => {
  const viewer = ctx.viewer;
  if (!viewer) return ctx.authError ?? unauthenticated();
  if (viewer.permissions.has('project:manage')) return true;
  const leaving = !viewer.isWorker && viewer.sessionId !== null && args.input?.userId === viewer.user.id;
  return leaving || forbidden('Requires the project:manage permission');
});

// Role-level here; membership and the project role (OWNER for members and settings) in ProjectService.
export const projectRules = {
  // Listing one's own projects needs no permission: every signed-in person (and token) sees where they belong.
  Query: { projects: isAuthenticated, project: isAuthenticated },
  Mutation: {
    createProject: hasPermission('project:create'),
    updateProject: hasPermission('project:manage'),
    archiveProject: hasPermission('project:manage'),
    addProjectMember: hasPermission('project:manage'),
    setProjectMemberRole: hasPermission('project:manage'),
    removeProjectMember: mayRemoveMember,
  },
};
