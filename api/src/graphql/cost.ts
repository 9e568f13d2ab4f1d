import {
  GraphQLError,
  Kind,
  getNamedType,
  isCompositeType,
  isScalarType,
  typeFromAST,
  valueFromAST,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';

/**
 * Query cost that weighs list sizes: a field costs 1 plus, for a selection, its children's cost
 * multiplied by its list-size argument (`first`, `limit`, `maxPoints`, with the schema default when
 * omitted). Scalars carrying whole documents (JSON) weigh more than plain ones. Aliases each count;
 * an HTTP batch counts as the sum of its operations.
 */

/**
 * List-size arguments: `max`, the largest value a resolver accepts (used when a variable's value is
 * unknown); `per`, how many items weigh as one (a metric point is a few numbers, a row a document).
 */
export const LIST_SIZE_ARGS: Readonly<Record<string, { max: number; per?: number }>> = {
  first: { max: 100 },
  last: { max: 100 },
  limit: { max: 500 },
  maxPoints: { max: 10_000, per: 10 },
};

/** A JSON scalar holds a whole row or document: weigh it like several fields. */
const HEAVY_SCALARS: Readonly<Record<string, number>> = { JSON: 10, JSONObject: 10 };

export interface CostOptions {
  /** Variable values; absent for validation, where a variable's value is not known yet. */
  variables?: Record<string, unknown> | null;
}

/** Cost of one operation. A size argument given by a variable without a known value takes the argument's largest allowed value. */
export function operationCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  options: CostOptions = {},
): number {
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  const known: Record<string, unknown> = {};
  for (const def of operation.variableDefinitions ?? []) {
    const name = def.variable.name.value;
    if (options.variables && name in options.variables) known[name] = options.variables[name];
    else if (options.variables && def.defaultValue) {
      const type = typeFromAST(schema, def.type);
      if (type) known[name] = valueFromAST(def.defaultValue, type as never);
    }
  }

  const sizeOf = (
    field: GraphQLField<unknown, unknown>,
    args: readonly { name: { value: string }; value: never }[],
  ) => {
    let size = 1;
    for (const arg of field.args) {
      const sizeArg = LIST_SIZE_ARGS[arg.name];
      if (sizeArg === undefined) continue;
      const node = args.find((a) => a.name.value === arg.name);
      let value: unknown = arg.defaultValue;
      if (node) {
        const v = node as unknown as { value: { kind: string; name?: { value: string } } };
        if (v.value.kind === Kind.VARIABLE) {
          const name = v.value.name!.value;
          value = name in known ? known[name] : sizeArg.max;
        } else value = valueFromAST(node.value, arg.type);
      }
      const items = typeof value === 'number' && Number.isFinite(value) ? value : 1;
      const n = Math.max(1, Math.ceil(items / (sizeArg.per ?? 1)));
      size = Math.max(size, n);
    }
    return size;
  };

  const walk = (set: SelectionSetNode, parent: GraphQLCompositeType, seen: Set<string>): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue; // introspection is cheap and bounded
        if (!('getFields' in parent)) continue; // a union selects through fragments only
        const field = (parent as { getFields(): Record<string, GraphQLField<unknown, unknown>> }).getFields()[
          selection.name.value
        ];
        if (!field) continue; // unknown fields are reported by another rule
        const named = getNamedType(field.type);
        const size = sizeOf(field, (selection.arguments ?? []) as never);
        if (selection.selectionSet && isCompositeType(named)) {
          total += 1 + size * walk(selection.selectionSet, named, seen);
        } else {
          total += size * (isScalarType(named) ? (HEAVY_SCALARS[named.name] ?? 1) : 1);
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (type && isCompositeType(type)) total += walk(selection.selectionSet, type, seen);
      } else {
        const name = selection.name.value;
        const fragment = fragments[name];
        if (!fragment || seen.has(name)) continue; // cycles are refused by NoFragmentCycles
        const type = schema.getType(fragment.typeCondition.name.value);
        if (!type || !isCompositeType(type)) continue;
        seen.add(name);
        total += walk(fragment.selectionSet, type, seen);
        seen.delete(name);
      }
    }
    return total;
  };
  return walk(operation.selectionSet, root, new Set());
}

const fragmentsOf = (document: DocumentNode) =>
  Object.fromEntries(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );

/** Cost of the operation a request executes (or of every operation when it names none and there are several). */
export function documentCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName?: string | null,
  variables?: Record<string, unknown> | null,
): number {
  const fragments = fragmentsOf(document);
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode =>
      d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
  );
  return operations.reduce((sum, op) => sum + operationCost(schema, op, fragments, { variables }), 0);
}

export const costMessage = (cost: number, max: number, what = 'Query') =>
  `${what} cost ${cost} exceeds the limit of ${max} (GRAPHQL_MAX_COST): ask for fewer items (first, limit, maxPoints), fewer aliases or fewer fields`;

/**
 * Validation rule: refuses an operation whose cost passes `maxCost` before anything executes.
 * Variables are not known during validation, so a size argument given by a variable counts at its
 * largest allowed value (HTTP requests are checked again with their variables: cost-limit middleware).
 */
export function costLimitRule(maxCost: number): ValidationRule {
  return (context) => ({
    Document: {
      leave(document) {
        const fragments = fragmentsOf(document);
        for (const def of document.definitions) {
          if (def.kind !== Kind.OPERATION_DEFINITION) continue;
          const cost = operationCost(context.getSchema(), def, fragments);
          if (cost > maxCost) {
            context.reportError(
              new GraphQLError(costMessage(cost, maxCost), {
                nodes: [def],
                extensions: { code: 'GRAPHQL_VALIDATION_FAILED', cost, maxCost },
              }),
            );
          }
        }
      },
    },
  });
}
