import { hasPermission } from '../../graphql/rules.js';

export const modelVersionRules = {
  Query: { modelVersions: hasPermission('model:read'), modelVersion: hasPermission('model:read') },
};
