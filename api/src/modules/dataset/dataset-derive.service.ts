import { z } from 'zod';
import type { Context } from '../../context.js';
import type { AppServices } from '../../services.js';
import { AppError, badInput } from '../../errors.js';
import { validate } from '../../graphql/validate.js';
import { ProjectRole } from '../project/project-member.entity.js';
import type { ApplyDatasetPipelineInput, EditDatasetRowsInput } from './dataset-ops.inputs.js';
import { DatasetVersion, DatasetVersionStatus } from './dataset-version.entity.js';
import { createVersionWithJob } from './version-jobs.js';
import { diffRowSets } from './ingest/diff.js';
import { planEdits } from './ingest/edits.js';
import { parseSteps } from './ingest/pipeline.js';
import type { NormalizedRow } from './ingest/schema.js';
import { renderRow } from './render.js';

const message = z.string().trim().max(2000, 'must be at most 2000 characters');

/** New versions made from existing ones (pipelines, edits), diffs and template previews. */
export class DatasetDeriveService {
  constructor(
    private readonly ctx: Context,
    private readonly app: AppServices,
  ) {}

  private get store() {
    return this.app.storage.rows;
  }

  private async readySource(versionId: string, minRole: ProjectRole) {
    const version = await this.ctx.services.datasets.versionAccess(versionId, minRole);
    if (version.status !== DatasetVersionStatus.READY || !version.contentHash) {
      throw new AppError(
        'CONFLICT',
        `Version ${version.number} is ${version.status.toLowerCase()}; only READY versions can be used`,
      );
    }
    return version as DatasetVersion & { contentHash: string };
  }

  async applyPipeline(input: ApplyDatasetPipelineInput): Promise<DatasetVersion> {
    const source = await this.readySource(input.versionId, ProjectRole.EDITOR);
    const steps = parseSteps(input.steps);
    const text = validate(message.nullish(), input.message, 'input.message') ?? '';
    return this.derive(source, text, { pipeline: steps });
  }

  async editRows(input: EditDatasetRowsInput): Promise<DatasetVersion> {
    const source = await this.readySource(input.versionId, ProjectRole.EDITOR);
    const text = validate(message.min(1, 'say what changed'), input.message, 'input.message');
    // Checked now (each problem names its edit); the job plans them again from `input`.
    const plan = planEdits(input.edits, source.rowCount);
    const summary = { updated: plan.updates.size, deleted: plan.deletes.size, added: plan.adds.length };
    return this.derive(source, text, { edits: summary }, { edits: input.edits });
  }

  /** A child version of `source`, made by its job (version-executors.ts) from `recipe` and `input`. */
  private derive(source: DatasetVersion, message: string, recipe: Record<string, unknown>, input?: object) {
    return createVersionWithJob(this.ctx, this.app, source.dataset, {
      message,
      recipe: { from: source.id, ...recipe },
      parentIds: [source.id],
      schemaKind: source.schemaKind,
      input: (input as Record<string, unknown>) ?? null,
    });
  }

  async diff(baseId: string, headId: string, offset: number, limit: number) {
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw badInput('limit', 'must be between 1 and 200');
    if (!Number.isInteger(offset) || offset < 0) throw badInput('offset', 'must be 0 or more');
    const base = await this.readySource(baseId, ProjectRole.VIEWER);
    const head = await this.readySource(headId, ProjectRole.VIEWER);
    if (base.dataset.id !== head.dataset.id) throw badInput('headId', 'must be a version of the same dataset');
    const page = await diffRowSets(this.store, base.contentHash, head.contentHash, offset, limit);
    const load = async (hash: string, index: number | null) =>
      index === null ? null : { index, data: (await this.store.read(hash, index, 1))[0] as Record<string, unknown> };
    const entries = await Promise.all(
      page.entries.map(async (e) => ({
        kind: e.kind,
        base: await load(base.contentHash, e.baseIndex),
        head: await load(head.contentHash, e.headIndex),
      })),
    );
    return { ...page, entries, statsDelta: statsDelta(base, head) };
  }

  async render(versionId: string, index: number, baseModelId: string, maxLength: number) {
    const version = await this.readySource(versionId, ProjectRole.VIEWER);
    if (!Number.isInteger(index) || index < 0 || index >= version.rowCount)
      throw badInput('index', `must be a row index from 0 to ${version.rowCount - 1}`);
    const [row] = await this.store.read(version.contentHash, index, 1);
    return renderRow(row as NormalizedRow, baseModelId, maxLength);
  }

  async lineage(version: DatasetVersion) {
    const [parents, children] = await Promise.all([
      this.ctx.em.find(DatasetVersion, { id: { $in: version.parentIds } }),
      this.ctx.em.find(
        DatasetVersion,
        { parentIds: { $contains: [version.id] } },
        { orderBy: { number: 'asc' }, limit: 100 },
      ),
    ]);
    return { parents, children };
  }
}

type Stats = {
  rows?: number;
  chars?: { mean: number };
  tokens?: { mean: number } | null;
  languages?: Record<string, number>;
  exactDuplicates?: number;
};
function statsDelta(base: DatasetVersion, head: DatasetVersion): Record<string, unknown> {
  const b = (base.stats ?? {}) as Stats;
  const h = (head.stats ?? {}) as Stats;
  const languages = Object.fromEntries(
    ['zh', 'en', 'other'].map((l) => [l, (h.languages?.[l] ?? 0) - (b.languages?.[l] ?? 0)]),
  );
  return {
    rows: head.rowCount - base.rowCount,
    meanChars: (h.chars?.mean ?? 0) - (b.chars?.mean ?? 0),
    meanTokens: (h.tokens?.mean ?? 0) - (b.tokens?.mean ?? 0),
    languages,
    exactDuplicates: (h.exactDuplicates ?? 0) - (b.exactDuplicates ?? 0),
  };
}
