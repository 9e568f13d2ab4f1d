import { render, type Message } from '$lib/forms.svelte';
import { mutate } from '$lib/graphql/client';
import { toAppError, type AppError } from '$lib/graphql/errors';
import { CreateEvaluationDocument } from '$lib/graphql/generated/graphql';
import { mergeProblems, problemAt } from '$lib/runs/plan';
import { emptyEvaluationForm, suitesFor, toCreateEvaluationInput, type EvaluationForm } from './form';

/** The top-level input fields this form has a control for; a problem elsewhere shows as an alert. */
const PLACED = new Set([
  'datasetVersionId',
  'targets',
  'suites',
  'maxExamples',
  'bootstrapSamples',
  'name',
  'priority',
]);

/**
 * The "New evaluation" form: its values, the problems found by the browser (what cannot be sent)
 * and by the API (BAD_USER_INPUT with field paths), keyed alike so each shows at its control.
 */
export class NewEvaluation {
  form = $state<EvaluationForm>(emptyEvaluationForm());
  /** The chosen set's schema kind (null until it is known): it decides which suites are offered. */
  schemaKind = $state<string | null>(null);
  readonly offered = $derived(suitesFor(this.schemaKind));
  submitting = $state(false);
  /** A failure no control can show: permission, a model of another project, network. */
  error = $state<AppError | null>(null);
  /** Client problems show once a send was tried; before that the form is being filled in. */
  #tried = $state(false);
  #serverProblems = $state<Record<string, string>>({});

  readonly built = $derived(toCreateEvaluationInput(this.form, this.offered));
  readonly problems = $derived<Record<string, Message>>(
    mergeProblems(this.#tried ? this.built.problems : {}, this.#serverProblems),
  );

  /** The translated message for the control at `path` (an API field path without `input.`). */
  messageAt(path: string): string | undefined {
    const message = problemAt(this.problems, path);
    return message ? render(message) : undefined;
  }

  /** Creates the evaluation; resolves to its id, or null when it was refused (the problems then show). */
  async submit(): Promise<string | null> {
    if (this.submitting) return null;
    this.#tried = true;
    this.#serverProblems = {};
    this.error = null;
    if (Object.keys(this.built.problems).length) return null;
    this.submitting = true;
    try {
      const data = await mutate(CreateEvaluationDocument, { input: this.built.input });
      return data.createEvaluation.id;
    } catch (caught) {
      const error = toAppError(caught);
      const paths = error.fieldPaths ?? {};
      this.#serverProblems = paths;
      const unplaced = Object.keys(paths).some((path) => !PLACED.has(path.split('.')[0]!));
      if (unplaced || Object.keys(paths).length === 0) this.error = error;
      return null;
    } finally {
      this.submitting = false;
    }
  }
}
