import { hasPermission, isAuthenticated } from '../../graphql/rules.js';

export const runRules = {
  Query: {
    baseModels: isAuthenticated,
    baseModel: isAuthenticated,
    estimateRun: hasPermission('run:create'),
    // Project membership is checked by the service: members see their projects' runs.
    runs: isAuthenticated,
    run: isAuthenticated,
    myRuns: isAuthenticated,
  },
  Mutation: {
    createRun: hasPermission('run:create'),
    cancelRun: hasPermission('run:cancel'),
    retryRun: hasPermission('run:create'),
    claimRun: hasPermission('worker:run'),
    reportRunEvents: hasPermission('worker:run'),
    completeRun: hasPermission('worker:run'),
  },
  Subscription: { runUpdated: isAuthenticated, runMetrics: isAuthenticated, runLogs: isAuthenticated },
};
