import { createHash } from 'node:crypto';
import { findModel } from '../base-model/catalog.js';
import type { Evaluation, EvaluationTargetRef } from './evaluation.entity.js';

/**
 * The evaluator's version the cache trusts: results are reused only from the same version
 * (workers/trainer/README.md: bumped when any number could change).
 */
export const EVALUATOR_VERSION = '1';

/** Dataset schema kinds whose rows are normalised chat (the last assistant turn is the reference). */
export const CHAT_KINDS = new Set(['alpaca', 'sharegpt', 'openai', 'prompt_completion']);

/** The dataset schema kind of multiple-choice questions, read by the multiple_choice suite only. */
export const CHOICE_KIND = 'multiple_choice';

/** The evaluator suites in its own snake_case terms (null: not run). */
export interface EvaluatorSuites {
  perplexity: { max_seq_length: number } | null;
  generation: {
    max_new_tokens: number;
    do_sample: boolean;
    temperature: number;
    top_p: number;
    seed: number;
    thinking: string;
  } | null;
  multiple_choice: { batch_size: number; apply_chat_template: boolean } | null;
}

/**
 * Same models (artifact hashes, not names), same rows (content hash and split), same suites and
 * bootstrap, same evaluator: the same numbers, so the stored result answers at once.
 */
export function cacheKey(
  fields: Pick<Evaluation, 'split' | 'suites' | 'bootstrap' | 'maxExamples'>,
  contentHash: string,
  targets: EvaluationTargetRef[],
) {
  const models = targets.map((t) => [t.key, t.baseModelId, t.artifact]);
  const key = [
    EVALUATOR_VERSION,
    contentHash,
    fields.split,
    models,
    fields.suites,
    fields.bootstrap,
    fields.maxExamples,
  ];
  return createHash('sha256').update(JSON.stringify(key)).digest('hex');
}

/** The evaluator spec without the machine's paths (the agent adds them). Needs datasetVersion loaded. */
export function evaluatorSpec(evaluation: Evaluation) {
  return {
    evaluation_id: evaluation.id,
    attempt: evaluation.attempt,
    targets: evaluation.targets.map((t) => {
      const model = findModel(t.baseModelId);
      return {
        key: t.key,
        base_model: {
          catalog_id: t.baseModelId,
          hf_id: model?.tinyFamily ? null : t.baseModelId,
          tiny_family: model?.tinyFamily ?? null,
          path: null,
        },
        adapter_path: null,
      };
    }),
    // The evaluator reads the normalised rows of every chat kind as conversations.
    dataset: {
      path: null,
      schema_kind: evaluation.datasetVersion.schemaKind === CHOICE_KIND ? CHOICE_KIND : 'conversations',
    },
    suites: evaluation.suites,
    bootstrap: evaluation.bootstrap,
    output_dir: null,
    max_examples: evaluation.maxExamples,
    resume_from: null,
  };
}

/** The rows an evaluation reads: [from, to) of the version's row set. */
export function evaluationRows(evaluation: Evaluation): [number, number] {
  const v = evaluation.datasetVersion;
  if (evaluation.split === 'test' && v.splits) {
    const start = v.splits.train + v.splits.validation;
    return [start, start + v.splits.test];
  }
  return [0, v.rowCount];
}
