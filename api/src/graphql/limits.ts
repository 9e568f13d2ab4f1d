import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { Config } from '../config.js';

/**
 * Query limits (depth, aliases, cost, tokens, directives), configurable, applied to HTTP through
 * Apollo and to WebSocket operations through the same validation rules.
 */
export function createArmor(config: Config) {
  const armor = new ApolloArmor({
    maxDepth: { n: config.GRAPHQL_MAX_DEPTH, ignoreIntrospection: true },
    maxAliases: { n: config.GRAPHQL_MAX_ALIASES },
    costLimit: { maxCost: config.GRAPHQL_MAX_COST, ignoreIntrospection: true },
    maxTokens: { n: config.GRAPHQL_MAX_TOKENS },
    maxDirectives: { n: 20 },
    blockFieldSuggestion: { enabled: config.NODE_ENV === 'production' },
  });
  return armor.protect();
}
