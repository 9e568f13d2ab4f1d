import { hasPermission } from '../../graphql/rules.js';

export const inviteRules = {
  Query: { invites: hasPermission('user:manage') },
  Mutation: { createInvite: hasPermission('user:manage'), revokeInvite: hasPermission('user:manage') },
};
