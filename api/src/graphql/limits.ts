import { ApolloArmor } from '@escape.tech/graphql-armor';
import { NoSchemaIntrospectionCustomRule } from 'graphql';
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
    // "Did you mean …" reveals field names: shown only where introspection would reveal them anyway.
    blockFieldSuggestion: { enabled: !config.introspection },
  });
  const protection = armor.protect();
  // The same rules guard WebSocket operations, so introspection is off there too when it is off.
  if (!config.introspection)
    protection.validationRules = [...protection.validationRules, NoSchemaIntrospectionCustomRule];
  return protection;
}
