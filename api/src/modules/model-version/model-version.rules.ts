import { hasPermission } from '../../graphql/rules.js';

export const modelVersionRules = {
  Query: { modelVersions: hasPermission('model:read'), modelVersion: hasPermission('model:read') },
  // The lineage edges lead into other domains: each needs that domain's permission.
  ModelVersion: { run: hasPermission('run:read'), datasetVersion: hasPermission('dataset:read') },
};
