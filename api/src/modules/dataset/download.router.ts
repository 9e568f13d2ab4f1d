import { pipeline } from 'node:stream/promises';
import express, { type Router } from 'express';
import { AppError } from '../../errors.js';
import type { AppServices } from '../../services.js';
import { routeContext, sendRouteError } from '../../http/route-context.js';
import { DatasetVersionStatus } from './dataset-version.entity.js';
import { writeParquet } from './parquet-stream.js';

/**
 * `GET /datasets/versions/:id/download[?format=jsonl|parquet]`, authorised like GraphQL
 * (`Authorization: Bearer`, `dataset:read`, project membership). JSONL streams; Parquet stores each
 * row's fields as JSON text columns (`messages`, `text`, `prompt`/`chosen`/`rejected`) plus `split`,
 * written a row group at a time (parquet-stream.ts).
 */
export function downloadRouter(app: AppServices): Router {
  const router = express.Router();
  router.get('/datasets/versions/:id/download', async (req, res) => {
    try {
      const ctx = await routeContext(app, req, 'dataset:read');
      const version = await ctx.services.datasets.versionAccess(req.params.id);
      if (version.status !== DatasetVersionStatus.READY || !version.contentHash)
        throw new AppError('CONFLICT', 'This version is not ready');
      const format = String(req.query.format ?? 'jsonl');
      if (format !== 'jsonl' && format !== 'parquet')
        throw new AppError('BAD_USER_INPUT', 'format: must be jsonl or parquet');
      const name = `${version.dataset.name.replace(/[^\p{L}\p{N}_-]+/gu, '_')}-v${version.number}.${format}`;
      res.setHeader('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(name)}`);
      const store = app.storage.rows;
      if (format === 'jsonl') {
        res.type('application/x-ndjson');
        await pipeline(await store.open(version.contentHash), res);
        return;
      }
      res.type('application/vnd.apache.parquet');
      await writeParquet(store, version.contentHash, version.splits, res);
      res.end();
    } catch (error) {
      sendRouteError(app, res, error);
    }
  });
  return router;
}
