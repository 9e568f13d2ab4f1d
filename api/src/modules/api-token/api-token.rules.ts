import { isAuthenticated, isSignedInWithPassword } from '../../graphql/rules.js';

export const apiTokenRules = {
  Query: { apiTokens: isAuthenticated },
  Mutation: { createApiToken: isSignedInWithPassword, revokeApiToken: isAuthenticated },
};
