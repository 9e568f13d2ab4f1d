import { render, type Message } from '$lib/forms.svelte';
import { query } from '$lib/graphql/client';
import { toAppError, type AppError } from '$lib/graphql/errors';
import { EstimateRunDocument, type RunEstimateFieldsFragment } from '$lib/graphql/generated/graphql';
import { emptyForm, problemAt, stepOfPath, toRunConfigInput, type PlanForm, type PlanStep } from './plan';

/** Wait this long after the last change before asking the API for an estimate. */
export const ESTIMATE_DELAY_MS = 300;

export interface PlacedProblem {
  path: string;
  step: PlanStep;
  message: Message;
}

/**
 * The run planner's state: the form, the API's estimate for it and every problem found, by the
 * client (what cannot be sent) or by the API (BAD_USER_INPUT with field paths), keyed alike.
 */
export class Planner {
  form = $state<PlanForm>(emptyForm());
  estimate = $state<RunEstimateFieldsFragment | null>(null);
  estimating = $state(false);
  /** A failure no control can show: network, permission, or a field this page does not have. */
  error = $state<AppError | null>(null);
  #serverProblems = $state<Record<string, string>>({});
  #generation = 0;
  #lastSent = '';

  readonly built = $derived(toRunConfigInput(this.form));
  readonly ready = $derived(!!this.form.datasetVersionId && !!this.form.baseModelId);
  /** The client's messages win: they are about what is typed now, the server's about a moment ago. */
  readonly problems = $derived<Record<string, Message>>({
    ...Object.fromEntries(Object.entries(this.#serverProblems).map(([path, text]) => [path, { text }])),
    ...this.built.problems,
  });
  readonly placed = $derived<PlacedProblem[]>(
    Object.entries(this.problems).flatMap(([path, message]) => {
      const step = stepOfPath(path);
      return step ? [{ path, step, message }] : [];
    }),
  );

  /** The translated message for the control at `path` (an API field path without `input.`). */
  messageAt(path: string): string | undefined {
    const message = problemAt(this.problems, path);
    return message ? render(message) : undefined;
  }

  /** Asks for an estimate of the form as it is now, unless it is incomplete, unsendable or unchanged. */
  async refresh(): Promise<void> {
    const { input, problems } = this.built;
    if (!this.ready || Object.keys(problems).length) {
      // Nothing to ask yet, or something that cannot be sent: an older estimate would mislead.
      this.#generation++;
      this.#lastSent = '';
      this.estimate = null;
      this.estimating = false;
      if (!this.ready) this.#serverProblems = {};
      return;
    }
    const key = JSON.stringify(input);
    if (key === this.#lastSent) return;
    this.#lastSent = key;
    const mine = ++this.#generation;
    this.estimating = true;
    try {
      const data = await query(EstimateRunDocument, { input });
      if (mine !== this.#generation) return;
      this.estimate = data.estimateRun;
      this.#serverProblems = {};
      this.error = null;
    } catch (caught) {
      if (mine !== this.#generation) return;
      const error = toAppError(caught);
      const paths = error.fieldPaths ?? {};
      this.#serverProblems = paths;
      this.estimate = null;
      const unplaced = Object.keys(paths).filter((path) => stepOfPath(path) === null);
      this.error = unplaced.length || Object.keys(paths).length === 0 ? error : null;
      // Only the API's verdict on this exact input is final; after anything else, let a retry through.
      if (error.code !== 'BAD_USER_INPUT') this.#lastSent = '';
    } finally {
      if (mine === this.#generation) this.estimating = false;
    }
  }
}
