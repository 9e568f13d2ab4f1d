import { render, type Message } from '$lib/forms.svelte';
import { mutate, query } from '$lib/graphql/client';
import { toAppError, type AppError } from '$lib/graphql/errors';
import {
  CreateRunDocument,
  EstimateRunDocument,
  type CreateRunInput,
  type RunEstimateFieldsFragment,
} from '$lib/graphql/generated/graphql';
import {
  emptyForm,
  mergeProblems,
  problemAt,
  stepOfPath,
  toRunConfigInput,
  type PlanForm,
  type PlanStep,
  type PoolFacts,
  type RunDefaults,
} from './plan';

/** Wait this long after the last change before asking the API for an estimate. */
export const ESTIMATE_DELAY_MS = 300;

export interface PlacedProblem {
  path: string;
  /** The step whose control shows it; null for a field this page has no control for. */
  step: PlanStep | null;
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
  launching = $state(false);
  /** Why the last launch failed, when no control can show it (permission, conflict, network). */
  launchError = $state<AppError | null>(null);
  /** A failure no control can show: network, permission, or a field this page does not have. */
  error = $state<AppError | null>(null);
  /** The API's defaults and presets (what an empty field takes), once loaded. */
  defaults = $state<RunDefaults | null>(null);
  /** What the workers can run (counts), once known. */
  pool = $state<(PoolFacts & { registered: number; online: number }) | null>(null);
  /** The model was chosen for the user because the pool is CPU-only. */
  modelFromPool = $state(false);
  #serverProblems = $state<Record<string, string>>({});
  #generation = 0;
  #lastSent = '';

  readonly built = $derived(toRunConfigInput(this.form));
  readonly ready = $derived(!!this.form.datasetVersionId && !!this.form.baseModelId);
  /** The client's messages win: they are about what is typed now, the server's about a moment ago. */
  readonly problems = $derived<Record<string, Message>>(mergeProblems(this.built.problems, this.#serverProblems));
  /** Every problem, each once: what the counts say and what Launch lists as its reasons. */
  readonly placed = $derived<PlacedProblem[]>(
    Object.entries(this.problems).map(([path, message]) => ({ path, step: stepOfPath(path), message })),
  );
  /** The run as planned trains on CPU (0 GPUs per node): the estimate speaks of RAM, not GPUs. */
  readonly onCpu = $derived(this.built.input.resources?.gpusPerNode === 0);
  /** Launch needs a version, a model and no problem left. */
  readonly launchable = $derived(this.ready && this.placed.length === 0);

  /** The translated message for the control at `path` (an API field path without `input.`). */
  messageAt(path: string): string | undefined {
    const message = problemAt(this.problems, path);
    return message ? render(message) : undefined;
  }

  /**
   * Queues the run as planned, with a name (empty: the API's default) and a priority. Resolves to
   * the new run's id, or null when it was refused: its field problems then show like an estimate's.
   */
  async launch(extra: {
    name: string;
    priority: number;
    evaluateAfter?: CreateRunInput['evaluateAfter'];
  }): Promise<string | null> {
    const { input } = this.built;
    if (!this.launchable || this.launching) return null;
    this.launching = true;
    this.launchError = null;
    const name = extra.name.trim();
    try {
      const data = await mutate(CreateRunDocument, {
        input: {
          ...input,
          ...(name ? { name } : {}),
          priority: extra.priority,
          ...(extra.evaluateAfter ? { evaluateAfter: extra.evaluateAfter } : {}),
        },
      });
      return data.createRun.id;
    } catch (caught) {
      this.launchError = this.#place(toAppError(caught));
      return null;
    } finally {
      this.launching = false;
    }
  }

  /** Field problems go next to their controls; returns the error when some (or none) are placed. */
  #place(error: AppError): AppError | null {
    const paths = error.fieldPaths ?? {};
    this.#serverProblems = paths;
    const unplaced = Object.keys(paths).filter((path) => stepOfPath(path) === null);
    return unplaced.length || Object.keys(paths).length === 0 ? error : null;
  }

  /**
   * Asks for an estimate of the form as it is now, unless it is incomplete or unchanged. With fields
   * the client cannot send, the rest still goes to the API, so that its problems show at the same
   * time as the client's; the estimate of a form that leaves those fields out would mislead: none.
   */
  async refresh(): Promise<void> {
    const { input, problems } = this.built;
    const unsendable = Object.keys(problems);
    if (unsendable.length) this.estimate = null;
    if (!this.ready) {
      this.#generation++;
      this.#lastSent = '';
      this.estimate = null;
      this.estimating = false;
      this.#serverProblems = {};
      return;
    }
    const key = JSON.stringify({ input, unsendable });
    if (key === this.#lastSent) return;
    this.#lastSent = key;
    const mine = ++this.#generation;
    this.estimating = true;
    try {
      const data = await query(EstimateRunDocument, { input });
      if (mine !== this.#generation) return;
      this.estimate = unsendable.length ? null : data.estimateRun;
      this.#serverProblems = {};
      this.error = null;
    } catch (caught) {
      if (mine !== this.#generation) return;
      const error = toAppError(caught);
      this.estimate = null;
      this.error = this.#place(error);
      // Only the API's verdict on this exact input is final; after anything else, let a retry through.
      if (error.code !== 'BAD_USER_INPUT') this.#lastSent = '';
    } finally {
      if (mine === this.#generation) this.estimating = false;
    }
  }
}
