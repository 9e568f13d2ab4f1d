import { hasPermission, isAuthenticated } from '../../graphql/rules.js';

// Membership and project roles are checked in ProjectService (object-level); here only sign-in.
export const projectRules = {
  Query: { projects: isAuthenticated, project: isAuthenticated },
  Mutation: {
    createProject: hasPermission('project:create'),
    updateProject: isAuthenticated,
    archiveProject: isAuthenticated,
    addProjectMember: isAuthenticated,
    setProjectMemberRole: isAuthenticated,
    removeProjectMember: isAuthenticated,
  },
};
