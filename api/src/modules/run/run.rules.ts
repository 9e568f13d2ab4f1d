import { hasPermission, isAuthenticated } from '../../graphql/rules.js';

export const runRules = {
  Query: {
    baseModels: isAuthenticated,
    baseModel: isAuthenticated,
    estimateRun: hasPermission('run:create'),
  },
};
