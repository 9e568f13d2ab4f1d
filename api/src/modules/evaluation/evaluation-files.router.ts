import { pipeline } from 'node:stream/promises';
import express, { type Response, type Router } from 'express';
import { notFound } from '../../errors.js';
import { sendRouteError } from '../../http/route-context.js';
import type { AppServices } from '../../services.js';
import { heldJob } from '../job/held-job-route.js';
import { JobKind } from '../job/job-kind.js';
import { ModelVersion } from '../model-version/model-version.entity.js';
import { evaluationRows } from './evaluation-spec.js';
import { EvaluationExample } from './evaluation-example.entity.js';
import type { Evaluation } from './evaluation.entity.js';

const write = async (res: Response, line: string) => {
  if (!res.write(`${line}\n`)) await new Promise((r) => res.once('drain', r));
};

/**
 * What the worker holding an evaluation downloads (worker token + `x-job-attempt`, fenced like the
 * GraphQL operations): the evaluation set's rows, the model versions it scores, and the example rows
 * an earlier attempt stored (the evaluator's resume_from).
 */
export function evaluationFilesRouter(app: AppServices): Router {
  const router = express.Router();

  router.get('/worker/evaluations/:id/dataset', async (req, res) => {
    try {
      const { ctx, holder } = await heldJob<Evaluation>(app, req, JobKind.EVALUATION);
      await ctx.em.populate(holder, ['datasetVersion']);
      const [from, to] = evaluationRows(holder);
      res.type('application/x-ndjson');
      for await (const { index, line } of app.storage.rows.scan(holder.datasetVersion.contentHash!)) {
        if (index >= to) break;
        if (index >= from) await write(res, line);
      }
      res.end();
    } catch (error) {
      sendRouteError(app, res, error);
    }
  });

  router.get('/worker/evaluations/:id/models/:modelVersionId', async (req, res) => {
    try {
      const { ctx, holder } = await heldJob<Evaluation>(app, req, JobKind.EVALUATION);
      const id = String(req.params.modelVersionId);
      // Only a model this evaluation scores.
      if (!holder.targets.some((t) => t.modelVersionId === id)) throw notFound('Model version');
      const version = await ctx.em.findOneOrFail(ModelVersion, { id });
      res.type('application/gzip').setHeader('x-model-kind', version.kind);
      res.setHeader('content-length', String(version.sizeBytes));
      await pipeline(await app.storage.artifacts.open(version.artifact), res);
    } catch (error) {
      sendRouteError(app, res, error);
    }
  });

  router.get('/worker/evaluations/:id/examples', async (req, res) => {
    try {
      const { ctx, holder } = await heldJob<Evaluation>(app, req, JobKind.EVALUATION);
      res.type('application/x-ndjson');
      const rows = await ctx.em.find(EvaluationExample, { evaluation: holder }, { orderBy: { id: 'asc' } });
      for (const r of rows) {
        const { index, target, suite, subject, prompt, reference, output, thinking, flags, scores, stats } = r;
        await write(
          res,
          JSON.stringify({ index, target, suite, subject, prompt, reference, output, thinking, flags, scores, stats }),
        );
      }
      res.end();
    } catch (error) {
      sendRouteError(app, res, error);
    }
  });

  return router;
}
