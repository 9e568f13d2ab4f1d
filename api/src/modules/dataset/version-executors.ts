import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import type { AppServices } from '../../services.js';
import { RowAnalyzer } from './ingest/analyze.js';
import { applyEdits, planEdits, type RowEdit } from './ingest/edits.js';
import { ingest, type IngestLimits } from './ingest/ingest.js';
import { parseSteps, runPipeline } from './ingest/pipeline.js';
import type { Mapping } from './ingest/schema.js';
import { DatasetVersion, DatasetVersionStatus } from './dataset-version.entity.js';
import { tokenCounter } from './tokenizers.js';

/** What a finished job writes onto its version. */
export type VersionResult = Partial<
  Pick<DatasetVersion, 'contentHash' | 'rowCount' | 'schemaKind' | 'validation' | 'stats' | 'splits' | 'recipe'>
>;

export type ProgressReporter = (rowsProcessed: number) => void;

/**
 * Makes a version's rows from what its row says (recipe, input, parents). Deterministic: run again on
 * the same version, it writes the same content-addressed row set (so a retry after a crash is safe).
 */
type VersionExecutor = (
  app: AppServices,
  em: EntityManager,
  version: DatasetVersion,
  progress: ProgressReporter,
) => Promise<VersionResult>;

/** How a version is made, read from its recipe as the web reads it (lib/datasets/recipe.ts). */
export type RecipeKind = 'upload' | 'pipeline' | 'edits';

export function recipeKind(recipe: Record<string, unknown>): RecipeKind | null {
  if (Array.isArray(recipe.pipeline)) return 'pipeline';
  if (recipe.edits) return 'edits';
  if (recipe.source) return 'upload';
  return null;
}

export function ingestLimits(c: Config): IngestLimits {
  return {
    maxDecompressedBytes: c.DATASET_MAX_DECOMPRESSED_BYTES,
    maxCompressionRatio: c.DATASET_MAX_COMPRESSION_RATIO,
    maxJsonBytes: c.DATASET_MAX_JSON_BYTES,
    maxRecordChars: Math.max(c.DATASET_MAX_ROW_CHARS * 10, 16 * 1024 * 1024),
    maxRowChars: c.DATASET_MAX_ROW_CHARS,
  };
}

/** The recipe of an imported upload (written by DatasetService.createVersion). */
interface UploadRecipe {
  source: { uploadId: string; sha256: string; filename: string };
  read: {
    format: string | null;
    encoding: string | null;
    textMode: 'lines' | 'document' | null;
    mapping: Mapping | null;
  };
  excludeInvalidRows: boolean;
}

const importUpload: VersionExecutor = async (app, _em, version, progress) => {
  const recipe = version.recipe as unknown as UploadRecipe;
  const result = await app.storage.uploads.withLocalFile(recipe.source.sha256, (path) =>
    ingest(app.storage.rows, {
      path,
      filename: recipe.source.filename,
      ...(recipe.read as Pick<Parameters<typeof ingest>[1], 'format' | 'encoding' | 'textMode' | 'mapping'>),
      excludeInvalid: recipe.excludeInvalidRows,
      limits: ingestLimits(app.config),
      tokenizer: tokenCounter('qwen3'),
      onProgress: progress,
    }),
  );
  const { format, encoding, mapping } = result.detected;
  return {
    contentHash: result.hash,
    rowCount: result.rows,
    schemaKind: mapping.kind,
    validation: result.validation as never,
    stats: result.stats as never,
    recipe: { ...version.recipe, detected: { format, encoding, mapping } },
  };
};

/** The READY version a derived one is made from (`recipe.from`). */
async function sourceOf(em: EntityManager, version: DatasetVersion) {
  const source = await em.findOne(DatasetVersion, { id: String(version.recipe.from) });
  if (!source || source.status !== DatasetVersionStatus.READY || !source.contentHash)
    throw new AppError('CONFLICT', 'The version this one is made from is not READY');
  return source as DatasetVersion & { contentHash: string };
}

/** The fields every derived version gets from its rows. */
function derived(version: DatasetVersion, hash: string, rows: number, analyzer: RowAnalyzer, extra = {}) {
  return {
    contentHash: hash,
    rowCount: rows,
    validation: analyzer.report.build() as never,
    stats: analyzer.stats.build() as never,
    recipe: { ...version.recipe, ...extra },
  };
}

const pipeline: VersionExecutor = async (app, em, version) => {
  const source = await sourceOf(em, version);
  const steps = parseSteps(version.recipe.pipeline);
  const opts = { maxRowChars: app.config.DATASET_MAX_ROW_CHARS, tokenizer: tokenCounter('qwen3') };
  const result = await runPipeline(app.storage.rows, source.contentHash, steps, opts);
  return {
    ...derived(version, result.hash, result.rows, result.analyzer, { stepRows: result.steps }),
    splits: result.splits ?? null,
  };
};

const edits: VersionExecutor = async (app, em, version) => {
  const source = await sourceOf(em, version);
  const plan = planEdits((version.input?.edits ?? []) as RowEdit[], source.rowCount);
  const result = await applyEdits(app.storage.rows, source.contentHash, plan);
  const analyzer = new RowAnalyzer(app.config.DATASET_MAX_ROW_CHARS, tokenCounter('qwen3'));
  for await (const { line } of app.storage.rows.scan(result.hash)) analyzer.add(JSON.parse(line));
  return { ...derived(version, result.hash, result.rows, analyzer), splits: null };
};

export const executors: Record<RecipeKind, VersionExecutor> = { upload: importUpload, pipeline, edits };
