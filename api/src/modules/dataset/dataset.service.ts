import { z } from 'zod';
import type { Context } from '../../context.js';
import type { AppServices } from '../../services.js';
import { AppError, badInput, conflict, notFound } from '../../errors.js';
import { containsPattern, paginate } from '../../graphql/pagination.js';
import { rules, validate } from '../../graphql/validate.js';
import { requireProjectRole } from '../project/project-access.js';
import { ProjectRole } from '../project/project-member.entity.js';
import { DatasetVersion, DatasetVersionStatus } from './dataset-version.entity.js';
import { Dataset } from './dataset.entity.js';
import type {
  CreateDatasetInput,
  CreateDatasetVersionInput,
  DatasetsArgs,
  ReadOptionsInput,
  RowsArgs,
  UpdateDatasetInput,
} from './dataset.inputs.js';
import { detect } from './ingest/ingest.js';
import { SCHEMA_KINDS, type Mapping } from './ingest/schema.js';
import { ingestLimits } from './version-executors.js';
import { createVersionWithJob } from './version-jobs.js';
import { Upload } from './upload.entity.js';

const nameRule = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
export class DatasetService {
  constructor(
    private readonly ctx: Context,
    private readonly app: AppServices,
  ) {}

  private get store() {
    return this.app.storage.rows;
  }

  /** The dataset, after checking the viewer's project role; other projects' ids look absent. */
  async access(datasetId: string, minRole: ProjectRole): Promise<Dataset> {
    const id = validate(rules.uuid, datasetId, 'datasetId');
    const dataset = await this.ctx.em.findOne(Dataset, { id, deletedAt: null }, { populate: ['project'] });
    if (!dataset) throw notFound('Dataset');
    try {
      await requireProjectRole(this.ctx.em, this.ctx.viewer, dataset.project.id, minRole);
    } catch (error) {
      if (error instanceof AppError && error.code === 'NOT_FOUND') throw notFound('Dataset');
      throw error;
    }
    return dataset;
  }

  async versionAccess(versionId: string, minRole = ProjectRole.VIEWER): Promise<DatasetVersion> {
    const id = validate(rules.uuid, versionId, 'versionId');
    const version = await this.ctx.em.findOne(DatasetVersion, { id }, { populate: ['dataset'] });
    if (!version || version.dataset.deletedAt) throw notFound('Dataset version');
    await this.access(version.dataset.id, minRole);
    return version;
  }

  async list(args: DatasetsArgs) {
    await requireProjectRole(this.ctx.em, this.ctx.viewer, args.projectId, ProjectRole.VIEWER);
    const where: Record<string, unknown> = { project: args.projectId, deletedAt: null };
    if (args.search?.trim()) where.name = { $ilike: containsPattern(args.search.trim()) };
    return paginate(this.ctx.em, Dataset, where, { createdAt: 'desc', id: 'desc' }, args);
  }

  async create(input: CreateDatasetInput): Promise<Dataset> {
    const data = validate(z.object({ name: nameRule, description: z.string().trim().max(2000).nullish() }), input);
    const { project } = await requireProjectRole(this.ctx.em, this.ctx.viewer, input.projectId, ProjectRole.EDITOR);
    await this.ensureNameFree(project.id, data.name);
    const dataset = Object.assign(new Dataset(), {
      project,
      name: data.name,
      description: data.description ?? '',
      createdById: this.ctx.viewer!.user.id,
    });
    this.ctx.em.persist(dataset);
    this.ctx.services.audit.record({
      action: 'dataset.create',
      targetType: 'dataset',
      targetId: dataset.id,
      details: { name: dataset.name },
    });
    await this.ctx.em.flush();
    return dataset;
  }

  async update(input: UpdateDatasetInput): Promise<Dataset> {
    const data = validate(
      z.object({ name: nameRule.nullish(), description: z.string().trim().max(2000).nullish() }),
      input,
    );
    const dataset = await this.access(input.id, ProjectRole.EDITOR);
    if (data.name && data.name !== dataset.name) {
      await this.ensureNameFree(dataset.project.id, data.name);
      dataset.name = data.name;
    }
    if (data.description != null) dataset.description = data.description;
    await this.ctx.em.flush();
    return dataset;
  }

  /** Soft delete: the versions stay for lineage and runs that used them. */
  async delete(id: string): Promise<Dataset> {
    const dataset = await this.access(id, ProjectRole.EDITOR);
    dataset.deletedAt = new Date();
    this.ctx.services.audit.record({ action: 'dataset.delete', targetType: 'dataset', targetId: dataset.id });
    await this.ctx.em.flush();
    return dataset;
  }

  versions(dataset: Dataset, page: { first: number; after?: string | null }) {
    return paginate(this.ctx.em, DatasetVersion, { dataset: dataset.id }, { number: 'desc' }, page);
  }

  private async ensureNameFree(projectId: string, name: string) {
    if (await this.ctx.em.count(Dataset, { project: projectId, name, deletedAt: null })) {
      throw conflict('input.name', `A dataset named "${name}" exists in this project`);
    }
  }

  private async completedUpload(uploadId: string, projectId: string): Promise<Upload> {
    const upload = await this.ctx.em.findOne(Upload, { id: String(uploadId), project: projectId });
    if (!upload) throw notFound('Upload');
    if (!upload.completedAt || !upload.sha256)
      throw new AppError('CONFLICT', 'The upload has not finished yet; resume it first');
    return upload;
  }

  private readOptions(options: ReadOptionsInput | null | undefined) {
    const mapping = options?.mapping;
    if (mapping) {
      if (!SCHEMA_KINDS.includes(mapping.kind as never))
        throw badInput('input.options.mapping.kind', 'unknown schema kind');
      for (const [field, column] of Object.entries(mapping.columns)) {
        if (typeof column !== 'string' || !column)
          throw badInput(`input.options.mapping.columns.${field}`, 'must name a source column');
      }
    }
    return {
      format: options?.format ?? null,
      encoding: options?.encoding ?? null,
      textMode: options?.textMode ?? null,
      mapping: (mapping as Mapping | undefined) ?? null,
    };
  }

  /** What detection finds in an upload, before a version is created (the mapping editor's input). */
  async detectUpload(projectId: string, uploadId: string, options?: ReadOptionsInput | null) {
    await requireProjectRole(this.ctx.em, this.ctx.viewer, projectId, ProjectRole.VIEWER);
    const upload = await this.completedUpload(uploadId, projectId);
    return this.app.storage.uploads.withLocalFile(upload.sha256!, (path) =>
      detect({ path, filename: upload.filename, limits: ingestLimits(this.ctx.config), ...this.readOptions(options) }),
    );
  }

  /** Creates a PROCESSING version whose job ingests the upload (progress by subscription). */
  async createVersion(input: CreateDatasetVersionInput): Promise<DatasetVersion> {
    const dataset = await this.access(input.datasetId, ProjectRole.EDITOR);
    const upload = await this.completedUpload(input.uploadId, dataset.project.id);
    const options = this.readOptions(input.options);
    const message =
      validate(
        z.string().trim().max(2000, 'must be at most 2000 characters').nullish(),
        input.message,
        'input.message',
      ) ?? '';
    // Everything the job needs (version-executors.ts reads it back).
    const recipe = {
      source: { uploadId: upload.id, sha256: upload.sha256, filename: upload.filename },
      read: options,
      excludeInvalidRows: input.excludeInvalidRows,
    };
    return createVersionWithJob(this.ctx, this.app, dataset, { message, recipe });
  }

  async rows(version: DatasetVersion, args: RowsArgs) {
    if (!Number.isInteger(args.limit) || args.limit < 1 || args.limit > 500)
      throw badInput('limit', 'must be between 1 and 500');
    if (!Number.isInteger(args.offset) || args.offset < 0) throw badInput('offset', 'must be 0 or more');
    if (version.status !== DatasetVersionStatus.READY || !version.contentHash) return { rows: [], total: 0 };
    const needle = args.search?.trim().toLowerCase();
    if (!needle) {
      const data = await this.store.read(version.contentHash, args.offset, args.limit);
      return {
        rows: data.map((d, i) => ({ index: args.offset + i, data: d as Record<string, unknown> })),
        total: version.rowCount,
      };
    }
    // Search scans the row file. Rows are stored as JSON.stringify output, which keeps non-ASCII text as is.
    const rows: { index: number; data: Record<string, unknown> }[] = [];
    let total = 0;
    for await (const { index, line } of this.store.scan(version.contentHash)) {
      if (!line.toLowerCase().includes(needle)) continue;
      if (total >= args.offset && rows.length < args.limit) rows.push({ index, data: JSON.parse(line) });
      total++;
    }
    return { rows, total };
  }
}
