import { hasPermission } from '../../graphql/rules.js';

export const auditRules = {
  Query: { auditEvents: hasPermission('audit:read') },
};
