import { allow, rule } from 'graphql-shield';
import type { Context } from '../context.js';
import { forbidden, unauthenticated } from '../errors.js';
import type { Permission } from '../modules/role/permissions.js';

/** Base rules every module's rules file composes. Role-level checks only; object access is in services. */
export const isPublic = allow;

export const isAuthenticated = rule('isAuthenticated', { cache: 'contextual' })((_parent, _args, ctx: Context) =>
  ctx.viewer ? true : (ctx.authError ?? unauthenticated()),
);

const permissionRules = new Map<Permission, ReturnType<ReturnType<typeof rule>>>();

/** Signed in and holding `permission` through a role (and, for API tokens, a scope). */
export function hasPermission(permission: Permission) {
  let r = permissionRules.get(permission);
  if (!r) {
    r = rule(`has:${permission}`, { cache: 'contextual' })((_parent, _args, ctx: Context) => {
      if (!ctx.viewer) return ctx.authError ?? unauthenticated();
      return ctx.viewer.permissions.has(permission) || forbidden(`Requires the ${permission} permission`);
    });
    permissionRules.set(permission, r);
  }
  return r;
}

/** A session sign-in (not an API token): for account-changing operations tokens must not do. */
export const isSignedInWithPassword = rule('isSignedInWithPassword', { cache: 'contextual' })((
  _parent,
  _args,
  ctx: Context,
) => {
  if (!ctx.viewer) return ctx.authError ?? unauthenticated();
  return ctx.viewer.sessionId !== null || forbidden('Not allowed with an API token; sign in instead');
});
