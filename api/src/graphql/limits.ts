import { ApolloArmor } from '@escape.tech/graphql-armor';
import { getNamedType, GraphQLError, isIntrospectionType, type ValidationRule } from 'graphql';
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
    // "Did you mean …" reveals field names: shown only where introspection would reveal them anyway.
    blockFieldSuggestion: { enabled: !config.introspection },
  });
  const protection = armor.protect();
  // These rules guard HTTP and WebSocket operations alike, so introspection is refused on both.
  if (!config.introspection) protection.validationRules = [...protection.validationRules, noIntrospection];
  const wsValidationRules: ValidationRule[] = [...protection.validationRules, costLimitRule(config.GRAPHQL_MAX_COST)];
  return { ...protection, wsValidationRules };
}

/** graphql-js's NoSchemaIntrospectionCustomRule, with the code our error formatter passes through. */
const noIntrospection: ValidationRule = (context) => ({
  Field(node) {
    const type = getNamedType(context.getType());
    if (type && isIntrospectionType(type)) {
      context.reportError(
        new GraphQLError(
          `GraphQL introspection is not allowed (GRAPHQL_INTROSPECTION), but the query contained "${node.name.value}"`,
          { nodes: node, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
        ),
      );
    }
  },
});
