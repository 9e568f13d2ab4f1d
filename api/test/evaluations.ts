// An evaluation played by hand over the worker protocol, in the evaluator's own formats
// (workers/trainer/README.md, "Evaluation events"): example rows, progress, and the summary with
// 95% intervals. The numbers are made up but consistent: the summary is computed from the rows.
import type { TestApp } from './test-app.js';
import { CLAIM_EVALUATION, COMPLETE, REPORT, evaluationJob } from './worker-ops.js';

export interface ClaimedEvaluation {
  id: string;
  attempt: number;
  rows: number;
  targets: { key: string; modelVersionId: string | null }[];
  spec: { suites: Record<string, unknown>; dataset: { schema_kind: string } };
}

export interface ExampleData {
  index: number;
  target: string;
  suite: string;
  /** Multiple choice: the question's subject, when it has one. */
  subject: string | null;
  prompt: string;
  reference: string;
  output: string | null;
  thinking: string | null;
  flags: string[];
  scores: Record<string, number>;
  stats: unknown;
}

/** Claims the next evaluation job with a worker token. */
export async function claimEvaluation(app: TestApp, worker: string): Promise<ClaimedEvaluation> {
  const res = await app.gql(CLAIM_EVALUATION, {}, worker);
  if (!res.data?.claimJob) throw new Error(`no evaluation to claim: ${JSON.stringify(res.errors ?? res.data)}`);
  return res.data.claimJob as ClaimedEvaluation;
}

/**
 * The rows a target writes for `examples` (prompt, reference): `answer(target, i)` gives its output.
 * Generation scores exact match on the output as is; perplexity a loss that the fine-tune lowers.
 */
export function exampleRows(
  job: ClaimedEvaluation,
  examples: { prompt: string; reference: string }[],
  answer: (target: string, index: number) => { output: string; thinking?: string; flags?: string[] },
): ExampleData[] {
  const rows: ExampleData[] = [];
  const suites = Object.keys(job.spec.suites).filter((s) => job.spec.suites[s]);
  for (const [index, { prompt, reference }] of examples.entries())
    for (const { key } of job.targets)
      for (const suite of suites) {
        const base = { index, target: key, suite, subject: null, prompt, reference, stats: null };
        if (suite === 'perplexity') {
          const loss = (key.startsWith('base') ? 2.5 : 1.2) + index * 0.01;
          rows.push({ ...base, output: null, thinking: null, flags: [], scores: { loss, perplexity: Math.exp(loss) } });
        } else {
          const { output, thinking = null, flags = [] } = answer(key, index);
          const right = output === reference ? 1 : 0;
          const scores = {
            exact_match: right,
            rouge_l: right ? 1 : 0.25,
            bleu: right ? 100 : 8.5,
            chrf: right ? 100 : 21,
          };
          rows.push({ ...base, output, thinking, flags, scores });
        }
      }
  return rows;
}

let seq = 0;
const event = (name: string, data: Record<string, unknown>) => ({
  seq: seq++,
  time: new Date().toISOString(),
  event: name,
  data,
});

/** Reports a batch of rows as `example` events, with the status and overall progress before them. */
export async function reportExamples(
  app: TestApp,
  worker: string,
  job: ClaimedEvaluation,
  rows: ExampleData[],
  progress: { done: number; total: number },
) {
  const first = rows[0]!;
  const events = [
    event('status', {
      status: 'evaluating',
      message: `evaluating ${first.target} (${first.suite})`,
      target: null,
      suite: null,
    }),
    ...rows.map((row) => event('example', { ...row })),
    event('progress', {
      target: first.target,
      suite: first.suite,
      done: progress.done,
      total: progress.total,
      overall_done: progress.done,
      overall_total: progress.total,
    }),
  ];
  const res = await app.gql(REPORT, { i: { job: evaluationJob(job.id, job.attempt), events } }, worker);
  if (res.errors) throw new Error(`reportJobEvents: ${JSON.stringify(res.errors)}`);
  return res.data!.reportJobEvents as { stored: number; cancelRequested: boolean };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The evaluator's summary of `rows`: per target and suite, each metric's mean with a ±10% interval. */
export function summaryOf(rows: ExampleData[], examples: number) {
  const targets: Record<string, Record<string, unknown>> = {};
  const keys = [...new Set(rows.map((r) => `${r.target}\u0000${r.suite}`))];
  for (const key of keys) {
    const [target, suite] = key.split('\u0000') as [string, string];
    const mine = rows.filter((r) => r.target === target && r.suite === suite);
    const names = suite === 'perplexity' ? ['loss', 'perplexity'] : ['exact_match', 'rouge_l', 'bleu', 'chrf'];
    const metrics = Object.fromEntries(
      names.map((name) => {
        const value = mean(mine.map((r) => r.scores[name]!));
        return [name, { value, low: value * 0.9, high: value * 1.1, n: mine.length }];
      }),
    );
    const flags: Record<string, number> = {};
    for (const flag of mine.flatMap((r) => r.flags)) flags[flag] = (flags[flag] ?? 0) + 1;
    targets[target] ??= {};
    targets[target][suite] = { n: mine.length, metrics, flags, ...(suite === 'perplexity' ? { tokens: 300 } : {}) };
  }
  return { examples, bleu_tokenize: 'zh', bootstrap: { samples: 1000, seed: 0, confidence: 0.95 }, targets };
}

/** Ends the held attempt: SUCCEEDED with the summary, or FAILED with a reason, message and log tail. */
export async function completeEvaluation(
  app: TestApp,
  worker: string,
  job: ClaimedEvaluation,
  outcome: { summary: Record<string, unknown> } | { reason: string; message: string; logTail: string[] },
) {
  const input =
    'summary' in outcome
      ? { outcome: 'SUCCEEDED', evaluation: { evaluatorVersion: '1', summary: outcome.summary } }
      : { outcome: 'FAILED', ...outcome };
  const res = await app.gql(COMPLETE, { i: { job: evaluationJob(job.id, job.attempt), ...input } }, worker);
  if (res.errors) throw new Error(`completeJob: ${JSON.stringify(res.errors)}`);
  return res.data!.completeJob as { status: string; attempt: number };
}
