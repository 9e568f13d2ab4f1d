import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
import express, { type Request, type Router } from 'express';
import { AppError, notFound } from '../../errors.js';
import { sendRouteError } from '../../http/route-context.js';
import type { AppServices } from '../../services.js';
import { ArtifactTooLargeError } from '../../storage/artifact-store.js';
import { heldJob } from '../job/held-job-route.js';
import { JobKind } from '../job/job-kind.js';
import { ModelVersion } from '../model-version/model-version.entity.js';
import { checkStorage, lockQuotas } from '../quota/quota.js';
import { RunCheckpoint } from './run-checkpoint.entity.js';
import type { RunUpload } from './run-upload.entity.js';
import { Run } from './run.entity.js';
import { publishRun } from './run.service.js';

/**
 * Binary endpoints around runs, for the worker holding one (worker token + `x-run-attempt`, fenced
 * like the GraphQL operations): the run's dataset split, its newest checkpoint, and uploads of
 * checkpoints and the final model (tar.gz). Users download model versions from model-version/.
 */
export function runFilesRouter(app: AppServices): Router {
  const router = express.Router();

  const heldRun = async (req: Request) => {
    const { ctx, holder: run } = await heldJob<Run>(app, req, JobKind.TRAINING);
    return { ctx, run };
  };

  router.get('/worker/runs/:id/dataset', async (req, res) => {
    try {
      const { run, ctx } = await heldRun(req);
      await ctx.em.populate(run, ['datasetVersion']);
      const version = run.datasetVersion;
      const split = String(req.query.split ?? 'train');
      if (split !== 'train' && split !== 'validation')
        throw new AppError('BAD_USER_INPUT', 'split: must be train or validation');
      const s = version.splits;
      const [from, to] = !s
        ? split === 'train'
          ? [0, version.rowCount]
          : [0, 0]
        : split === 'train'
          ? [0, s.train]
          : [s.train, s.train + s.validation];
      res.type('application/x-ndjson');
      for await (const { index, line } of app.storage.rows.scan(version.contentHash!)) {
        if (index >= to) break;
        if (index >= from && !res.write(`${line}\n`)) await new Promise((r) => res.once('drain', r));
      }
      res.end();
    } catch (error) {
      sendRouteError(app, res, error);
    }
  });

  router.get('/worker/runs/:id/checkpoint', async (req, res) => {
    try {
      const { run, ctx } = await heldRun(req);
      const checkpoint = await ctx.em.findOne(RunCheckpoint, { run }, { orderBy: { step: 'desc' } });
      if (!checkpoint) throw notFound('Checkpoint');
      res.type('application/gzip').setHeader('x-checkpoint-step', String(checkpoint.step));
      await pipeline(await app.storage.artifacts.open(checkpoint.artifact), res);
    } catch (error) {
      sendRouteError(app, res, error);
    }
  });

  router.put('/worker/runs/:id/checkpoints/:step', async (req, res) => {
    try {
      const { run, ctx } = await heldRun(req);
      const step = Number(req.params.step);
      if (!Number.isInteger(step) || step < 0) throw new AppError('BAD_USER_INPUT', 'step: must be a step number');
      const { hash, sizeBytes } = await put(app, req);
      // Counted against the project's and the run owner's storage under the quota locks, then recorded.
      const who = { projectId: run.project.id, userId: run.createdBy?.id ?? null };
      try {
        await ctx.em.transactional(async (em) => {
          await lockQuotas(em, who);
          await recordUpload(em, run, 'checkpoint', hash);
          const existing = await em.findOne(RunCheckpoint, { run: run.id, step });
          await checkStorage(em, app.config, who, sizeBytes - (existing?.sizeBytes ?? 0), `Checkpoint ${step}`);
          const checkpoint =
            existing ?? Object.assign(new RunCheckpoint(), { run: em.getReference(Run, run.id), step });
          Object.assign(checkpoint, { attempt: run.attempt, artifact: hash, sizeBytes, createdAt: new Date() });
          em.persist(checkpoint);
        });
      } catch (error) {
        await removeUnusedArtifact(app, hash);
        throw error;
      }
      publishRun(app.pubsub, run.id);
      res.status(201).json({ step, sizeBytes });
    } catch (error) {
      sendRouteError(app, res, error);
    }
  });

  router.put('/worker/runs/:id/model', async (req, res) => {
    try {
      const { run, ctx } = await heldRun(req);
      const { hash, sizeBytes } = await put(app, req);
      await recordUpload(ctx.em, run, 'model', hash);
      res.status(201).json({ artifact: hash, sizeBytes });
    } catch (error) {
      sendRouteError(app, res, error);
    }
  });

  return router;
}

/** An artifact no checkpoint or model version refers to (its upload was refused) is not kept. */
async function removeUnusedArtifact(app: AppServices, hash: string) {
  const em = app.orm.em.fork();
  const used = (await em.count(RunCheckpoint, { artifact: hash })) + (await em.count(ModelVersion, { artifact: hash }));
  if (!used) await app.storage.artifacts.delete(hash);
}

/** Binds an upload to the run and attempt that sent it (the same bytes sent again are bound again). */
async function recordUpload(em: EntityManager, run: Run, kind: RunUpload['kind'], artifact: string) {
  await em.execute(
    `insert into run_uploads (id, run_id, attempt, kind, artifact, created_at) values (?, ?, ?, ?, ?, now())
     on conflict (run_id, attempt, kind, artifact) do nothing`,
    [randomUUID(), run.id, run.attempt, kind, artifact],
  );
}

async function put(app: AppServices, req: Request) {
  try {
    return await app.storage.artifacts.put(req, app.config.RUN_ARTIFACT_MAX_BYTES);
  } catch (error) {
    if (error instanceof ArtifactTooLargeError)
      throw new AppError('BAD_USER_INPUT', `body: ${error.message} (RUN_ARTIFACT_MAX_BYTES)`);
    throw error;
  }
}
