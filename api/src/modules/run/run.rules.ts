import { hasPermission } from '../../graphql/rules.js';

export const runRules = {
  Query: {
    estimateRun: hasPermission('run:create'),
    runDefaults: hasPermission('run:create'),
    // Project membership is checked by the service: members see their projects' runs.
    runs: hasPermission('run:read'),
    run: hasPermission('run:read'),
    myRuns: hasPermission('run:read'),
  },
  Mutation: {
    createRun: hasPermission('run:create'),
    cancelRun: hasPermission('run:cancel'),
    retryRun: hasPermission('run:create'),
  },
  Subscription: {
    runUpdated: hasPermission('run:read'),
    runMetrics: hasPermission('run:read'),
    runLogs: hasPermission('run:read'),
  },
  // A Run also comes back from createRun/cancelRun/retryRun and ModelVersion.run: what it
  // leads to needs that domain's permission, so a token's scopes bound every path to the data.
  Run: {
    datasetVersion: hasPermission('dataset:read'),
    modelVersion: hasPermission('model:read'),
    logs: hasPermission('run:read'),
    events: hasPermission('run:read'),
    metrics: hasPermission('run:read'),
    systemMetrics: hasPermission('run:read'),
  },
};
