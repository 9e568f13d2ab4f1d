import { hasPermission, isPublic } from '../../graphql/rules.js';

export const authRules = {
  Mutation: {
    register: isPublic,
    login: isPublic,
    refreshToken: isPublic,
    // Public so a browser can end a session whose access token already expired (cookie only).
    logout: isPublic,
    clearSignInThrottle: hasPermission('user:manage'),
  },
};
