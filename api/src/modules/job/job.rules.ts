import { hasPermission } from '../../graphql/rules.js';

export const jobRules = {
  Mutation: {
    claimJob: hasPermission('worker:run'),
    reportJobEvents: hasPermission('worker:run'),
    completeJob: hasPermission('worker:run'),
  },
};
