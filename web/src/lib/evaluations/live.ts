import { follow } from '$lib/graphql/follow';
import { EvaluationRowUpdatedDocument, type EvaluationListFieldsFragment } from '$lib/graphql/generated/graphql';
import { LiveRows } from '$lib/jobs/live-rows';

/** An evaluations list's unfinished rows, kept live by evaluationUpdated. */
export const liveEvaluations = (onupdate: (evaluation: EvaluationListFieldsFragment) => void) =>
  new LiveRows<EvaluationListFieldsFragment>(
    (id, handlers) =>
      follow(
        EvaluationRowUpdatedDocument,
        { id },
        { ...handlers, next: (data) => handlers.next(data.evaluationUpdated) },
      ),
    onupdate,
  );
