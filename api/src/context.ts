import type { EntityManager } from '@mikro-orm/postgresql';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { AppPubSub } from './pubsub.js';
import type { AppError } from './errors.js';
import type { Viewer } from './modules/auth/viewer.js';
import { createLoaders, type Loaders } from './loaders.js';
import { createServices, type AppServices, type Services } from './services.js';

/** Per request (HTTP) or per operation (WebSocket): its own EntityManager fork and loaders. */
export interface Context {
  requestId: string;
  log: Logger;
  config: Config;
  /** This instance's pub/sub (AppServices.pubsub). */
  pubsub: AppPubSub;
  em: EntityManager;
  ip: string | null;
  userAgent: string | null;
  viewer: Viewer | null;
  /** Why a presented token was refused; reported by the authentication rule. */
  authError: AppError | null;
  loaders: Loaders;
  services: Services;
  /**
   * Set by sign-in, refresh and registration: the user the new tokens belong to. An object, because
   * Apollo shallow-copies the context per operation and resolvers must see what services wrote.
   */
  signedIn: { userId: string | null };
  /** Present over HTTP only: used to set and clear the refresh-token cookie. */
  http?: { req: Request; res: Response };
}

export function buildContext(
  app: AppServices,
  base: Omit<Context, 'loaders' | 'services' | 'em' | 'config' | 'pubsub' | 'signedIn'> & { em: EntityManager },
): Context {
  const context = { ...base, config: app.config, pubsub: app.pubsub, signedIn: { userId: null } } as Context;
  context.loaders = createLoaders(context);
  context.services = createServices(context, app);
  return context;
}
