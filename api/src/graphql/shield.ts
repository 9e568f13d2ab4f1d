import { GraphQLError, isObjectType, type GraphQLSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { allow, deny, shield, type IRules } from 'graphql-shield';
import type { Context } from '../context.js';
import { forbidden } from '../errors.js';
import { ruleChecks } from './rules.js';
import { apiTokenRules } from '../modules/api-token/api-token.rules.js';
import { auditRules } from '../modules/audit/audit.rules.js';
import { authRules } from '../modules/auth/auth.rules.js';
import { inviteRules } from '../modules/invite/invite.rules.js';
import { datasetOpsRules, datasetRules } from '../modules/dataset/dataset.rules.js';
import { evaluationRules } from '../modules/evaluation/evaluation.rules.js';
import { jobRules } from '../modules/job/job.rules.js';
import { baseModelRules } from '../modules/base-model/base-model.rules.js';
import { runRules } from '../modules/run/run.rules.js';
import { modelVersionRules } from '../modules/model-version/model-version.rules.js';
import { workerRules } from '../modules/worker/worker.rules.js';
import { projectRules } from '../modules/project/project.rules.js';
import { roleRules } from '../modules/role/role.rules.js';
import { userRules } from '../modules/user/user.rules.js';

/** A module's rules: its root fields, and the sensitive fields of object types (`Run.datasetVersion`). */
type ModuleRules = Record<string, Record<string, unknown>>;
const moduleRules: ModuleRules[] = [
  authRules,
  inviteRules,
  userRules,
  roleRules,
  apiTokenRules,
  projectRules,
  auditRules,
  datasetRules,
  datasetOpsRules,
  jobRules,
  evaluationRules,
  baseModelRules,
  runRules,
  workerRules,
  modelVersionRules,
];

/** Every root field's rule, merged from the modules' rules files. A duplicate is a bug. */
export function rootFieldRules(): Record<'Query' | 'Mutation' | 'Subscription', Record<string, unknown>> {
  const merged = { Query: {}, Mutation: {}, Subscription: {} } as Record<
    'Query' | 'Mutation' | 'Subscription',
    Record<string, unknown>
  >;
  for (const rules of moduleRules) {
    for (const type of ['Query', 'Mutation', 'Subscription'] as const) {
      for (const [field, rule] of Object.entries(rules[type] ?? {})) {
        if (field in merged[type]) throw new Error(`two rules for ${type}.${field}`);
        merged[type][field] = rule;
      }
    }
  }
  return merged;
}

const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

/**
 * The rules on fields of object types, merged from the modules (`{ Run: { datasetVersion: rule } }`): a
 * field that leads into another domain (or to its bulk data) needs that domain's permission, whichever
 * root field led there. A duplicate is a bug.
 */
export function nestedFieldRules(): Record<string, Record<string, unknown>> {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const rules of moduleRules) {
    for (const [type, fields] of Object.entries(rules)) {
      if (ROOT_TYPES.has(type)) continue;
      merged[type] ??= {};
      for (const [field, rule] of Object.entries(fields)) {
        if (field in merged[type]) throw new Error(`two rules for ${type}.${field}`);
        merged[type][field] = rule;
      }
    }
  }
  return merged;
}

/**
 * Deny by default: a root field without a rule is refused. Other fields are reachable only through a
 * root field that passed its rule, so they are allowed unless a module guards them (`nestedFieldRules`).
 */
export function applyShield(schema: GraphQLSchema): GraphQLSchema {
  const roots = rootFieldRules();
  const nested = nestedFieldRules();
  const rules: Record<string, unknown> = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    if (type.name in roots) rules[type.name] = roots[type.name as keyof typeof roots];
    else if (type.name in nested) {
      const fields = type.getFields();
      for (const field of Object.keys(nested[type.name]))
        if (!(field in fields)) throw new Error(`a rule for ${type.name}.${field}, which the schema lacks`);
      rules[type.name] = { '*': allow, ...nested[type.name] };
    } else rules[type.name] = allow;
  }
  const permissions = shield(rules as IRules, {
    fallbackRule: deny,
    allowExternalErrors: true,
    fallbackError: () =>
      new GraphQLError('You do not have permission to do this', { extensions: { code: 'FORBIDDEN' } }),
  });
  const shielded = applyMiddleware(schema, permissions);
  guardSubscriptions(shielded, roots.Subscription);
  return shielded;
}

/** Runs each subscription field's rule before its event stream starts (see `ruleChecks`). */
function guardSubscriptions(schema: GraphQLSchema, rules: Record<string, unknown>) {
  const fields = schema.getSubscriptionType()?.getFields() ?? {};
  for (const [name, field] of Object.entries(fields)) {
    const check = ruleChecks.get(rules[name] as object);
    const subscribe = field.subscribe;
    if (!subscribe) continue;
    field.subscribe = (parent, args, ctx: Context, info) => {
      const allowed = check ? check(ctx) : forbidden();
      if (allowed !== true) throw allowed;
      return subscribe(parent, args, ctx, info);
    };
  }
}
