import { isAuthenticated } from '../../graphql/rules.js';

export const baseModelRules = {
  // The catalogue is a fixed public list: anyone signed in may read it.
  Query: { baseModels: isAuthenticated, baseModel: isAuthenticated },
};
