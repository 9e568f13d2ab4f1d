import { pipeline } from 'node:stream/promises';
import express, { type Router } from 'express';
import { routeContext, sendRouteError } from '../../http/route-context.js';
import type { AppServices } from '../../services.js';

/** A model version's files as one tar.gz, for a user (or token) with model:read in its project. */
export function modelDownloadRouter(app: AppServices): Router {
  const router = express.Router();
  router.get('/models/versions/:id/download', async (req, res) => {
    try {
      const ctx = await routeContext(app, req, 'model:read');
      const version = await ctx.services.modelVersions.access(String(req.params.id));
      const name = `${version.name.replace(/[^\p{L}\p{N}_-]+/gu, '_')}-v${version.number}.tar.gz`;
      res.setHeader('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(name)}`);
      res.type('application/gzip').setHeader('content-length', String(version.sizeBytes));
      await pipeline(await app.storage.artifacts.open(version.artifact), res);
    } catch (error) {
      sendRouteError(app, res, error);
    }
  });
  return router;
}
