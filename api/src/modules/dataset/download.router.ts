import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import express, { type Router } from 'express';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { AppError } from '../../errors.js';
import type { AppServices } from '../../services.js';
import { routeContext, sendRouteError } from '../../http/route-context.js';
import { DatasetVersionStatus } from './dataset-version.entity.js';
import { rowStore } from './dataset.service.js';

/**
 * `GET /datasets/versions/:id/download[?format=jsonl|parquet]`, authorised like GraphQL
 * (`Authorization: Bearer`, `dataset:read`, project membership). JSONL streams; Parquet stores each
 * row's fields as JSON text columns (`messages`, `text`, `prompt`/`chosen`/`rejected`) plus `split`.
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
      const store = rowStore(app.config.dataDir);
      if (format === 'jsonl') {
        res.type('application/x-ndjson');
        await pipeline(createReadStream(store.rowsFile(version.contentHash)), res);
        return;
      }
      const columns = new Map<string, string[]>();
      const split: string[] = [];
      const s = version.splits;
      let i = 0;
      for await (const { line } of store.scan(version.contentHash)) {
        const row = JSON.parse(line) as Record<string, unknown>;
        for (const [key, value] of Object.entries(row)) {
          if (!columns.has(key)) columns.set(key, new Array(i).fill(''));
          columns.get(key)!.push(typeof value === 'string' ? value : JSON.stringify(value));
        }
        for (const col of columns.values()) if (col.length <= i) col.push('');
        split.push(!s ? '' : i < s.train ? 'train' : i < s.train + s.validation ? 'validation' : 'test');
        i++;
      }
      const columnData = [...columns].map(([name, data]) => ({ name, data, type: 'STRING' as const }));
      if (s) columnData.push({ name: 'split', data: split, type: 'STRING' as const });
      res.type('application/vnd.apache.parquet');
      res.end(Buffer.from(parquetWriteBuffer({ columnData })));
    } catch (error) {
      sendRouteError(app, res, error);
    }
  });
  return router;
}
