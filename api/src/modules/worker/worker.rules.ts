import { hasPermission, isAuthenticated } from '../../graphql/rules.js';

export const workerRules = {
  Query: { workers: hasPermission('worker:manage'), workerPool: isAuthenticated },
  Mutation: {
    createWorkerToken: hasPermission('worker:manage'),
    revokeWorkerToken: hasPermission('worker:manage'),
    registerWorker: hasPermission('worker:run'),
    workerHeartbeat: hasPermission('worker:run'),
  },
  Subscription: { workerUpdated: hasPermission('worker:manage') },
};
