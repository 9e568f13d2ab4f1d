import type { Context } from './context.js';
import { createViewerProjectRoleLoader } from './modules/project/project.loader.js';
import { createRolesByUserLoader, createUserLoader } from './modules/user/user.loader.js';

/** Per-request DataLoaders: batching and caching live exactly as long as one request. */
export function createLoaders(ctx: Pick<Context, 'em' | 'viewer'>) {
  return {
    user: createUserLoader(ctx.em),
    rolesByUser: createRolesByUserLoader(ctx.em),
    viewerProjectRole: createViewerProjectRoleLoader(ctx.em, ctx.viewer),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
