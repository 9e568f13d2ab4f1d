import { randomUUID } from 'node:crypto';
import { Server } from '@tus/server';
import express, { type Router } from 'express';
import { AppError } from '../../errors.js';
import type { AppServices } from '../../services.js';
import { authenticate, bearerToken, type Viewer } from '../auth/viewer.js';
import { requireProjectRole } from '../project/project-access.js';
import { ProjectRole } from '../project/project-member.entity.js';
import { Project } from '../project/project.entity.js';
import { checkStorage, lockQuotas } from '../quota/quota.js';
import { Upload } from './upload.entity.js';

type Req = { headers: Headers; method: string };
const refuse = (status_code: number, body: string) => ({ status_code, body: `${body}\n` });

/**
 * Resumable uploads with the tus protocol (https://tus.io) at `/uploads`, authorised by the same
 * bearer tokens as GraphQL (`dataset:write` and EDITOR in the project). Create with metadata
 * `projectId` and `filename`; the finished file is stored under its SHA-256, never its name.
 */
export function uploadRouter(app: AppServices): Router {
  const { config, orm } = app;

  async function viewerOf(req: Req): Promise<Viewer> {
    const auth = await authenticate(orm.em.fork(), app.accessTokens, bearerToken(req.headers.get('authorization')));
    if (!auth.viewer) throw refuse(401, auth.error?.message ?? 'Sign in first: send Authorization: Bearer <token>');
    if (!auth.viewer.permissions.has('dataset:write')) throw refuse(403, 'Requires the dataset:write permission');
    return auth.viewer;
  }

  const tus = new Server({
    path: '/uploads',
    datastore: app.storage.uploads.tusDatastore(),
    maxSize: config.DATASET_UPLOAD_MAX_BYTES,
    respectForwardedHeaders: Boolean(config.TRUST_PROXY),
    namingFunction: () => randomUUID(),
    onIncomingRequest: async (req, uploadId) => {
      const viewer = await viewerOf(req);
      if (req.method === 'POST') return;
      const upload = await orm.em.fork().findOne(Upload, { id: uploadId });
      if (!upload || upload.userId !== viewer.user.id) throw refuse(404, 'No such upload');
    },
    onUploadCreate: async (req, upload) => {
      const viewer = await viewerOf(req);
      const projectId = upload.metadata?.projectId ?? '';
      const filename = (upload.metadata?.filename ?? '').slice(0, 500) || 'upload';
      const em = orm.em.fork();
      try {
        await requireProjectRole(em, viewer, projectId, ProjectRole.EDITOR);
      } catch (error) {
        if (error instanceof AppError)
          throw refuse(error.code === 'FORBIDDEN' ? 403 : 404, `metadata.projectId: ${error.message}`);
        throw error;
      }
      if (upload.size === undefined) throw refuse(400, 'Upload-Length is required (deferred length is not accepted)');
      // Checked and recorded in one transaction under the quota locks: parallel uploads queue here.
      const size = upload.size;
      try {
        await em.transactional(async (tx) => {
          await lockQuotas(tx, { userId: viewer.user.id, projectId });
          await checkStorage(tx, config, { projectId, userId: viewer.user.id }, size, 'This upload');
          tx.persist(
            Object.assign(new Upload(), {
              id: upload.id,
              project: tx.getReference(Project, projectId),
              userId: viewer.user.id,
              filename,
              size,
            }),
          );
        });
      } catch (error) {
        if (error instanceof AppError) throw refuse(413, error.message);
        throw error;
      }
      return { metadata: upload.metadata };
    },
    onUploadFinish: async (_req, upload) => {
      const sha256 = await app.storage.uploads.finish(upload.id);
      await orm.em.fork().nativeUpdate(Upload, { id: upload.id }, { sha256, completedAt: new Date() });
      return { headers: { 'Upload-Sha256': sha256 } };
    },
  });

  const router = express.Router();
  router.all(['/uploads', '/uploads/*rest'], (req, res) => void tus.handle(req, res));
  return router;
}
