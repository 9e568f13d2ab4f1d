import { follow } from '$lib/graphql/follow';
import { RunRowUpdatedDocument, type RunListFieldsFragment } from '$lib/graphql/generated/graphql';
import { LiveRows } from '$lib/jobs/live-rows';

/** A runs list's unfinished rows, kept live by runUpdated. */
export const liveRuns = (onupdate: (run: RunListFieldsFragment) => void) =>
  new LiveRows<RunListFieldsFragment>(
    (id, handlers) =>
      follow(RunRowUpdatedDocument, { id }, { ...handlers, next: (data) => handlers.next(data.runUpdated) }),
    onupdate,
  );
