import { hasPermission, isAuthenticated } from '../../graphql/rules.js';

export const roleRules = {
  Query: { roles: isAuthenticated },
  Mutation: { createRole: hasPermission('user:manage') },
};
