import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ValidationRule } from 'graphql';
import type { Config } from '../config.js';
import { costLimitRule } from './cost.js';

/**
 * Query limits (depth, aliases, tokens, directives), configurable, applied to HTTP through Apollo
 * and to WebSocket operations through the same validation rules. Cost weighs list sizes (cost.ts):
 * over HTTP it is checked with the request's variables, the whole batch together, before Apollo
 * (http/graphql-limits.ts); over WebSocket by a validation rule that counts a size given by a
 * variable at its largest allowed value.
 */
export function createArmor(config: Config) {
  const armor = new ApolloArmor({
    maxDepth: { n: config.GRAPHQL_MAX_DEPTH, ignoreIntrospection: true },
    maxAliases: { n: config.GRAPHQL_MAX_ALIASES },
    costLimit: { enabled: false },
    maxTokens: { n: config.GRAPHQL_MAX_TOKENS },
    maxDirectives: { n: 20 },
    blockFieldSuggestion: { enabled: config.NODE_ENV === 'production' },
  });
  const protection = armor.protect();
  const wsValidationRules: ValidationRule[] = [...protection.validationRules, costLimitRule(config.GRAPHQL_MAX_COST)];
  return { ...protection, wsValidationRules };
}
