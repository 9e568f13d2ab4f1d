import { hasPermission } from '../../graphql/rules.js';

// Membership of the evaluation's project is checked by the service: VIEWER reads, EDITOR creates.
export const evaluationRules = {
  Query: {
    evaluations: hasPermission('model:read'),
    evaluation: hasPermission('model:read'),
  },
  Mutation: {
    createEvaluation: hasPermission('evaluation:create'),
    cancelEvaluation: hasPermission('evaluation:create'),
    retryEvaluation: hasPermission('evaluation:create'),
  },
  Subscription: {
    evaluationUpdated: hasPermission('model:read'),
  },
  Evaluation: {
    datasetVersion: hasPermission('dataset:read'),
  },
};
