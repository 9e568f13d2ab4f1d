import { hasPermission } from '../../graphql/rules.js';

// Project membership and roles are checked in DatasetService; here the global permission.
export const datasetRules = {
  Query: {
    datasets: hasPermission('dataset:read'),
    dataset: hasPermission('dataset:read'),
    datasetVersion: hasPermission('dataset:read'),
    detectUpload: hasPermission('dataset:read'),
  },
  Mutation: {
    createDataset: hasPermission('dataset:write'),
    updateDataset: hasPermission('dataset:write'),
    deleteDataset: hasPermission('dataset:write'),
    createDatasetVersion: hasPermission('dataset:write'),
  },
  Subscription: {
    datasetVersionProgress: hasPermission('dataset:read'),
  },
  // A version also comes back from dataset:write mutations and from other domains' fields: its rows need dataset:read.
  DatasetVersion: { rows: hasPermission('dataset:read') },
};

export const datasetOpsRules = {
  Query: {
    diffDatasetVersions: hasPermission('dataset:read'),
    renderDatasetRow: hasPermission('dataset:read'),
  },
  Mutation: {
    applyDatasetPipeline: hasPermission('dataset:write'),
    editDatasetRows: hasPermission('dataset:write'),
  },
};
