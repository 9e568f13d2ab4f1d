import { z } from 'zod';
import type { Context } from '../../context.js';
import { AppError, notFound, type FieldProblem } from '../../errors.js';
import { containsPattern, paginate, type PageArgs } from '../../graphql/pagination.js';
import { rules, validate } from '../../graphql/validate.js';
import type { AppServices } from '../../services.js';
import { findModel } from '../base-model/catalog.js';
import { DatasetVersionStatus, type DatasetVersion } from '../dataset/dataset-version.entity.js';
import { enqueueInTransaction } from '../job/job-enqueue.js';
import { FINISHED, JobKind, JobStatus } from '../job/job-kind.js';
import { ModelVersion } from '../model-version/model-version.entity.js';
import { ProjectRole } from '../project/project-member.entity.js';
import { requireProjectRole } from '../project/project-access.js';
import { baseModelTarget, insertEvaluation, modelVersionTarget } from './evaluation-queue.js';
import { CHAT_KINDS, CHOICE_KIND, type EvaluatorSuites } from './evaluation-spec.js';
import { EvaluationAttempt } from './evaluation-attempt.entity.js';
import { EvaluationExample } from './evaluation-example.entity.js';
import type { CreateEvaluationInput, EvaluationExamplesArgs, EvaluationsArgs } from './evaluation.inputs.js';
import { Evaluation, type EvaluationTargetRef } from './evaluation.entity.js';

export const publishEvaluation = (app: Pick<AppServices, 'pubsub'>, id: string) =>
  app.pubsub.publish('EVALUATION_UPDATED', id, { evaluationId: id });

const between = (lo: number, hi: number) =>
  z.number().int().min(lo, `must be ${lo} to ${hi}`).max(hi, `must be ${lo} to ${hi}`);

/** The suites a user asks for (camelCase), validated with the field named. */
export const suitesSchema = z.object({
  perplexity: z.object({ maxSeqLength: between(16, 131_072) }).nullish(),
  generation: z
    .object({
      maxNewTokens: between(1, 4096),
      doSample: z.boolean(),
      temperature: z.number().gt(0, 'must be above 0').max(10, 'must be at most 10'),
      topP: z.number().gt(0, 'must be above 0').max(1, 'must be at most 1'),
      seed: between(0, 2 ** 31 - 1),
      thinking: z.enum(['on', 'off', 'model_default'], 'must be on, off or model_default'),
    })
    .nullish(),
  multipleChoice: z.object({ batchSize: between(1, 1024), applyChatTemplate: z.boolean() }).nullish(),
});

const createSchema = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters').nullish(),
  targets: z.array(z.unknown()).min(1, 'name at least one model').max(8, 'at most 8 models'),
  maxExamples: between(1, 1_000_000).nullish(),
  bootstrapSamples: between(100, 10_000),
  priority: between(-100, 100),
  suites: suitesSchema,
});

/** The suites in the evaluator's snake_case terms (null: not run). */
export function toEvaluatorSuites(input: z.infer<typeof suitesSchema>): EvaluatorSuites {
  const suites: EvaluatorSuites = { perplexity: null, generation: null, multiple_choice: null };
  if (input.perplexity) suites.perplexity = { max_seq_length: input.perplexity.maxSeqLength };
  if (input.generation) {
    const g = input.generation;
    suites.generation = {
      max_new_tokens: g.maxNewTokens,
      do_sample: g.doSample,
      temperature: g.temperature,
      top_p: g.topP,
      seed: g.seed,
      thinking: g.thinking,
    };
  }
  if (input.multipleChoice) {
    const mc = input.multipleChoice;
    suites.multiple_choice = { batch_size: mc.batchSize, apply_chat_template: mc.applyChatTemplate };
  }
  return suites;
}

/** What users do with evaluations: create (or get a stored result), watch, cancel, retry, browse. */
export class EvaluationService {
  constructor(
    private readonly ctx: Context,
    private readonly app: AppServices,
  ) {}

  /** The evaluation, if the viewer is a member of its project with at least `minRole`. */
  async access(id: string, minRole = ProjectRole.VIEWER): Promise<Evaluation> {
    const evaluation = await this.ctx.em.findOne(Evaluation, { id: validate(rules.uuid, id, 'id') });
    if (!evaluation) throw notFound('Evaluation');
    await requireProjectRole(this.ctx.em, this.ctx.viewer, evaluation.project.id, minRole);
    return evaluation;
  }

  async list(args: EvaluationsArgs) {
    await requireProjectRole(this.ctx.em, this.ctx.viewer, args.projectId, ProjectRole.VIEWER);
    const where: Record<string, unknown> = { project: args.projectId };
    if (args.status?.length) where.status = { $in: args.status };
    return paginate(this.ctx.em, Evaluation, where, { createdAt: 'desc', id: 'desc' }, args);
  }

  async create(input: CreateEvaluationInput): Promise<Evaluation> {
    const data = validate(createSchema, input, 'input');
    const version = await this.ctx.services.datasets.versionAccess(input.datasetVersionId, ProjectRole.EDITOR);
    const projectId = version.dataset.project.id;
    const problems: FieldProblem[] = [];
    const suites = this.suites(data.suites, version, problems);
    const targets = await this.targets(input, projectId, problems);
    if (problems.length)
      throw new AppError('BAD_USER_INPUT', problems.map((p) => `${p.field}: ${p.message}`).join('; '), {
        fields: problems,
      });
    const fields = {
      split: (version.splits?.test ? 'test' : 'all') as 'test' | 'all',
      suites: suites as unknown as Record<string, unknown>,
      bootstrap: { samples: data.bootstrapSamples, seed: 0 },
      maxExamples: data.maxExamples ?? null,
    };
    const pool = await this.ctx.services.workers.pool();
    const evaluation = await this.ctx.em.transactional(async (em) => {
      const evaluation = await insertEvaluation(em, this.app, {
        ...fields,
        datasetVersion: version,
        targets,
        name: data.name ?? `${version.dataset.name} v${version.number}: ${targets.map((t) => t.label).join(' vs ')}`,
        createdById: this.ctx.viewer!.user.id,
        priority: data.priority,
        gpus: pool && pool.maxGpus > 0 ? 1 : 0,
      });
      this.ctx.services.audit.record(
        {
          action: 'evaluation.create',
          targetType: 'evaluation',
          targetId: evaluation.id,
          details: { projectId, datasetVersionId: version.id, cached: evaluation.cached },
        },
        em,
      );
      await em.flush();
      return evaluation;
    });
    publishEvaluation(this.app, evaluation.id);
    return evaluation;
  }

  /**
   * The suites in the evaluator's terms; problems name the input field. Each suite reads one kind of
   * set: perplexity and generation need reference answers (chat rows), multipleChoice needs questions.
   */
  private suites(input: z.infer<typeof suitesSchema>, version: DatasetVersion, problems: FieldProblem[]) {
    const suites = toEvaluatorSuites(input);
    if (!suites.perplexity && !suites.generation && !suites.multiple_choice)
      problems.push({ field: 'input.suites', message: 'choose at least one suite' });
    const unresolved = (version.validation as { unresolved?: number } | null)?.unresolved ?? 0;
    const kind = version.schemaKind ?? 'unknown';
    if (version.status !== DatasetVersionStatus.READY)
      problems.push({
        field: 'input.datasetVersionId',
        message: `version ${version.number} is ${version.status}, not READY`,
      });
    else if (!version.rowCount)
      problems.push({ field: 'input.datasetVersionId', message: `version ${version.number} has no rows` });
    else if (unresolved > 0)
      // The evaluator refuses a set with a bad row as a whole: better said now than after a queue.
      problems.push({
        field: 'input.datasetVersionId',
        message: `version ${version.number} has ${unresolved} rows with unresolved problems; drop or fix them first`,
      });
    else if (kind === CHOICE_KIND) {
      for (const suite of ['perplexity', 'generation'] as const)
        if (input[suite])
          problems.push({
            field: `input.suites.${suite}`,
            message: `version ${version.number} holds multiple-choice questions, which have no reference answer to score ${suite} on; use multipleChoice`,
          });
    } else if (CHAT_KINDS.has(kind)) {
      if (input.multipleChoice)
        problems.push({
          field: 'input.suites.multipleChoice',
          message: `needs multiple-choice questions (question, choices, answer); version ${version.number} holds ${kind} rows: use perplexity or generation`,
        });
    } else
      problems.push({
        field: 'input.datasetVersionId',
        message: `perplexity and generation need conversations or prompt/completion rows with a reference answer, multipleChoice needs multiple-choice questions; version ${version.number} holds ${kind} rows`,
      });
    return suites;
  }

  /** Each target: a model version of this project, or a catalogue base model. */
  private async targets(input: CreateEvaluationInput, projectId: string, problems: FieldProblem[]) {
    const targets: EvaluationTargetRef[] = [];
    for (const [i, t] of input.targets.entries()) {
      const field = `input.targets.${i}`;
      if (!!t.modelVersionId === !!t.baseModelId) {
        problems.push({ field, message: 'name exactly one of modelVersionId and baseModelId' });
        continue;
      }
      if (t.modelVersionId) {
        const id = validate(rules.uuid, t.modelVersionId, `${field}.modelVersionId`);
        const version = await this.ctx.em.findOne(ModelVersion, { id, project: projectId });
        // Another project's model is not named: it does not exist for this evaluation.
        if (!version) throw notFound('Model version');
        targets.push(modelVersionTarget(version));
      } else {
        const model = findModel(t.baseModelId!);
        if (!model) {
          problems.push({ field: `${field}.baseModelId`, message: 'not in the model catalogue (see baseModels)' });
          continue;
        }
        targets.push(baseModelTarget(model));
      }
    }
    const keys = targets.map((t) => t.key);
    if (new Set(keys).size !== keys.length)
      problems.push({ field: 'input.targets', message: 'a model is named twice' });
    return targets;
  }

  /** Queued: cancelled at once. Running: the worker is told (heartbeat) and stops after the current example. */
  async cancel(id: string): Promise<Evaluation> {
    const evaluation = await this.access(id, ProjectRole.EDITOR);
    if (FINISHED.includes(evaluation.status))
      throw new AppError('CONFLICT', `The evaluation already ended (${evaluation.status})`);
    evaluation.cancelRequestedAt ??= new Date();
    if (evaluation.status === JobStatus.QUEUED) {
      if (evaluation.jobId) await this.app.queue.cancel(evaluation.queueName, evaluation.jobId);
      evaluation.status = JobStatus.CANCELLED;
      evaluation.finishedAt = new Date();
    }
    this.ctx.services.audit.record({ action: 'evaluation.cancel', targetType: 'evaluation', targetId: id });
    await this.ctx.em.flush();
    publishEvaluation(this.app, id);
    return evaluation;
  }

  /** Queues a failed or cancelled evaluation again; the examples already stored are not redone. */
  async retry(id: string): Promise<Evaluation> {
    const evaluation = await this.access(id, ProjectRole.EDITOR);
    if (evaluation.status !== JobStatus.FAILED && evaluation.status !== JobStatus.CANCELLED)
      throw new AppError(
        'CONFLICT',
        `Only failed or cancelled evaluations can be retried; this one is ${evaluation.status}`,
      );
    Object.assign(evaluation, {
      status: JobStatus.QUEUED,
      error: null,
      cancelRequestedAt: null,
      finishedAt: null,
      worker: null,
      attemptBase: evaluation.attempt,
      maxAttempts: this.app.config.RUN_MAX_ATTEMPTS,
    });
    await this.ctx.em.transactional(async (em) => {
      this.ctx.services.audit.record({ action: 'evaluation.retry', targetType: 'evaluation', targetId: id }, em);
      await enqueueInTransaction(em, this.app.queue, JobKind.EVALUATION, evaluation);
    });
    publishEvaluation(this.app, id);
    return evaluation;
  }

  /** Per-example rows, by example then target; a cached evaluation shows its source's. */
  examples(evaluation: Evaluation, args: EvaluationExamplesArgs) {
    const where: Record<string, unknown> = { evaluation: evaluation.cachedFrom ?? evaluation.id };
    if (args.target) where.target = args.target;
    if (args.suite) where.suite = args.suite;
    const and: Record<string, unknown>[] = [];
    // Generation rows are wrong by exact match, multiple-choice rows by accuracy.
    if (args.onlyWrong) and.push({ $or: [{ scores: { exact_match: 0 } }, { scores: { accuracy: 0 } }] });
    const search = args.search?.trim();
    if (search) {
      const like = { $ilike: containsPattern(search) };
      and.push({ $or: [{ prompt: like }, { reference: like }, { output: like }] });
    }
    if (and.length) where.$and = and;
    return paginate(this.ctx.em, EvaluationExample, where, { index: 'asc', id: 'asc' }, args);
  }

  attempts(evaluation: Evaluation, page: PageArgs) {
    return paginate(this.ctx.em, EvaluationAttempt, { evaluation }, { number: 'desc', id: 'desc' }, page);
  }
}
