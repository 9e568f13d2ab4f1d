import { hasPermission, isAuthenticated } from '../../graphql/rules.js';

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
    removeProjectMember: hasPermission('project:manage'),
  },
};
