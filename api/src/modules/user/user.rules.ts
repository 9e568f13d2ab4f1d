import { hasPermission, isAuthenticated, isSignedInWithPassword } from '../../graphql/rules.js';

export const userRules = {
  Query: {
    me: isAuthenticated,
    users: hasPermission('user:manage'),
    user: hasPermission('user:manage'),
  },
  Mutation: {
    updateProfile: isAuthenticated,
    changePassword: isSignedInWithPassword,
    createUser: hasPermission('user:manage'),
    setUserRoles: hasPermission('user:manage'),
    disableUser: hasPermission('user:manage'),
    enableUser: hasPermission('user:manage'),
  },
};
