import { allow, rule } from 'graphql-shield';
import type { Context } from '../context.js';
import { forbidden, unauthenticated } from '../errors.js';
import type { Permission } from '../modules/role/permissions.js';

type Check = (ctx: Context) => true | Error;
type ShieldRule = ReturnType<ReturnType<typeof rule>>;

/**
 * The plain check behind each rule. graphql-middleware wraps a subscription field's `resolve` (run per
 * event) but not its `subscribe`, so the shield module runs these checks before a subscription starts.
 */
export const ruleChecks = new WeakMap<object, Check>();

function defineRule(name: string, check: Check): ShieldRule {
  const r = rule(name, { cache: 'contextual' })((_parent, _args, ctx: Context) => check(ctx));
  ruleChecks.set(r, check);
  return r;
}

/** Base rules every module's rules file composes. Role-level checks only; object access is in services. */
export const isPublic = allow;
ruleChecks.set(allow, () => true);

/** A person signed in (session or API token). Worker tokens are refused: they call worker operations only. */
export const isAuthenticated = defineRule('isAuthenticated', (ctx) => {
  if (!ctx.viewer) return ctx.authError ?? unauthenticated();
  return !ctx.viewer.isWorker || forbidden('Worker tokens can only call worker operations');
});

const permissionRules = new Map<Permission, ShieldRule>();

/** Signed in and holding `permission` through a role (and, for API tokens, a scope). */
export function hasPermission(permission: Permission): ShieldRule {
  let r = permissionRules.get(permission);
  if (!r) {
    r = defineRule(`has:${permission}`, (ctx) => {
      if (!ctx.viewer) return ctx.authError ?? unauthenticated();
      return ctx.viewer.permissions.has(permission) || forbidden(`Requires the ${permission} permission`);
    });
    permissionRules.set(permission, r);
  }
  return r;
}

/** A session sign-in (not an API token): for account-changing operations tokens must not do. */
export const isSignedInWithPassword = defineRule('isSignedInWithPassword', (ctx) => {
  if (!ctx.viewer) return ctx.authError ?? unauthenticated();
  if (ctx.viewer.isWorker) return forbidden('Worker tokens can only call worker operations');
  return ctx.viewer.sessionId !== null || forbidden('Not allowed with an API token; sign in instead');
});
